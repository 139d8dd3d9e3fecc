"""The helpdesk connector's speed against the loopback helpdesk of tests/support/zammad_server.py.

    .venv/bin/python bench/helpdesk_bench.py [--tickets 1000] [--pg postgresql://...]
        [--latency-ms 20] [--concurrency 4]

1. Pull: ``--tickets`` changed tickets on the helpdesk (each TPM → DMSU → a 3rd-line unit,
   with a state change, an ETA and four articles), pulled by the incremental poll (100 per
   page: a search, then the articles and the history of each ticket, recorded page by page
   through the one import path). Tickets per second pulled and mapped; then the same poll
   again (nothing changed: no ticket read twice).
2. Push: one internal note per linked ticket as a person's workflow step (the outbox row
   recorded in the step's transaction), then the drain: rows per second sent.
3. Outage: the helpdesk stopped, 200 more steps taken, the drain run every "minute" for an
   hour of simulated time (each run stops at the first unanswered row), the helpdesk started
   again, one drain: how many runs, requests refused, rows lost (must be 0) and whether each
   ticket's notes arrived in order.

Prints the numbers; bench/RESULTS-helpdesk.md records them by hand.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNITS = ("ARGUS", "CREAM", "dCache", "VOMS-StoRM", "UNICORE")


def fill(server, n: int) -> int:
    from tests.support.zammad_server import at

    articles = 0
    for i in range(n):
        ticket_id, t0 = 1000 + i, i * 3
        server.add_ticket(ticket_id, number=200000 + i, group="TPM", created=at(t0),
                          title=f"Bench ticket {i}")  # fmt: skip
        server.add_article(ticket_id, at(t0), f"<p>It fails {i}</p>", sender="Customer", by=7)
        server.change(ticket_id, at(t0 + 1), group="DMSU")
        server.add_article(ticket_id, at(t0 + 1.2), "Looking at it", internal=True)
        server.change(ticket_id, at(t0 + 1.5), state="in progress")
        server.change(ticket_id, at(t0 + 2), group=UNITS[i % len(UNITS)], ggus_eta="2025-06-01")
        server.add_article(ticket_id, at(t0 + 2.2), "Over to the product team")
        server.add_article(ticket_id, at(t0 + 2.5), "Thanks", sender="Customer", by=7)
        articles += 4
    return articles


def serve(conn, n: int, latency: float = 0.0) -> None:
    """The helpdesk in its own process (as a real one would be: not sharing the connector's
    interpreter), driven by commands over a pipe."""
    from tests.support.zammad_server import ZammadServer

    server = ZammadServer()
    made = fill(server, n)
    server.delay = latency  # each answer waits this long: a helpdesk across a network
    conn.send((server.url, made))
    while True:
        command = conn.recv()
        if command == "stop":
            server.stop()
        elif command == "start":
            server.start()
        elif command == "clear":
            server.requests.clear()
        elif command == "requests":
            conn.send(len(server.requests))
            continue
        elif command == "articles":
            conn.send({k: [a["body"] for a in v] for k, v in server.articles.items()})
            continue
        elif command == "quit":
            server.stop()
            conn.send(None)
            return
        conn.send(None)


class Helpdesk:
    def __init__(self, n: int, latency: float = 0.0):
        parent, child = multiprocessing.get_context("fork").Pipe()
        self.conn = parent
        self.process = multiprocessing.get_context("fork").Process(
            target=serve, args=(child, n, latency)
        )
        self.process.start()
        self.url, self.articles_made = parent.recv()

    def ask(self, command: str):
        self.conn.send(command)
        return self.conn.recv()


def run(database_url: str, n: int, latency: float = 0.0, concurrency: int = 4) -> dict:
    from dmsu import create_app
    from dmsu.content import load_all
    from dmsu.core import clock, schema
    from dmsu.core.db import database
    from dmsu.demo import create_users
    from dmsu.helpdesk import mapping as mapping_module
    from dmsu.helpdesk.client import ZammadClient, ZammadSettings
    from dmsu.helpdesk.connector import run_push
    from dmsu.helpdesk.models import HelpdeskOutbox
    from dmsu.helpdesk.pull import Puller, poll
    from dmsu.tickets import workflow
    from dmsu.tickets.models import Ticket, TicketEvent
    from tests.support.zammad_server import TOKEN

    out: dict = {}
    server = Helpdesk(n, latency)
    with tempfile.TemporaryDirectory() as scratch:
        config = {
            "DATABASE_URL": database_url or f"sqlite:///{scratch}/bench.sqlite3",
            "SECRET_KEY": "bench",
            "DMSU_ZAMMAD_URL": server.url,
            "DMSU_ZAMMAD_TOKEN": TOKEN,
            "DMSU_ZAMMAD_PER_PAGE": 100,
        }
        app = create_app(config, instance_path=scratch)
        with app.app_context():
            database.connect(reuse_if_open=True)
            if database_url:
                database.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            schema.migrate()
            load_all()
            users = create_users()
            out["articles"] = server.articles_made
            puller = Puller(ZammadClient(ZammadSettings.from_config(app.config)),
                            mapping_module.load(app.config), concurrency)  # fmt: skip

            started = time.perf_counter()
            result = poll(puller)
            seconds = time.perf_counter() - started
            assert result.kept == n, result.summary()
            out["pull_seconds"] = seconds
            out["pull_rate"] = n / seconds
            out["events"] = TicketEvent.select().count()
            out["requests"] = server.ask("requests")

            server.ask("clear")
            started = time.perf_counter()
            again = poll(puller)
            out["repoll_seconds"] = time.perf_counter() - started
            out["repoll_requests"] = server.ask("requests")
            assert again.events_added == 0

            resolver = next(u for u in users.values() if u.role == "resolver")
            tickets = list(Ticket.select().order_by(Ticket.ggus_id))
            app.config["DMSU_ZAMMAD_URL"] = ""  # the same step with the connector idle
            started = time.perf_counter()
            for ticket in tickets[:200]:
                workflow.add_comment(Ticket.get_by_id(ticket.id), resolver, "idle", public=False)
            out["idle_step_seconds"] = (time.perf_counter() - started) / 200
            app.config["DMSU_ZAMMAD_URL"] = server.url
            tickets = list(Ticket.select().order_by(Ticket.ggus_id))
            started = time.perf_counter()
            for ticket in tickets:
                workflow.add_comment(ticket, resolver, "A DMSU note", public=False)
            out["step_seconds"] = (time.perf_counter() - started) / len(tickets)
            started = time.perf_counter()
            text = run_push(app.config)
            seconds = time.perf_counter() - started
            out["push_text"] = text
            out["push_rate"] = len(tickets) / seconds

            # the outage
            server.ask("stop")
            chosen = tickets[:50]
            for round_ in range(4):
                for ticket in chosen:
                    workflow.add_comment(Ticket.get_by_id(ticket.id), resolver,
                                         f"outage note {round_}", public=False)  # fmt: skip
            now = clock.now()
            runs = 0
            started = time.perf_counter()
            for minute in range(0, 61):
                run_push(app.config, now=now + timedelta(minutes=minute))
                runs += 1
            out["outage_runs"] = runs
            out["outage_seconds"] = time.perf_counter() - started
            queued = HelpdeskOutbox.select().where(HelpdeskOutbox.state == "queued").count()
            out["queued_during"] = queued
            first = HelpdeskOutbox.select().where(HelpdeskOutbox.state == "queued").order_by(
                HelpdeskOutbox.id).first()  # fmt: skip
            out["first_row_attempts"] = first.attempts
            server.ask("start")
            started = time.perf_counter()
            out["after_text"] = run_push(app.config, now=now + timedelta(hours=2))
            out["after_seconds"] = time.perf_counter() - started
            out["lost"] = HelpdeskOutbox.select().where(
                HelpdeskOutbox.state != "sent").count()  # fmt: skip
            in_order = True
            articles = server.ask("articles")
            for ticket in chosen:
                zid = 1000 + (ticket.ggus_id - 200000)
                notes = [body for body in articles[zid] if body.startswith("outage")]
                in_order &= notes == [f"outage note {r}" for r in range(4)]
            out["in_order"] = in_order
            database.close()
    server.ask("quit")
    server.process.join(timeout=10)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--pg", default="")
    parser.add_argument("--latency-ms", type=float, default=0, help="added to each answer")
    parser.add_argument("--concurrency", type=int, default=4, help="tickets read at once")
    args = parser.parse_args(argv)
    kinds = [("SQLite", "")] + ([("PostgreSQL", args.pg)] if args.pg else [])
    for name, url in kinds:
        r = run(url, args.tickets, args.latency_ms / 1000, args.concurrency)
        print(f"== {name}, {args.tickets} tickets, {r['articles']} articles, {r['events']} events, "
              f"latency {args.latency_ms:g} ms, {args.concurrency} at once")  # fmt: skip
        print(f"pull: {r['pull_seconds']:.2f} s, {r['pull_rate']:.0f} tickets/s, "
              f"{r['requests']} requests")  # fmt: skip
        print(
            f"poll again (unchanged): {r['repoll_seconds']:.2f} s, {r['repoll_requests']} requests"
        )
        print(f"a person's step with its outbox row: {r['step_seconds'] * 1000:.1f} ms "
              f"(connector idle: {r['idle_step_seconds'] * 1000:.1f} ms)")  # fmt: skip
        print(f"push: {r['push_rate']:.0f} rows/s ({r['push_text']})")
        print(f"outage: {r['outage_runs']} drain runs in {r['outage_seconds']:.2f} s, "
              f"{r['queued_during']} rows queued, first row tried {r['first_row_attempts']} times")  # fmt: skip
        print(f"after: {r['after_seconds']:.2f} s, {r['after_text']} lost={r['lost']} "
              f"in order per ticket={r['in_order']}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
