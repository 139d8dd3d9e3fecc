"""The search benchmark (issue 19): the one index against the LIKE search it replaces, at
100,000 tickets with their full diaries, on SQLite and PostgreSQL side by side in one run.

    .venv/bin/python bench/search_bench.py --tickets 100000 \
        --pg postgresql://root@127.0.0.1:5432/dmsu_search_bench [--databases postgres]

For each database (PostgreSQL's public schema is dropped and made again): ``migrate``, the
cheat sheet and wiki content, the demo users, then the demo generator's tickets imported in
this process, with the time spent writing search documents measured apart (the index upkeep).
Then the import's writes are made durable (PostgreSQL ``CHECKPOINT``, SQLite's WAL
checkpoint) and its garbage collected, and on the same queries, drawn from what supporters type
(error lines, component names, GGUS numbers, two-word and five-word queries): the LIKE baseline
(the ticket list's ``_search``, count and first page), all queries once to warm up and then
timed, then the search page's query (:func:`dmsu.search.finding.search`, hits, per-area counts
and outcomes) likewise in passes of its own (``--interleaved`` also times the fourth run's way
first, each index search right after its LIKE search, before the checkpoint); and the similar-
tickets lookup (:func:`dmsu.search.similar.seen_before`) for tickets picked at random.
Finally the precision of "seen before?" on the demo data (``flask dmsu demo``'s 700 tickets).
Prints Markdown; results go into bench/RESULTS-search.md by hand.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_bench import empty_postgres, make_file  # noqa: E402

END = datetime(2013, 5, 1, tzinfo=UTC)
ERROR_LINES = (
    "returns an authorization error for valid proxies",
    "logs a null pointer exception at startup",
    "rejects jobs with an internal error",
    "memory grows until the service is killed",
    "Connection refused",
    "certificate setup rejected after reconfiguration",
    "times out on every request since the last update",
    "stops publishing after a restart",
)
WORDS = ("proxy", "timeout", "restart", "certificate", "upgrade", "firewall", "accounting",
         "log", "YAIM", "IPv6", "disk", "memory", "crash", "publishing", "configuration")  # fmt: skip


def percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(round(0.99 * (len(values) - 1))))]
    return statistics.median(values), p99


def make_queries(rng: random.Random, components: list[str], ggus_ids: list[int], n: int):
    kinds = {
        "error line": lambda: rng.choice(ERROR_LINES),
        "component": lambda: rng.choice(components),
        "GGUS number": lambda: str(rng.choice(ggus_ids)),
        "two words": lambda: " ".join(rng.sample(WORDS, 2)),
        "five words": lambda: " ".join(rng.sample(WORDS, 5)),
    }
    return [(kind, make()) for _ in range(n // len(kinds)) for kind, make in kinds.items()]


def timed(function, *args, **kwargs) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def settle(database, postgres: bool) -> float:
    """Make the import's writes durable before anything is timed, as they long are on a site
    that serves searches; returns the seconds it took. On PostgreSQL its ~500 MB of dirty
    pages otherwise go out in the spread checkpoint the import's WAL started (in the fourth
    run's second run 19:18:39–19:23:28, 19 s of it fsync, exactly while its searches were
    timed); on SQLite the WAL is folded into the database. Then the import's Python garbage
    is collected, so no collection of it lands in a timed search."""
    started = time.perf_counter()
    database.execute_sql("CHECKPOINT" if postgres else "PRAGMA wal_checkpoint(TRUNCATE)")
    gc.collect()
    return time.perf_counter() - started


def timing_passes(workload, like, indexed, settled, interleaved: bool) -> dict:
    """Each query's LIKE search and index search timed, each kind in a pass of its own right
    after a warm-up pass of its own, once ``settled()`` has run: an index search timed right
    after a LIKE search (a sequential scan of the ticket table) competes with what that scan
    left, which a site does not do between two searches. ``interleaved``: first the fourth
    run's way, before ``settled()`` as it ran (both warmed up together, then each query's
    LIKE search and at once its index search), to compare the two methods in one run."""
    times: dict = {"passes": []}

    def clocked(name: str) -> None:  # wall-clock times, to set beside the server's log
        times["passes"].append(f"{name} {datetime.now(UTC):%H:%M:%S}")

    if interleaved:
        clocked("interleaved warm-up")
        for _, text in workload:
            like(text)
            indexed(text)
        clocked("interleaved timing")
        times["interleaved like"], times["interleaved index"] = [], []
        for _, text in workload:
            times["interleaved like"].append(timed(like, text))
            times["interleaved index"].append(timed(indexed, text))
    clocked("settling")
    times["settle"] = settled()
    for search in (like, indexed):
        name = "like" if search is like else "index"
        clocked(f"{name} warm-up")
        for _, text in workload:
            search(text)
        clocked(f"{name} timing")
        times[name] = [timed(search, t) for _, t in workload]
    clocked("done")
    return times


def by_kind(workload, index_times: list[float]) -> dict[str, tuple[float, float]]:
    kinds: dict[str, list[float]] = {}
    for (kind, _), spent in zip(workload, index_times, strict=True):
        kinds.setdefault(kind, []).append(spent)
    return {kind: percentiles(values) for kind, values in kinds.items()}


def bench_database(name: str, url: str, path: Path, scratch: str, args) -> dict:
    from flask import Flask
    from peewee import fn

    from dmsu import create_app
    from dmsu.content import load_all
    from dmsu.core import schema
    from dmsu.core.db import database, is_postgres
    from dmsu.demo import create_users
    from dmsu.search import finding, similar
    from dmsu.tickets import search_documents
    from dmsu.tickets.exchange.import_file import import_lines
    from dmsu.tickets.models import Ticket
    from dmsu.tickets.pages import queries

    empty_postgres(url)
    app: Flask = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, instance_path=scratch)
    result = {"name": name}
    with app.app_context():
        database.connect(reuse_if_open=True)
        schema.migrate()
        load_all()
        users = create_users()
        upkeep = {"seconds": 0.0}
        reindex = search_documents.reindex

        def measured(*args, **kwargs):  # the new tickets' documents are made in here too
            started = time.perf_counter()
            try:
                return reindex(*args, **kwargs)
            finally:
                upkeep["seconds"] += time.perf_counter() - started

        search_documents.reindex = measured
        started = time.perf_counter()
        with path.open(encoding="utf-8") as lines:
            import_lines(lines)
        total = time.perf_counter() - started
        search_documents.reindex = reindex
        result["import"] = total
        result["upkeep"] = upkeep["seconds"]
        result["events"] = database.execute_sql("SELECT count(*) FROM ticket_event").fetchone()[0]
        print(f"{name}: import {total:.1f} s, of which search documents {upkeep['seconds']:.1f} s "
              f"({upkeep['seconds'] / (total - upkeep['seconds']) * 100:.1f} % on top), "
              f"{result['events']} events", flush=True)  # fmt: skip
        rng = random.Random(args.seed)
        ggus_ids = [g for (g,) in Ticket.select(Ticket.ggus_id).tuples()]
        components = [
            c for (c,) in database.execute_sql("SELECT name FROM component ORDER BY name")
        ]
        workload = make_queries(rng, components, ggus_ids, args.queries)
        staff = users["tina"] if "tina" in users else next(iter(users.values()))

        def like(text):
            query = queries._search(Ticket.select(), text)
            query.select(fn.COUNT(Ticket.id)).scalar()
            list(query.order_by(Ticket.updated_at.desc()).limit(50).tuples())

        def indexed(text):
            finding.search(text, staff)

        with app.test_request_context():
            times = timing_passes(
                workload, like, indexed, lambda: settle(database, is_postgres()), args.interleaved
            )
            picked = rng.sample(ggus_ids, min(args.similar, len(ggus_ids)))
            tickets = list(
                Ticket.select(Ticket.ggus_id, Ticket.subject, Ticket.description).where(
                    Ticket.ggus_id.in_(picked)
                )
            )
            similar_times = [
                timed(
                    similar.seen_before,
                    t.subject,
                    t.description,
                    staff,
                    exclude=("tickets", str(t.ggus_id)),
                )
                for t in tickets
            ]
        result["settle"] = times["settle"]
        print(f"{name}: the import made durable in {times['settle']:.1f} s; passes (UTC): "
              f"{', '.join(times['passes'])}", flush=True)  # fmt: skip
        result["like"] = percentiles(times["like"])
        result["index"] = percentiles(times["index"])
        result["kinds"] = by_kind(workload, times["index"])
        if args.interleaved:
            result["interleaved"] = {
                "like": percentiles(times["interleaved like"]),
                "index": percentiles(times["interleaved index"]),
                "kinds": by_kind(workload, times["interleaved index"]),
            }
        result["similar"] = percentiles(similar_times)
        result["speedup"] = [
            like_ms / max(index_ms, 1e-6)
            for like_ms, index_ms in zip(times["like"], times["index"], strict=True)
        ]
        database.close()
    return result


def precision(scratch: str) -> str:
    """How often "seen before?" of a demo ticket with a solution digest shows that digest in
    its top 5, and how often a solved ticket's top 5 holds a ticket closed with the same
    solution note (the demo's solved tickets share a few notes)."""
    from dmsu import create_app
    from dmsu.content import load_all
    from dmsu.core import schema
    from dmsu.core.db import database
    from dmsu.demo import load
    from dmsu.search import similar
    from dmsu.tickets.models import Ticket, TicketEvent
    from dmsu.wiki.models import Page

    url = f"sqlite:///{scratch}/demo.sqlite3"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, instance_path=scratch)
    with app.app_context(), app.test_request_context():
        database.connect(reuse_if_open=True)
        schema.migrate()
        load_all()
        load(700, echo=lambda *_: None)
        from dmsu.auth.models import User

        staff = User.get(User.role == "assigner")
        digests = {p.ticket_id: p.slug for p in Page.select().where(Page.ticket.is_null(False))}
        notes = {}
        for event in TicketEvent.select().where(
            TicketEvent.kind == "status", TicketEvent.status == "solved", TicketEvent.text != ""
        ):
            notes[event.ticket_id] = event.text
        by_ggus = {t.ggus_id: t for t in Ticket.select()}
        note_of_ggus = {t.ggus_id: notes.get(t.id) for t in by_ggus.values()}
        found_digest = total_digest = found_same = total_same = 0
        for ticket in by_ggus.values():
            if ticket.id not in digests and ticket.id not in notes:
                continue
            seen = similar.seen_before(
                ticket.subject, ticket.description, staff, exclude=("tickets", str(ticket.ggus_id))
            )
            keys = [(r.area, r.key) for r in seen.results]
            if ticket.id in digests:
                total_digest += 1
                found_digest += ("wiki", digests[ticket.id]) in keys
            if ticket.id in notes:
                total_same += 1
                found_same += any(
                    area == "tickets" and note_of_ggus.get(int(key)) == notes[ticket.id]
                    for area, key in keys
                )
        database.close()
    return (
        f"- own solution digest in the top 5: {found_digest} of {total_digest} tickets "
        f"({found_digest / max(total_digest, 1) * 100:.0f} %)\n"
        f"- a ticket solved with the same note in the top 5: {found_same} of {total_same} solved "
        f"tickets ({found_same / max(total_same, 1) * 100:.0f} %)"
    )


