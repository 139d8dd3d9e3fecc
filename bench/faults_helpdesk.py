"""Faults through the helpdesk connector: staff work on helpdesk tickets while the helpdesk
(the loopback Zammad of tests/support/zammad_server.py in its fault mode) cuts answers
mid-transfer, answers late, answers garbage, refuses in bursts (5xx, 429) and does writes
whose answers are lost; then the helpdesk heals and everything drains.

    .venv/bin/python bench/faults_helpdesk.py [--seconds 60] [--tickets 30] [--staff 3]
        [--seed 7] [--fault-rate 0.25] [--pg postgresql://root@127.0.0.1:5432/<db>]

Not part of the test command. In one process, for ``--seconds``:

- ``--staff`` threads take workflow steps on the helpdesk tickets through the site's own
  functions (notes — some with the same text as an earlier one —, status changes, ETAs, a
  reassignment to a 3rd-line unit): each step records its outbox row in its transaction;
- a helpdesk agent adds articles on the helpdesk side and, for half of them, Zammad's
  trigger posts the signed webhook to the site's ``/helpdesk/webhook`` (through its HTTP);
- a job loop runs the webhook-queue, push and poll jobs one after the other (as the one
  scheduler would), the push with a clock that runs 2 minutes per round (so the backoff of
  a failed row, 1, 2, 4 ... minutes, comes round within the run);
- the helpdesk answers each request wrongly with probability ``--fault-rate`` (seeded): the
  kinds of tests/support/zammad_server.py FAULT_KINDS, 5xx and 429 in bursts of 2 to 4.

Then the helpdesk heals and the jobs run until nothing waits. Checks: every helpdesk
ticket's events in the site equal those the helpdesk's final state translates to (none
missing, none twice); every outbox row sent, and the helpdesk received each exactly once,
in order per ticket; no 500, no unhandled exception; the poll's cursor never ahead of what
was recorded. Prints the numbers (bench/FAULTS.md, "Through the helpdesk connector", keeps
them). Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

THIRD_LINE = ("ARGUS", "CREAM")
SAME_TEXT = "Pinged the product team again."
SECRET = "faults-webhook-secret"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class FaultPlan:
    """Per request, by a seeded random: no fault, or one of the server's fault kinds; a 5xx
    or a 429 starts a burst (the next 1 to 3 requests get it too)."""

    WEIGHTS = {"cut": 3, "slow": 2, "lost": 2, "garbage-truncated": 1, "garbage-html": 1,
               "garbage-shape": 1, "5xx": 2, "429": 1}  # fmt: skip

    def __init__(self, seed: int, rate: float):
        self.random = random.Random(seed)
        self.rate = rate
        self.burst: list[str] = []

    def __call__(self, method: str, path: str) -> str | None:  # under the server's lock
        if self.burst:
            return self.burst.pop()
        if self.random.random() >= self.rate:
            return None
        kinds = list(self.WEIGHTS)
        kind = self.random.choices(kinds, [self.WEIGHTS[k] for k in kinds])[0]
        if kind in ("5xx", "429"):
            self.burst = [kind] * self.random.randint(1, 3)
        return kind


class Run:
    """What the threads saw (guarded by ``lock``)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.steps: Counter = Counter()
        self.refused: Counter = Counter()  # steps the workflow refused (one sentence): fine
        self.unhandled: list[str] = []
        self.webhooks: Counter = Counter()  # HTTP status -> count
        self.jobs: Counter = Counter()
        self.job_errors: Counter = Counter()  # the sentence's start -> count
        self.cursor_ahead = 0
        self.agent_articles = 0

    def bad(self, where: str) -> None:
        with self.lock:
            self.unhandled.append(f"{where}: {traceback.format_exc(limit=3)}")


def fill(server, n: int) -> None:
    now = datetime.now(UTC) - timedelta(hours=1)
    for i in range(n):
        ticket_id = 100 + i
        server.add_ticket(ticket_id, number=300000 + i, group="DMSU", state="assigned",
                          created=now + timedelta(seconds=i), title=f"Faults ticket {i}")  # fmt: skip
        server.add_article(ticket_id, now + timedelta(seconds=i), f"<p>It fails {i}</p>",
                           sender="Customer", by=7)  # fmt: skip


