"""Time ``flask dmsu import-tickets`` on a large file made by the demo generator.

    .venv/bin/python bench/import_bench.py --tickets 100000 \
        [--pg postgresql://root@127.0.0.1:5432/dmsu_tc_bench]

Steps: make the file (the demo's ticket generator, without writing); then for SQLite (and
PostgreSQL when ``--pg`` is given; its public schema is dropped and recreated) run
``dmsu init``, create the demo users, and time, each as its own ``flask`` process:
the import into the empty database, the same import again (everything unchanged), and
``export-tickets``. Prints one line per measurement; results go into bench/RESULTS-import.md
by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
END = datetime(2013, 5, 1, tzinfo=UTC)
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", "dmsu"]
USERS = (
    "from dmsu import create_app\n"
    "from dmsu.demo import create_users\n"
    "app = create_app()\n"
    "with app.app_context():\n"
    "    create_users()\n"
)


def make_file(path: Path, n: int, seed: int, per_ticket: int = 0) -> int:
    """Write ``n`` demo tickets in the import format; return the number of events.
    ``per_ticket`` keeps only the first events of each ticket (the contract's benchmark size is
    about 5 events a ticket; the demo's stories have about 9)."""
    from dmsu import create_app
    from dmsu.content import load_all
    from dmsu.core import schema
    from dmsu.core.db import database
    from dmsu.demo import DemoContext, create_users
    from dmsu.tickets.demo import _creation_times, _Generator

    with tempfile.TemporaryDirectory() as scratch:
        app = create_app(
            {"DATABASE_URL": f"sqlite:///{scratch}/gen.sqlite3", "SECRET_KEY": "bench"},
            instance_path=scratch,
        )
        with app.app_context():
            database.connect(reuse_if_open=True)
            schema.migrate()
            load_all()
            ctx = DemoContext(n_tickets=n, rng=random.Random(seed), end=END, echo=print)
            ctx.users = create_users()
            generator = _Generator(ctx)
            events = 0
            ggus_id = 80000
            with path.open("w", encoding="utf-8") as handle:
                for created in _creation_times(ctx, n):
                    ggus_id += generator.rng.randint(1, 9)
                    record = generator.record(ggus_id, created)
                    if per_ticket:
                        record["events"] = record["events"][:per_ticket]
                    events += len(record["events"])
                    handle.write(json.dumps(record) + "\n")
            database.close()
    return events


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(label: str, args: list[str], env: dict) -> float:
    """Run one command; print its wall time and its own CPU time (the machine is shared, so
    the CPU time says what the import costs when the other users are busy)."""
    started, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"{label} failed:\n{done.stdout}\n{done.stderr}")
    last = (done.stdout.strip().splitlines() or [""])[0]
    load = os.getloadavg()[0]
    print(f"{label}: {seconds:.1f} s wall, {cpu:.1f} s CPU, load {load:.1f}  ({last})", flush=True)
    return seconds


def empty_postgres(url: str) -> None:
    """Drop and make again the public schema of a PostgreSQL URL (nothing for SQLite)."""
    if url.startswith("postgresql"):
        import psycopg2

        connection = psycopg2.connect(url)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
        connection.close()


def bench(name: str, url: str, path: Path, scratch: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "DMSU_ARGON2_TIME_COST": "1"}
    empty_postgres(url)
    subprocess.run([*FLASK, "init"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([str(ROOT / ".venv/bin/python"), "-c", USERS], cwd=ROOT, env=env, check=True)
    run(f"{name} import (empty database)", [*FLASK, "import-tickets", str(path)], env)
    run(f"{name} import again (unchanged)", [*FLASK, "import-tickets", str(path)], env)
    out = Path(scratch) / f"export-{name}.jsonl"
    run(f"{name} export", [*FLASK, "export-tickets", "--output", str(out)], env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--pg", default="", help="a PostgreSQL URL (its schema is dropped!)")
    parser.add_argument("--only-pg", action="store_true")
    parser.add_argument("--events-per-ticket", type=int, default=0, help="trim the stories")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "tickets.jsonl"
        started = time.perf_counter()
        events = make_file(path, args.tickets, args.seed, args.events_per_ticket)
        size = path.stat().st_size / 1e6
        print(
            f"file: {args.tickets} tickets, {events} events, {size:.0f} MB, "
            f"made in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        if not args.only_pg:
            bench("SQLite", f"sqlite:///{scratch}/bench.sqlite3", path, scratch)
        if args.pg:
            bench("PostgreSQL", args.pg, path, scratch)


if __name__ == "__main__":
    main()
