"""Time the ticket API on a database of demo tickets, in process (Flask's test client, so no
network and no WSGI server: what is measured is the app's own work per request).

    .venv/bin/python bench/api_bench.py --tickets 10000 [--pg postgresql://root@127.0.0.1/db]

Steps: make the demo file (bench/import_bench.make_file), ``dmsu init``, the demo users and
``import-tickets`` as ``flask`` processes; then in this process, for each measurement, the
median and 90th percentile of ``--repeat`` requests: a page of the list (50 and 200 rows, no
filter and filtered), the same page revalidated with its ETag (304), and single tickets
(their SLA clocks, ETAs, history and links) picked at random. Prints one line each; the
results go into bench/RESULTS-api.md by hand.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_bench import FLASK, USERS, empty_postgres, make_file  # noqa: E402


def prepare(url: str, path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "DMSU_ARGON2_TIME_COST": "1"}
    empty_postgres(url)
    for args in ([*FLASK, "init"], [str(ROOT / ".venv/bin/python"), "-c", USERS],
                 [*FLASK, "import-tickets", str(path)]):  # fmt: skip
        subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True)


def timed(client, url: str, headers: dict, repeat: int, status: int = 200) -> str:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == status, (url, response.status_code, response.data[:200])
    samples.sort()
    p90 = samples[int(len(samples) * 0.9) - 1]
    return f"median {statistics.median(samples):.1f} ms, p90 {p90:.1f} ms"


def measure(name: str, url: str, scratch: str, repeat: int, seed: int) -> None:
    from dmsu import create_app
    from dmsu.api.tokens import create_token
    from dmsu.auth.models import User
    from dmsu.tickets.models import Ticket

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, instance_path=scratch)
    with app.app_context():
        admin = User.select().where(User.role == "admin").first()
        _, secret = create_token(admin, "bench")
        ggus_ids = [t.ggus_id for t in Ticket.select(Ticket.ggus_id)]
        unit = Ticket.select().where(Ticket.support_unit.is_null(False)).first().support_unit.name
    headers = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()
    rng = random.Random(seed)
    lists = [
        "/api/v1/tickets",
        "/api/v1/tickets?per_page=200",
        f"/api/v1/tickets?state=open&unit={unit}&per_page=200",
        "/api/v1/tickets?updated_since=2013-03-01T00:00:00Z&sort=updated&order=asc&page=3",
    ]
    for path in lists:
        print(f"{name} GET {path}: {timed(client, path, headers, repeat)}", flush=True)
        etag = client.get(path, headers=headers).headers["ETag"]
        again = timed(client, path, {**headers, "If-None-Match": etag}, repeat, 304)
        print(f"{name}   the same, If-None-Match (304): {again}", flush=True)
    samples = []
    for ggus_id in rng.sample(ggus_ids, min(repeat, len(ggus_ids))):
        started = time.perf_counter()
        assert client.get(f"/api/v1/tickets/{ggus_id}", headers=headers).status_code == 200
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    print(
        f"{name} GET /api/v1/tickets/<random id>: median {statistics.median(samples):.1f} ms, "
        f"p90 {samples[int(len(samples) * 0.9) - 1]:.1f} ms",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--pg", default="", help="a PostgreSQL URL (its schema is dropped!)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "tickets.jsonl"
        events = make_file(path, args.tickets, args.seed)
        print(f"file: {args.tickets} tickets, {events} events; load {os.getloadavg()[0]:.1f}")
        targets = [("SQLite", f"sqlite:///{scratch}/bench.sqlite3")]
        if args.pg:
            targets.append(("PostgreSQL", args.pg))
        for name, url in targets:
            prepare(url, path)
            measure(name, url, scratch, args.repeat, args.seed)


if __name__ == "__main__":
    main()