def staff(app, run: Run, users, seed: int, stop: threading.Event) -> None:
    from dmsu.core.db import database
    from dmsu.helpdesk.models import HelpdeskTicket
    from dmsu.tickets import workflow
    from dmsu.tickets.models import Ticket

    rnd = random.Random(seed)
    n = 0
    with app.app_context():
        database.connect(reuse_if_open=True)
        ggus_ids = [g for (g,) in HelpdeskTicket.select(HelpdeskTicket.ggus_id).tuples()]
        while not stop.is_set():
            n += 1
            ticket = Ticket.get(Ticket.ggus_id == rnd.choice(ggus_ids))
            third = ticket.support_unit_id and ticket.support_unit.kind == "third_line"
            roll = rnd.random()
            try:
                if roll < 0.5:
                    text = SAME_TEXT if rnd.random() < 0.3 else f"Note {seed}-{n}"
                    workflow.add_comment(ticket, users["resolver"], text, public=rnd.random() < 0.5)
                    kind = "note"
                elif roll < 0.75:
                    status = rnd.choice(("in progress", "on hold", "waiting for reply"))
                    note = f"Status note {seed}-{n}" if rnd.random() < 0.4 else ""
                    workflow.change_status(ticket, users["resolver"], status, note=note,
                                           public=False)  # fmt: skip
                    kind = "status" + (" with a note" if note else "")
                elif third:
                    due = date(2026, 1, 1) + timedelta(days=rnd.randint(0, 300))
                    workflow.record_eta(ticket, users["resolver"], due)
                    kind = "ETA"
                else:
                    workflow.reassign_to_third_line(ticket, users["assigner"],
                                                    rnd.choice(THIRD_LINE),
                                                    note=f"Reproduce {seed}-{n}")  # fmt: skip
                    kind = "route"
                with run.lock:
                    run.steps[kind] += 1
            except workflow.WorkflowError as exc:
                with run.lock:
                    run.refused[str(exc)[:60]] += 1
            except Exception:  # noqa: BLE001 - counted: the check is that there are none
                run.bad("staff step")
            time.sleep(rnd.uniform(0.01, 0.08))


def helpdesk_agent(app, server, run: Run, seed: int, stop: threading.Event) -> None:
    from dmsu.helpdesk.webhook import signature

    rnd = random.Random(seed)
    client = app.test_client()
    while not stop.is_set():
        ticket_id = rnd.choice(list(server.tickets))
        customer = rnd.random() < 0.5
        server.add_article(ticket_id, datetime.now(UTC), f"Helpdesk side {run.agent_articles}",
                           sender="Customer" if customer else "Agent",
                           by=7 if customer else 4)  # fmt: skip
        run.agent_articles += 1
        if rnd.random() < 0.5:  # the trigger fires (the other half: a webhook that never came)
            body = json.dumps({"ticket": {"id": ticket_id}, "article": {}}).encode()
            try:
                answer = client.post("/helpdesk/webhook", data=body, headers={
                    "X-Hub-Signature": signature(body, SECRET),
                    "Content-Type": "application/json",
                    "X-Zammad-Delivery": f"d-{run.agent_articles}",
                })  # fmt: skip
                with run.lock:
                    run.webhooks[answer.status_code] += 1
            except Exception:  # noqa: BLE001
                run.bad("webhook")
        time.sleep(rnd.uniform(0.1, 0.4))


def job_round(app, run: Run, now: datetime) -> dict:
    """The three jobs once; what each said."""
    from dmsu.helpdesk import schedule
    from dmsu.helpdesk.models import HelpdeskTicket
    from dmsu.helpdesk.pull import cursor_at

    said = {}
    for name, job in (("queue", schedule.pull_queue), ("push", schedule.push),
                      ("poll", schedule.poll)):  # fmt: skip
        try:
            text = job(now)
        except Exception:  # noqa: BLE001
            run.bad(f"job {name}")
            continue
        said[name] = text
        with run.lock:
            run.jobs[name] += 1
            if "failed:" in text or "last error" in text:
                sentence = text.split("failed: ")[-1].split("last error: ")[-1]
                run.job_errors[f"{name}: {_shape(sentence)}"] += 1
            if "\n" in text or "Traceback" in text:
                run.unhandled.append(f"job {name} said more than a sentence: {text!r}")
        if name != "push":
            cursor = cursor_at()
            newest = max((t.helpdesk_updated_at for t in HelpdeskTicket.select()
                          if t.helpdesk_updated_at), default=None)  # fmt: skip
            if cursor is not None and (newest is None or cursor > newest):
                run.cursor_ahead += 1
    return said


def _shape(sentence: str) -> str:
    """A sentence without its numbers (to count the kinds)."""
    import re

    return re.sub(r"\d+(\.\d+)?", "N", sentence).rstrip(".")[:90]


