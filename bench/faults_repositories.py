"""Faults through the repository scan: the scan job runs again and again against a faulty
server (tests/support/faulty_repo.py) in front of real repositories while staff work on the
tickets it closes and new package versions are published; then the server heals and the scan
runs once more.

    .venv/bin/python bench/faults_repositories.py [--seconds 90] [--seed 23] [--pg URL]

Not part of the test command. Per database (SQLite in a scratch folder; PostgreSQL with
``--pg``, a scratch database the script empties):

- repositories: a large generated yum repository in production (``--packages`` packages,
  written as createrepo_c lays it out by ``dmsu.repositories.repo_writer``), a small yum one in
  testing, and an apt one in production built by dpkg-deb and apt-ftparchive
  (tests/support/repo_builder.py);
- tickets: ``--tickets`` waiting in UMD release for a version not yet published, as many
  assigned to a product team for staff to deliver a fix on meanwhile;
- staff: 3 threads taking steps through the workflow (comments, ``deliver_fix``, status
  changes), each on its own connection, remembering every step acknowledged;
- a publisher: every ``--publish-every`` seconds a newer version of a claimed package in
  production, now and then a version in testing that is withdrawn later and put back after;
- the scan: ``scan_repositories`` in a loop with a 2 s timeout, the server answering a share
  ``--rate`` of requests with a fault drawn by a seeded schedule (killed mid-transfer with
  and without a length, slow, garbage, 503 bursts, a new snapshot published mid-scan).

Then the server heals, the scan runs once more, and the checks: every release the healed
repositories hold recorded once, every ticket that should be closed closed once, nothing
recorded from a repository a scan failed to read, every acknowledged staff step kept and none
refused but by the rules, withdrawn versions never recorded again. Prints the numbers for
bench/FAULTS.md; exit status 1 when a check fails. Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
APT_PACKAGES = 3


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Repositories:
    """The served folder: production yum, testing yum, production apt; ``publish`` moves
    them on (called by the publisher thread and by the server's ``change`` fault)."""

    def __init__(self, root: Path, packages: int, seed: int):
        from tests.support import repo_builder

        self.root, self.builder = root, repo_builder
        self.random = random.Random(seed + 1)
        self.lock = threading.Lock()
        self.production = {f"pkg-{i:05d}": 1 for i in range(packages)}  # name -> minor
        # one package stays in testing: a repository emptied is refused as a broken mirror
        self.testing: dict[str, int] = {f"pkg-{packages - 1:05d}": 1}
        self.apt = {f"apt-{i}": 1 for i in range(APT_PACKAGES)}
        self.withdrawn: set[tuple[str, str]] = set()
        self.published = 0
        self.debs = root.parent / "debs"
        self.write_yum("release", self.production)
        self.write_yum("testing", self.testing)
        self.write_apt()

    def write_yum(self, name: str, listed: dict[str, int]) -> None:
        from dmsu.repositories.packages import PackageVersion
        from dmsu.repositories.repo_writer import write_yum_repository

        packages = [PackageVersion(p, 0, f"2.{m}", "1.el9", "x86_64") for p, m in listed.items()]
        write_yum_repository(self.root / name, packages, revision=self.published + 1)

    def write_apt(self) -> None:
        debs = [
            self.builder.build_deb(self.debs, name, f"2.{minor}-1")
            for name, minor in sorted(self.apt.items())
        ]
        self.builder.apt_repository(self.root / "apt", debs)

    def publish(self, ticket_packages: list[str] | None = None) -> None:
        with self.lock:
            self.published += 1
            pick = self.random.random()
            names = ticket_packages or list(self.production)
            if pick < 0.6:
                name = self.random.choice(names)
                self.production[name] += 1
                self.write_yum("release", self.production)
            elif pick < 0.8:
                name = f"apt-{self.random.randrange(APT_PACKAGES)}"
                self.apt[name] += 1
                self.write_apt()
            else:
                name = self.random.choice(names[:3])  # a few, so they come and go
                if name in self.testing:  # withdrawn from testing (and later put back)
                    self.withdrawn.add((name, f"2.{self.testing.pop(name)}-1.el9"))
                else:
                    self.testing[name] = 50 + self.random.randrange(3)
                self.write_yum("testing", self.testing)


def _utc(value):
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def prepare(database_url: str, scratch: str):
    from bench.repositories_bench import prepare as prepare_bench

    return prepare_bench(database_url, scratch)


def populate(packages: int, tickets: int):
    from dmsu.auth import accounts
    from dmsu.cheatsheet.models import Component
    from dmsu.tickets import workflow
    from dmsu.tickets.units import SupportUnit

    unit = SupportUnit.create(name="Product team", kind="third_line")
    tpm = accounts.create_user("tom", "tpm", "tom-bench-password-1")
    staff = [
        accounts.create_user(f"staff{n}", role, f"staff{n}-bench-password-1")
        for n, role in enumerate(("assigner", "resolver", "resolver"))
    ]
    for i in range(packages):
        Component.create(name=f"C{i}", slug=f"c{i}", support_unit=unit, packages=f"pkg-{i:05d}")
    for i in range(APT_PACKAGES):
        Component.create(name=f"Apt {i}", slug=f"apt-{i}", support_unit=unit, packages=f"apt-{i}")
    waiting, others = [], []
    for n in range(2 * tickets):
        component = f"C{n % tickets}" if n < 2 * tickets - APT_PACKAGES else f"Apt {n % 3}"
        ticket = workflow.create_ticket(
            tpm, ggus_id=5000 + n, subject=f"T{n}", component=component, at=T0
        )
        workflow.route_to_dmsu(ticket, tpm, at=T0 + timedelta(hours=1))
        workflow.reassign_to_third_line(
            ticket, staff[0], "Product team", note="defect", at=T0 + timedelta(hours=2)
        )
        if n < tickets:
            workflow.deliver_fix(ticket, staff[0], f"2.{2 + n % 3}-1.el9", at=T0 + timedelta(1))
            waiting.append(ticket.id)
        else:
            others.append(ticket.id)
    return staff, waiting, others


class Staff:
    """Staff threads taking workflow steps; every acknowledged step is remembered."""

    def __init__(self, app, people, ticket_ids, seed):
        self.app, self.people, self.ticket_ids = app, people, ticket_ids
        self.seed = seed
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked: list[tuple[int, str, str]] = []  # (ticket, kind, what)
        self.steps: Counter = Counter()
        self.waits: list[float] = []  # seconds each acknowledged step took
        self.refused: Counter = Counter()  # by the rules (the ticket closed meanwhile)
        self.failed: Counter = Counter()  # anything else: a lost step

    def run(self, n: int) -> None:
        from dmsu.core.db import database
        from dmsu.tickets import workflow
        from dmsu.tickets.models import Ticket

        rng = random.Random(self.seed * 10 + n)
        actor = self.people[n]
        with self.app.app_context():
            database.connect(reuse_if_open=True)
            count = 0
            try:
                while not self.stop.is_set():
                    count += 1
                    ticket = Ticket.get_by_id(rng.choice(self.ticket_ids))
                    kind = rng.choice(("comment", "comment", "deliver_fix", "status"))
                    what = f"staff{n} step {count}"
                    began = time.perf_counter()
                    try:
                        in_umd = ticket.support_unit.name == "UMD release"
                        if (
                            kind == "comment"
                            or ticket.status == "closed"
                            or (kind == "deliver_fix" and in_umd)
                        ):
                            kind = "comment"
                            workflow.add_comment(ticket, actor, what)
                        elif kind == "deliver_fix":
                            what = ticket.fixed_version or f"2.{2 + rng.randrange(3)}-1.el9"
                            workflow.deliver_fix(ticket, actor, what)
                        else:
                            what = "waiting for reply"
                            if ticket.status == what:
                                what = "in progress"
                            workflow.change_status(ticket, actor, what)
                    except workflow.WorkflowError as error:
                        if Ticket.get_by_id(ticket.id).status == "closed":
                            self.refused[f"{kind}: {error}"] += 1
                        else:
                            self.failed[f"{kind}: refused: {error}"] += 1
                        continue
                    except Exception as error:  # noqa: BLE001 - every other failure is counted
                        self.failed[f"{kind}: {type(error).__name__}: {error}"[:160]] += 1
                        continue
                    with self.lock:
                        self.waits.append(time.perf_counter() - began)
                        self.acked.append((ticket.id, kind, what))
                        self.steps[kind] += 1
                    time.sleep(0.02)
            finally:
                database.close()


def scan_loop(args, server, repos, staff, ticket_packages, stop_at):
    from dmsu.repositories.models import RepositoryScan
    from dmsu.repositories.scan import scan_repositories

    scans, failed_pairs = [], []

    def publisher() -> None:  # on its own, so versions come during a long first scan too
        while time.monotonic() < stop_at:
            time.sleep(args.publish_every)
            repos.publish(ticket_packages)

    publishing = threading.Thread(target=publisher, daemon=True)
    publishing.start()
    while time.monotonic() < stop_at:
        try:
            scan = scan_repositories(timeout=2)
        except Exception as error:  # noqa: BLE001 - a crashed scan is a finding
            if args.traceback:
                traceback.print_exc()
            scans.append(("crash", f"{type(error).__name__}: {error}"))
            continue
        scans.append(("scan", scan.id))
        for line in scan.error_list:
            source = line.partition(":")[0]
            if line.endswith("Nothing of it was recorded."):
                failed_pairs.append((scan.id, source))
    publishing.join(args.publish_every + 30)
    return scans, failed_pairs, RepositoryScan


def run_one(label: str, database_url: str, args, scratch: Path) -> list[str]:
    from dmsu.core.db import database
    from dmsu.repositories.models import (
        RepositoryRelease,
        RepositoryScan,
        RepositorySource,
        SeenPackage,
    )
    from dmsu.repositories.scan import scan_repositories
    from dmsu.tickets.models import Release, Ticket, TicketEvent
    from dmsu.tickets.workflow.versions import is_same_or_older
    from tests.support.faulty_repo import FaultyRepoServer

    served = scratch / label / "served"
    served.mkdir(parents=True)
    app, ctx = prepare(database_url, str(scratch / label))
    problems: list[str] = []
    try:
        people, waiting, others = populate(args.packages, args.tickets)
        repos = Repositories(served, args.packages, args.seed)
        ticket_packages = [f"pkg-{i:05d}" for i in range(args.tickets)]
        server = FaultyRepoServer(
            served,
            seed=args.seed,
            rate=args.rate,
            publish=lambda: repos.publish(ticket_packages),
            trickle=0.3,
            slow_for=5,
        )
        with server:
            for name, path, kind, channel in (
                ("UMD 5 release", "release/", "yum", "release"),
                ("UMD 5 testing", "testing/", "yum", "testing"),
                ("UMD 5 Debian", "apt/", "apt", "release"),
            ):
                RepositorySource.create(name=name, url=server.url(path), kind=kind, channel=channel)
            # the first scan (every package new: thousands of releases) runs healed, before
            # the window: the window's scans are the hourly kind, a few new versions each
            server.heal()
            warm_started = time.perf_counter()
            warm = scan_repositories(timeout=30)
            warm_s = time.perf_counter() - warm_started
            server.rate = args.rate
            staff = Staff(app, people, waiting + others, args.seed)
            threads = [threading.Thread(target=staff.run, args=(n,)) for n in range(3)]
            for thread in threads:
                thread.start()
            started = time.monotonic()
            scans, failed_pairs, _ = scan_loop(
                args, server, repos, staff, ticket_packages, started + args.seconds
            )
            staff.stop.set()
            for thread in threads:
                thread.join(60)
            faults, requests_served = dict(server.counts), server.requests
            server.heal()
            healed = scan_repositories(timeout=30)
        # --- checks --------------------------------------------------------------------------
        if healed.repositories_failed:
            problems.append(f"the healed scan failed: {healed.error_list}")
        crashes = [text for kind, text in scans if kind == "crash"]
        if crashes:
            problems.append(f"{len(crashes)} scans crashed: {Counter(crashes).most_common(3)}")
        duplicates = 0
        rows = Counter(
            (r.component_id, r.version, r.action, r.source_id)
            for r in RepositoryRelease.select()
            if r.action != "withdrawn"
        )
        duplicates += sum(n - 1 for n in rows.values() if n > 1)
        withdrawn_rows = Counter(
            (r.component_id, r.version)
            for r in RepositoryRelease.select().where(RepositoryRelease.action == "withdrawn")
        )
        withdrawn_twice = sum(n - 1 for n in withdrawn_rows.values() if n > 1)
        closing = Counter(
            e.ticket_id
            for e in TicketEvent.select().where(
                TicketEvent.kind == "status", TicketEvent.status == "closed"
            )
        )
        closed_twice = sum(1 for n in closing.values() if n > 1)
        duplicates += closed_twice
        # every release the healed repositories hold: the newest of each claimed package
        held = {f"pkg-{i:05d}": f"2.{m}-1.el9" for i, m in enumerate(repos.production.values())}
        held.update({name: f"2.{m}-1" for name, m in repos.apt.items()})
        from dmsu.cheatsheet.models import Component

        claims = {c.packages: c for c in Component.select()}
        missing = [
            name
            for name, version in held.items()
            if not Release.select()
            .where(
                Release.component == claims[name],
                Release.version == version,
                Release.status == "verified",
            )
            .exists()
        ]
        if missing:
            problems.append(f"{len(missing)} releases the healed repositories hold not recorded")
        # every ticket that should be closed is closed, once
        verified: dict[int, list] = {}
        for release in Release.select().where(Release.status == "verified"):
            verified.setdefault(release.component_id, []).append(release)
        should, not_closed, late = 0, 0, 0
        for ticket in Ticket.select().where(Ticket.id.in_(waiting + others)):
            if not ticket.fixed_version or ticket.support_unit.name != "UMD release":
                continue
            closing_releases = [
                r
                for r in verified.get(ticket.component_id, [])
                if is_same_or_older(ticket.fixed_version, r.version)
            ]
            if not closing_releases:
                continue
            delivered = max(
                _utc(e.at)
                for e in TicketEvent.select().where(
                    TicketEvent.ticket == ticket.id, TicketEvent.kind == "field"
                )
            )
            if all(_utc(r.recorded_at) < delivered for r in closing_releases):
                late += 1  # the fix was delivered after its release was recorded
                continue
            should += 1
            if ticket.status != "closed" or closing[ticket.id] != 1:
                not_closed += 1
        if not_closed:
            problems.append(f"{not_closed} of {should} tickets to close are not closed once")
        # nothing recorded from a half-read repository
        sources = {s.name: s.id for s in RepositorySource.select()}
        half = 0
        for scan_id, name in failed_pairs:
            source_id = sources.get(name)
            half += (
                RepositoryRelease.select()
                .where(RepositoryRelease.scan == scan_id, RepositoryRelease.source == source_id)
                .count()
                + SeenPackage.select()
                .where(SeenPackage.scan == scan_id, SeenPackage.source == source_id)
                .count()
            )
        if half:
            problems.append(f"{half} rows recorded from repositories a scan failed to read")
        # staff steps kept
        lost = 0
        for ticket_id, kind, what in staff.acked:
            if kind == "comment":
                found = TicketEvent.select().where(
                    TicketEvent.ticket == ticket_id, TicketEvent.text == what
                )
                lost += not found.exists()
        if lost or staff.failed:
            problems.append(
                f"staff: {lost} acknowledged comments lost, failures {dict(staff.failed)}"
            )
        # withdrawn versions never recorded again
        rerecorded = seen_withdrawn = 0
        for name, version in repos.withdrawn:
            component = claims[name]
            actions = [
                r.action
                for r in RepositoryRelease.select()
                .where(
                    RepositoryRelease.component == component, RepositoryRelease.version == version
                )
                .order_by(RepositoryRelease.id)
            ]
            if "withdrawn" not in actions:
                continue  # put back before a scan read it withdrawn: still delivered, rightly
            seen_withdrawn += 1
            release = Release.get(Release.component == component, Release.version == version)
            later = actions[actions.index("withdrawn") :]
            if release.status != "rejected" or any(a != "withdrawn" for a in later):
                rerecorded += 1
        if rerecorded:
            problems.append(f"{rerecorded} withdrawn versions recorded again")
        done = [RepositoryScan.get_by_id(i) for k, i in scans if k == "scan"]
        failed_scans = sum(1 for s in done if s.repositories_failed)
        failed_reads = sum(s.repositories_failed for s in done)
        print(f"\n### {label}")
        print(
            f"first scan (healed, before the window): {warm.releases_recorded} releases, "
            f"{warm.tickets_closed} tickets closed in {warm_s:.1f} s"
        )
        print(
            f"scans: {len(scans)} run ({failed_scans} with a repository not read, "
            f"{failed_reads} repository reads failed of {3 * len(done)}), {len(crashes)} crashed"
        )
        print(
            f"requests to the server: {requests_served}; faults by kind: {dict(sorted(faults.items()))}"
        )
        print(f"publications: {repos.published}; withdrawn from testing: {len(repos.withdrawn)}")
        recorded = RepositoryRelease.select().where(RepositoryRelease.action != "withdrawn").count()
        print(
            f"releases recorded: {recorded} (Release rows {Release.select().count()}), "
            f"withdrawn rows {sum(withdrawn_rows.values())} ({withdrawn_twice} for a version already withdrawn)"
        )
        print(
            f"tickets closed: {len(closing)} (should be closed: {should}, not closed once: {not_closed}), "
            f"closed twice: {closed_twice}; fix delivered after its release was recorded "
            f"(left waiting: the workflow's doing, not the scan's): {late}"
        )
        print(
            f"staff steps acknowledged: {dict(staff.steps)}; refused by the rules (closed meanwhile): "
            f"{dict(staff.refused)}; failed: {sum(staff.failed.values())}; lost: {lost}"
        )
        waits = sorted(staff.waits) or [0.0]
        print(
            f"staff step time: p50 {waits[len(waits) // 2] * 1000:.0f} ms, "
            f"p99 {waits[int(len(waits) * 0.99)] * 1000:.0f} ms, max {waits[-1]:.2f} s"
        )
        print(
            f"duplicates: {duplicates}; recorded from a half-read repository: {half}; "
            f"withdrawn re-recorded: {rerecorded} (of {seen_withdrawn} the scan saw withdrawn); releases held but not recorded: {len(missing)}"
        )
        print(
            f"healed scan: {healed.releases_recorded} releases, {healed.tickets_closed} tickets closed"
        )
        print("checks:", "ok" if not problems else "FAILED")
        for problem in problems:
            print("  -", problem)
        return problems
    finally:
        database.close()
        ctx.pop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--packages", type=int, default=5000)
    parser.add_argument("--tickets", type=int, default=60)
    parser.add_argument("--rate", type=float, default=0.35)
    parser.add_argument("--publish-every", type=float, default=1.5)
    parser.add_argument("--pg", default="")
    parser.add_argument("--traceback", action="store_true", help="print each crashed scan's")
    args = parser.parse_args()
    kinds = [("SQLite", None)]
    if args.pg:
        kinds.append(("PostgreSQL", args.pg))
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        for label, url in kinds:
            url = url or f"sqlite:///{scratch}/faults.sqlite3"
            log(f"{label}: {args.seconds:g} s of scans against the faulty server")
            problems += run_one(label, url, args, Path(scratch))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
