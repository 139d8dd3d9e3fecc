"""Time the repository scan on a repository of 20,000 packages, and count the version-order
vectors that pass.

    .venv/bin/python bench/repositories_bench.py --packages 20000 \
        [--pg postgresql://root@127.0.0.1:5432/test_repos]

The repository is a synthetic yum repository (``dmsu.repositories.repo_writer``: a gzip
primary.xml of ``--packages`` packages and its repomd.xml; building 20,000 real RPMs is not
what is measured), served over HTTP on loopback. Measured, best of ``--runs``:

- reading it: repomd.xml, the primary fetched, its checksum checked, decompressed, parsed;
- the first scan into an empty database (every package new: 20,000 rows of what was seen,
  500 components claiming one package each, releases recorded, 100 tickets closed);
- a second scan of the unchanged repository (records nothing).

Then the rpmvercmp vectors (rpm's tests/rpmvercmp.at) and the dpkg vectors of the tests are
run and counted. Results go into bench/RESULTS-repositories.md by hand.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
COMPONENTS = 500
TICKETS = 100


def packages(n: int):
    from dmsu.repositories.packages import PackageVersion

    return [
        PackageVersion(f"pkg-{i:05d}", 0, f"{1 + i % 7}.{i % 13}.{i % 31}", "1.el9", "x86_64")
        for i in range(n)
    ]


def best(runs: int, func):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def read_bench(url: str, runs: int) -> tuple[float, int]:
    from dmsu.repositories import yum

    seconds, found = best(runs, lambda: yum.read(url))
    return seconds, len(found)


def prepare(database_url: str, scratch: str):
    from dmsu import create_app
    from dmsu.core import schema
    from dmsu.core.db import database, is_postgres
    from dmsu.core.db import make_database as make

    if database_url.startswith("postgresql"):
        database.initialize(make(database_url))
        database.connect(reuse_if_open=True)
        database.execute_sql("DROP SCHEMA IF EXISTS public CASCADE")
        database.execute_sql("CREATE SCHEMA public")
        database.close()
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench"}, instance_path=scratch)
    ctx = app.app_context()
    ctx.push()
    database.connect(reuse_if_open=True)
    schema.migrate()
    from dmsu.tickets.units import ensure_built_in_units

    ensure_built_in_units()
    assert is_postgres() == database_url.startswith("postgresql")
    return app, ctx


def populate(first_versions):
    """500 components claiming a package each; 100 tickets waiting in UMD release."""
    from dmsu.auth import accounts
    from dmsu.cheatsheet.models import Component
    from dmsu.tickets import workflow
    from dmsu.tickets.units import SupportUnit

    unit = SupportUnit.create(name="Product team", kind="third_line")
    tpm = accounts.create_user("tom", "tpm", "tom-bench-password-1")
    assigner = accounts.create_user("alice", "assigner", "alice-bench-password-1")
    for i in range(COMPONENTS):
        Component.create(
            name=f"Component {i}", slug=f"component-{i}", support_unit=unit, packages=f"pkg-{i:05d}"
        )
    for i in range(TICKETS):
        ticket = workflow.create_ticket(
            tpm, ggus_id=1000 + i, subject=f"T{i}", component=f"Component {i}", at=T0
        )
        workflow.route_to_dmsu(ticket, tpm, at=T0 + timedelta(hours=1))
        workflow.reassign_to_third_line(
            ticket, assigner, "Product team", note="defect", at=T0 + timedelta(hours=2)
        )
        workflow.deliver_fix(ticket, assigner, first_versions[i], at=T0 + timedelta(days=1))


def scan_bench(database_url: str, url: str, listed, scratch: str) -> dict:
    from dmsu.core.db import database
    from dmsu.repositories.models import RepositorySource
    from dmsu.repositories.scan import scan_repositories

    app, ctx = prepare(database_url, scratch)
    try:
        populate([p.version for p in listed[:TICKETS]])
        RepositorySource.create(name="UMD 5 release", url=url, kind="yum", channel="release")
        start = time.perf_counter()
        first = scan_repositories(at=T0 + timedelta(days=2))
        first_s = time.perf_counter() - start
        start = time.perf_counter()
        second = scan_repositories(at=T0 + timedelta(days=3))
        second_s = time.perf_counter() - start
        return {
            "first_s": first_s,
            "second_s": second_s,
            "first": (first.packages_seen, first.releases_recorded, first.tickets_closed),
            "second": (second.packages_seen, second.releases_recorded, second.tickets_closed),
        }
    finally:
        database.close()
        ctx.pop()


def vectors() -> tuple[int, int, int, int]:
    from dmsu.tickets.workflow.versions import dpkg_compare, rpm_vercmp

    text = (ROOT / "tests" / "tickets" / "data" / "rpmvercmp.at.txt").read_text()
    found = re.findall(r"RPMVERCMP\(([^,]*), ([^,]*), (-?1|0)\)", text)
    rpm_ok = sum(rpm_vercmp(a, b) == int(e) for a, b, e in found)
    source = (ROOT / "tests" / "tickets" / "test_versions.py").read_text()
    block = source.split("DPKG_VECTORS = [", 1)[1].split("]\n", 1)[0]
    dpkg = re.findall(r'\("([^"]*)", "([^"]*)", (-?1|0)\)', block)
    dpkg_ok = sum(dpkg_compare(a, b) == int(e) for a, b, e in dpkg)
    return rpm_ok, len(found), dpkg_ok, len(dpkg)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default="")
    args = parser.parse_args()

    from dmsu.repositories.repo_writer import write_yum_repository
    from tests.support.repo_builder import RepoServer

    listed = packages(args.packages)
    with tempfile.TemporaryDirectory() as scratch:
        repo = write_yum_repository(Path(scratch) / "served" / "release", listed)
        primary = next((repo / "repodata").glob("*-primary.xml.gz"))
        print(f"repository: {args.packages} packages, primary {primary.stat().st_size} bytes gz")
        with RepoServer(Path(scratch) / "served") as server:
            url = server.url("release/")
            seconds, count = read_bench(url, args.runs)
            print(f"read over HTTP: {count} packages in {seconds:.3f} s")
            seconds, count = read_bench(str(repo), args.runs)
            print(f"read from a folder: {count} packages in {seconds:.3f} s")
            kinds = [("SQLite", f"sqlite:///{scratch}/bench.sqlite3")]
            if args.pg:
                kinds.append(("PostgreSQL", args.pg))
            for name, database_url in kinds:
                result = scan_bench(database_url, url, listed, scratch)
                print(
                    f"{name}: first scan {result['first_s']:.2f} s "
                    f"(seen, recorded, closed = {result['first']}), "
                    f"second scan {result['second_s']:.2f} s ({result['second']})"
                )
    rpm_ok, rpm_all, dpkg_ok, dpkg_all = vectors()
    print(f"rpmvercmp vectors: {rpm_ok}/{rpm_all} pass; dpkg vectors: {dpkg_ok}/{dpkg_all} pass")


if __name__ == "__main__":
    main()