def jobs(app, run: Run, stop: threading.Event, clock_box: list) -> None:
    from dmsu.core.db import database

    with app.app_context():
        database.connect(reuse_if_open=True)
        while not stop.is_set():
            clock_box[0] += timedelta(minutes=2)
            job_round(app, run, clock_box[0])


def check(app, server, mapping) -> dict:
    from dmsu.helpdesk.models import HelpdeskInbox, HelpdeskOutbox
    from dmsu.helpdesk.translate import translate
    from dmsu.tickets.models import Ticket, TicketEvent
    from tests.support.zammad_server import CONNECTOR_USER_ID

    out = {"missing": 0, "twice": 0, "tickets": 0, "events": 0}
    with server.lock:
        state = {tid: (dict(t), list(server.articles[tid]), list(server.histories[tid]))
                 for tid, t in server.tickets.items()}  # fmt: skip
        writes = list(server.writes)
    for ticket, articles, history in state.values():
        record = translate(ticket, articles, history, mapping, CONNECTOR_USER_ID).record
        want = Counter(e.content_key(record.ggus_id) for e in record.events)
        site = Ticket.get(Ticket.ggus_id == record.ggus_id)
        have = Counter(
            k for (k,) in TicketEvent.select(TicketEvent.dedupe_key)
            .where((TicketEvent.ticket == site) & TicketEvent.dedupe_key.is_null(False))
            .tuples()
        )  # fmt: skip
        out["missing"] += sum((want - have).values())
        out["twice"] += sum((have - want).values())
        out["tickets"] += 1
        out["events"] += sum(want.values())
    rows = list(HelpdeskOutbox.select().order_by(HelpdeskOutbox.id))
    out["rows"] = len(rows)
    out["row_states"] = dict(Counter(r.state for r in rows))
    out["attempts"] = dict(Counter(r.attempts for r in rows))
    received: dict[int, list[str]] = {}
    for method, path, body in writes:
        ticket_id = int(path.rsplit("/", 1)[1]) if path.startswith("/api/v1/tickets/") else (
            int((body or {}).get("ticket_id") or (body or {}).get("o_id") or 0))  # fmt: skip
        received.setdefault(ticket_id, []).append(json.dumps([method, path, body], sort_keys=True))
    expected: dict[int, list[str]] = {}
    for r in rows:
        if r.state == "sent":
            expected.setdefault(r.zammad_id, []).append(
                json.dumps([r.method, r.path, json.loads(r.body)], sort_keys=True)
            )
    out["duplicates"] = out["lost"] = out["out_of_order"] = 0
    for ticket_id in set(received) | set(expected):
        got, want = received.get(ticket_id, []), expected.get(ticket_id, [])
        out["duplicates"] += sum((Counter(got) - Counter(want)).values())
        out["lost"] += sum((Counter(want) - Counter(got)).values())
        out["out_of_order"] += int(got != want and Counter(got) == Counter(want))
    out["lost"] += sum(1 for r in rows if r.state != "sent")
    out["received"] = len(writes)
    out["inbox"] = dict(Counter(r.state for r in HelpdeskInbox.select()))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--tickets", type=int, default=30)
    parser.add_argument("--staff", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fault-rate", type=float, default=0.25)
    parser.add_argument("--pg", default="")
    args = parser.parse_args(argv)

    from dmsu import create_app
    from dmsu.content import load_all
    from dmsu.core import schema
    from dmsu.core.db import database
    from dmsu.demo import create_users
    from dmsu.helpdesk import mapping as mapping_module
    from dmsu.helpdesk.models import HelpdeskInbox, HelpdeskOutbox
    from dmsu.tickets.units import SupportUnit
    from tests.support.zammad_server import TOKEN, ZammadServer

    server = ZammadServer()
    server.slow_for = 0.8
    fill(server, args.tickets)
    run = Run()
    with tempfile.TemporaryDirectory() as scratch:
        config = {
            "DATABASE_URL": args.pg or f"sqlite:///{scratch}/faults.sqlite3",
            "SECRET_KEY": "faults-helpdesk",
            "DMSU_ZAMMAD_URL": server.url,
            "DMSU_ZAMMAD_TOKEN": TOKEN,
            "DMSU_ZAMMAD_TIMEOUT": 0.5,
            "DMSU_ZAMMAD_PER_PAGE": 5,
            "DMSU_ZAMMAD_CONCURRENCY": 2,
            "DMSU_ZAMMAD_WEBHOOK_SECRET": SECRET,
        }
        app = create_app(config, instance_path=scratch)
        with app.app_context():
            database.connect(reuse_if_open=True)
            if args.pg:
                database.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            schema.migrate()
            load_all()
            demo = create_users()
            users = {u.role: u for u in demo.values()}
            for name in THIRD_LINE:
                SupportUnit.get_or_create(name=name, defaults={"kind": "third_line",
                                                               "sla_level": "level1"})  # fmt: skip
            mapping = mapping_module.load(app.config)
            clock_box = [datetime.now(UTC)]
            log(job_round(app, run, clock_box[0])["poll"])  # the tickets, before the faults

            server.schedule = FaultPlan(args.seed, args.fault_rate)
            stop = threading.Event()
            threads = [threading.Thread(target=staff, args=(app, run, users, args.seed + n, stop))
                       for n in range(args.staff)]  # fmt: skip
            threads.append(threading.Thread(target=helpdesk_agent,
                                            args=(app, server, run, args.seed + 100, stop)))  # fmt: skip
            threads.append(threading.Thread(target=jobs, args=(app, run, stop, clock_box)))
            log(f"faults on for {args.seconds:g} s ({args.staff} staff, rate {args.fault_rate})")
            for t in threads:
                t.start()
            time.sleep(args.seconds)
            stop.set()
            for t in threads:
                t.join()
            faults = dict(server.faults_done)
            log(f"faults: {faults}")

            server.schedule = None  # healed
            waiting_rows = HelpdeskOutbox.select().where(HelpdeskOutbox.state == "queued").count()
            waiting_ids = HelpdeskInbox.select().where(HelpdeskInbox.state == "queued").count()
            healed = time.perf_counter()
            rounds = 0
            while True:
                clock_box[0] += timedelta(hours=2)
                said = job_round(app, run, clock_box[0])
                rounds += 1
                waiting = (
                    HelpdeskOutbox.select().where(HelpdeskOutbox.state.in_(("queued", "sending")))
                    .exists()
                    or HelpdeskInbox.select().where(HelpdeskInbox.state == "queued").exists()
                )  # fmt: skip
                if (not waiting and " 0 events" in said.get("poll", "")) or rounds > 50:
                    break
            drain_seconds = time.perf_counter() - healed
            result = check(app, server, mapping)
            database.close()
    server.stop()

    no_errors = not run.unhandled and not any(status >= 500 for status in run.webhooks)
    ok = {
        "every ticket's events equal the helpdesk's (none missing)": result["missing"] == 0,
        "no event recorded twice": result["twice"] == 0,
        "every outbox row sent; the helpdesk received each (none lost)": result["lost"] == 0,
        "none received twice": result["duplicates"] == 0,
        "in order per ticket": result["out_of_order"] == 0,
        "no 500, no unhandled exception": no_errors,
        "the cursor never ahead of what was recorded": run.cursor_ahead == 0,
        "the webhook queue drained after healing": "queued" not in result["inbox"],
    }
    print(f"\nMachine: {platform.node()} , Python {platform.python_version()}, "
          f"{'PostgreSQL' if args.pg else 'SQLite'}, seed {args.seed}, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")  # fmt: skip
    print(f"faults injected by kind: {faults} (all: {sum(faults.values())})")
    print(f"steps taken: {dict(run.steps)} (all: {sum(run.steps.values())}); "
          f"refused by the workflow: {sum(run.refused.values())}")  # fmt: skip
    print(f"helpdesk side: {run.agent_articles} articles, webhooks {dict(run.webhooks)}, "
          f"webhook queue after: {result['inbox']}")  # fmt: skip
    print(f"job runs: {dict(run.jobs)}; when healed {waiting_rows} rows and {waiting_ids} "
          f"webhook ids waited; drained in {rounds} rounds, {drain_seconds:.2f} s")  # fmt: skip
    print(f"outbox: {result['rows']} rows {result['row_states']}, attempts {result['attempts']}; "
          f"the helpdesk received {result['received']} writes; duplicates {result['duplicates']}, "
          f"lost {result['lost']}, out of order {result['out_of_order']}")  # fmt: skip
    print(f"events: {result['events']} from the helpdesk on {result['tickets']} tickets; "
          f"missing {result['missing']}, twice {result['twice']}; cursor ahead "
          f"{run.cursor_ahead} times")  # fmt: skip
    print("job sentences during the faults:")
    for sentence, count in run.job_errors.most_common():
        print(f"  {count:5d}  {sentence}")
    for problem in run.unhandled[:10]:
        print("UNHANDLED:", problem)
    for name, passed in ok.items():
        print(f"{'ok  ' if passed else 'FAIL'} {name}")
    return 0 if all(ok.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