def report(results: list[dict]) -> str:
    lines = [
        "| database | LIKE p50 / p99 | index p50 / p99 | speed-up p50 (per query) | similar p50 / p99 | import | index upkeep |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]  # fmt: skip
    for r in results:
        upkeep = r["upkeep"] / (r["import"] - r["upkeep"]) * 100
        lines.append(
            f"| {r['name']} | {r['like'][0]:.1f} / {r['like'][1]:.1f} ms | "
            f"{r['index'][0]:.1f} / {r['index'][1]:.1f} ms | "
            f"{statistics.median(r['speedup']):.0f}× (min {min(r['speedup']):.1f}×) | "
            f"{r['similar'][0]:.1f} / {r['similar'][1]:.1f} ms | {r['import']:.0f} s | "
            f"{r['upkeep']:.0f} s (+{upkeep:.0f} %) |"
        )
    lines.append("")
    lines.append("| database | query kind | index p50 / p99 |")
    lines.append("| --- | --- | --- |")
    for r in results:
        for kind, (p50, p99) in r["kinds"].items():
            lines.append(f"| {r['name']} | {kind} | {p50:.1f} / {p99:.1f} ms |")
    compared = [r for r in results if "interleaved" in r]
    if compared:
        lines += [
            "",
            "The same queries timed the fourth run's way (interleaved) in the same run:",
            "",
            "| database | query kind | interleaved p50 / p99 | separate passes p50 / p99 |",
            "| --- | --- | --- | --- |",
        ]
    for r in compared:
        old = r["interleaved"]
        rows = [("all (LIKE)", old["like"], r["like"]), ("all", old["index"], r["index"])]
        rows += [(kind, old["kinds"][kind], r["kinds"][kind]) for kind in r["kinds"]]
        for kind, (a50, a99), (b50, b99) in rows:
            lines.append(
                f"| {r['name']} | {kind} | {a50:.1f} / {a99:.1f} ms | {b50:.1f} / {b99:.1f} ms |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--similar", type=int, default=200)
    parser.add_argument("--pg", default="", help="a PostgreSQL URL (its schema is dropped!)")
    parser.add_argument("--no-precision", action="store_true")
    parser.add_argument("--keep", default="", help="a folder to keep the SQLite database in")
    parser.add_argument(
        "--databases",
        default="sqlite,postgres",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        help="which to run, of sqlite,postgres (postgres needs --pg)",
    )
    parser.add_argument(
        "--interleaved",
        action="store_true",
        help="also time the fourth run's way (each index search right after its LIKE search)",
    )
    args = parser.parse_args()
    unknown = set(args.databases) - {"sqlite", "postgres"}
    if unknown or not args.databases:
        parser.error(f"--databases: sqlite, postgres or both, not {', '.join(unknown) or '-'}")
    if "postgres" in args.databases and not args.pg:
        parser.error("--databases postgres needs --pg URL")
    os.environ.setdefault("DMSU_ARGON2_TIME_COST", "1")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "tickets.jsonl"
        started = time.perf_counter()
        events = make_file(path, args.tickets, args.seed)
        print(f"file: {args.tickets} tickets, {events} events, "
              f"made in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        kept = Path(args.keep or scratch) / "bench.sqlite3"  # --keep: for EXPLAIN after
        kept.unlink(missing_ok=True)
        results = []
        if "sqlite" in args.databases:
            results.append(bench_database("SQLite", f"sqlite:///{kept}", path, scratch, args))
        if "postgres" in args.databases:
            results.append(bench_database("PostgreSQL", args.pg, path, scratch, args))
        print(report(results), flush=True)
        if not args.no_precision:
            print(precision(scratch), flush=True)


if __name__ == "__main__":
    main()
