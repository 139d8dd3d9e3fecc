"""Scale check of the metrics: bulk-insert a synthetic project year of tickets and events into
a scratch database, then time the metrics of the year (cold, then cached).

    .venv/bin/python bench/metrics_scale.py --database sqlite:////tmp/metrics.sqlite3
    .venv/bin/python bench/metrics_scale.py --database postgresql://root@127.0.0.1/dmsu_mt_bench

The database is filled only when it has no tickets (so repeated runs reuse it). The events
follow seed 001's shape: everything reaches DMSU through TPM, about 28% solved in DMSU, about
65% sent to a 3rd-line unit (most with an ETA, many fixed through UMD release), about 5% sent
back to TPM, plus comments. Not part of the test suite: no timed assertions anywhere.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dmsu import create_app  # noqa: E402
from dmsu.core import schema
from dmsu.core.db import database  # noqa: E402
from dmsu.tickets.units import SupportUnit, ensure_built_in_units  # noqa: E402

START = datetime(2012, 5, 1, tzinfo=UTC)
PRODUCTS = [f"Product team {i:02d}" for i in range(30)]


def _ts(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def synthetic_events(ticket_id: int, rng: random.Random, units: dict) -> list[tuple]:
    """(ticket_id, at, kind, support_unit_id, status, due) rows for one ticket."""
    t = START + timedelta(seconds=rng.randrange(365 * 86400))
    rows = [(ticket_id, t, "assigned", units["TPM"], None, None)]
    t += timedelta(hours=rng.uniform(0.1, 30))
    rows.append((ticket_id, t, "assigned", units["DMSU"], None, None))
    for _ in range(rng.randrange(1, 4)):
        rows.append(
            (ticket_id, t + timedelta(hours=rng.uniform(1, 200)), "comment", None, None, None)
        )
    fate = rng.random()
    if fate < 0.28:
        rows.append(
            (ticket_id, t + timedelta(days=rng.expovariate(1 / 12)), "status", None, "solved", None)
        )
    elif fate < 0.33:
        rows.append(
            (
                ticket_id,
                t + timedelta(hours=rng.uniform(0.5, 72)),
                "assigned",
                units["TPM"],
                None,
                None,
            )
        )
    elif fate < 0.98:
        t += timedelta(hours=rng.expovariate(1 / 40))
        third = units[rng.choice(PRODUCTS)]
        rows.append((ticket_id, t, "assigned", third, None, None))
        if rng.random() < 0.7:
            due = (t + timedelta(days=rng.randrange(7, 90))).date()
            rows.append((ticket_id, t + timedelta(days=2), "eta", None, None, due))
            if rng.random() < 0.3:
                due += timedelta(days=rng.randrange(7, 60))
                rows.append((ticket_id, t + timedelta(days=20), "eta", None, None, due))
            fix = datetime.combine(due, datetime.min.time(), UTC) + timedelta(
                days=rng.randrange(-20, 45)
            )
            if fix > t + timedelta(days=3):
                if rng.random() < 0.6:
                    rows.append((ticket_id, fix, "assigned", units["UMD release"], None, None))
                else:
                    rows.append((ticket_id, fix, "status", None, "solved", None))
    return rows


def fill(n_tickets: int, seed: int = 2012) -> None:
    rng = random.Random(seed)
    for name in PRODUCTS:
        SupportUnit.get_or_create(name=name, defaults={"kind": "third_line", "sla_level": "level2"})
    units = {u.name: u.id for u in SupportUnit.select()}
    ticket_sql = (
        "INSERT INTO ticket (id, ggus_id, subject, description, description_html, submitter,"
        " submitter_email, priority, status, broad_impact, impact, workaround, postponed,"
        " lack_of_expertise, fixed_version, created_at, updated_at)"
        " VALUES ({})".format(
            ", ".join(["%s" if "postgres" in type(database.obj).__name__.lower() else "?"] * 17)
        )
    )
    mark = "%s" if "postgres" in type(database.obj).__name__.lower() else "?"
    event_sql = (
        "INSERT INTO ticket_event (ticket_id, at, kind, actor_role, support_unit_id, status,"
        f" public, text, html, due, data, recorded_at) VALUES ({', '.join([mark] * 12)})"
    )
    ticket_sql = ticket_sql.replace("?", mark)
    batch_t, batch_e = [], []
    began = time.perf_counter()
    for i in range(1, n_tickets + 1):
        events = synthetic_events(i, rng, units)
        created = events[0][1]
        batch_t.append(
            (
                i,
                100000 + i,
                f"Ticket {i}",
                "",
                "",
                "",
                "",
                "less urgent",
                "assigned",
                False,
                "",
                "",
                False,
                False,
                "",
                _ts(created),
                _ts(created),
            )
        )
        rng.shuffle(events)  # events arrive in any order; the metrics order them by time
        for ticket_id, at, kind, unit, status, due in events:
            batch_e.append(
                (ticket_id, _ts(at), kind, "system", unit, status, True, "", "", due, "", _ts(at))
            )
        if i % 5000 == 0 or i == n_tickets:
            with database.atomic():
                database.cursor().executemany(ticket_sql, batch_t)
                database.cursor().executemany(event_sql, batch_e)
            batch_t, batch_e = [], []
            print(f"  {i} tickets ({time.perf_counter() - began:.1f} s)", flush=True)
    # raw inserts bypass the writers that keep the derived columns in step: fill them now
    from dmsu.tickets.projection.store import refresh_all

    with database.atomic():
        refresh_all()
    if "postgres" in type(database.obj).__name__.lower():
        database.execute_sql("SELECT setval('ticket_id_seq', (SELECT MAX(id) FROM ticket))")
        database.execute_sql("ANALYZE")
    else:
        database.execute_sql("ANALYZE")


def timed(label: str, func, repeat: int = 3) -> None:
    times, cpu = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        func()
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    print(
        f"{label:45s} wall best {min(times) * 1000:7.1f} ms, worst {max(times) * 1000:7.1f} ms;"
        f" CPU of this process best {min(cpu) * 1000:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--tickets", type=int, default=100_000)
    args = parser.parse_args()
    app = create_app({"DATABASE_URL": args.database, "SECRET_KEY": "bench"})
    with app.app_context():
        database.connect(reuse_if_open=True)
        schema.migrate()
        ensure_built_in_units()
        count = database.execute_sql("SELECT COUNT(*) FROM ticket").fetchone()[0]
        if count == 0:
            print(f"Filling {args.database} with {args.tickets} tickets...")
            fill(args.tickets)
        events = database.execute_sql("SELECT COUNT(*) FROM ticket_event").fetchone()[0]
        count = database.execute_sql("SELECT COUNT(*) FROM ticket").fetchone()[0]
        print(f"{count} tickets, {events} events")

        from dmsu.metrics import cache, page
        from dmsu.metrics.periods import parse_period
        from dmsu.metrics.report import period_metrics

        year = parse_period("PY3")

        def cold(func):
            def run():
                cache.clear()
                func()

            return run

        timed(
            "PY3 by quarter (CLI numbers), cold",
            cold(lambda: period_metrics(year, "quarter", date(2010, 5, 1))),
        )
        timed("PY3 by week, cold", cold(lambda: period_metrics(year, "week", date(2010, 5, 1))))
        timed(
            "PY3 metrics page (every table), cold",
            cold(lambda: page.page_tables(year, app.config, START + timedelta(days=400))),
        )
        timed(
            "PY3 metrics page, cached",
            lambda: page.page_tables(year, app.config, START + timedelta(days=400)),
        )
        print(period_metrics(year, "none", date(2010, 5, 1))["total"])


if __name__ == "__main__":
    main()
