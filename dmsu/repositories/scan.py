"""The scan: read each repository, record what is new as component releases through the
workflow, and so close the tickets waiting in UMD release.

Seed 001: "When the new component release passes the UMD verification and stage rollout, all
the tickets referring to this or older versions of the component are closed. Because the
information of released components is available in the UMD repository, this step can be
automated." and "When, for some reason, the component release is rejected by UMD, the ticket
remains with the UMD SU, and it will be closed by the same process on the next component
release which makes its full way to UMD."

For each enabled repository:

1. It is read whole (:mod:`.yum`, :mod:`.apt`, :mod:`.release_notes`) before anything is
   written; a repository that cannot be read whole is one sentence in the scan's errors and
   nothing of it is recorded.
2. The newest version of each package (rpm's order for yum and release notes, dpkg's for apt)
   is compared with what the last scan that found this repository changed saw
   (:class:`SeenPackage`, kept for that scan and the one before it).
3. A package version newer than before, of a package a component claims (the cheat sheet's
   ``packages``), is a release of that component: ``delivered`` from a testing channel,
   ``verified`` from a production one (:func:`dmsu.tickets.workflow.record_release`, with the
   repository and the scan's time as the source), which closes the tickets in UMD release
   fixed in that or an older version. A component with several new packages records the
   newest of their versions.
4. A package whose newest version went back or vanished is withdrawn: recorded as such, and
   from a testing channel its delivered release becomes ``rejected``; a withdrawn version is
   never recorded again from any repository, so it closes nothing more.
5. Package names no component claims are listed on the scan (when first seen), not errors.
6. A repository that listed packages and now lists none is taken for a broken mirror, not for
   every release withdrawn: one sentence, nothing recorded.

Each release a repository yields is written in its own short transaction and the repository's
snapshot last (:func:`_apply` says why), so supporters' steps are not kept waiting behind a
whole repository. A second scan of unchanged repositories records nothing. Two scans at once
(the hourly job and an admin's "scan now") write in turn: on PostgreSQL each transaction takes
the area's advisory lock before it reads what is recorded, so the second reads what the first
recorded instead of recording it again (and failing on ``Release``'s unique index: the faults
run of issue 23).
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

from dmsu.cheatsheet.models import Component
from dmsu.core import clock
from dmsu.core.db import is_postgres, write_transaction
from dmsu.repositories import apt, release_notes, yum
from dmsu.repositories.fetch import RepositoryError
from dmsu.repositories.models import (
    RepositoryRelease,
    RepositoryScan,
    RepositorySource,
    SeenPackage,
)
from dmsu.repositories.packages import PackageVersion
from dmsu.tickets import workflow
from dmsu.tickets.models import Release
from dmsu.tickets.workflow.versions import dpkg_compare, rpm_evr_compare

_BATCH = 500
UNKNOWN_SHOWN = 200  # unknown package names kept on a scan (the count is always told)


def _check_local(url: str, file_root: str | None) -> None:
    """A ``file://`` repository must lie under ``file_root`` (the instance folder, where the
    demo writes its repositories), so an address typed on the admin page cannot make the scan
    open any other file of the server."""
    if file_root is None or not url.lower().startswith("file:"):
        return
    path = Path(unquote(urlparse(url).path)).resolve()
    if not path.is_relative_to(Path(file_root).resolve()):
        raise RepositoryError(f"{url} is outside the folder local repositories may be read from.")


def read_source(
    source: RepositorySource, timeout: float, file_root: str | None = None
) -> tuple[list[PackageVersion], list]:
    """Every package of ``source`` and the notes on it; :class:`RepositoryError` otherwise."""
    _check_local(source.url, file_root)
    if source.kind == "yum":
        return yum.read(source.url, timeout=timeout), []
    if source.kind == "apt":
        return apt.read(source.url, timeout=timeout), []
    if source.kind == "release-notes":
        return release_notes.read(source.url, timeout=timeout)
    raise RepositoryError(f"'{source.kind}' is not a kind of repository the scan reads.")


def compare_for(kind: str):
    return dpkg_compare if kind == "apt" else rpm_evr_compare


def newest_versions(packages: list[PackageVersion], kind: str) -> dict[str, str]:
    """The newest EVR of each package name (any architecture)."""
    compare = compare_for(kind)
    newest: dict[str, str] = {}
    for package in packages:
        current = newest.get(package.name)
        if current is None or compare(package.evr, current) > 0:
            newest[package.name] = package.evr
    return newest


def _claims() -> dict[str, Component]:
    """Package name (case-insensitively) -> the component that claims it."""
    claims: dict[str, Component] = {}
    for component in Component.select().where(Component.packages != ""):
        for name in component.package_list:
            claims.setdefault(name.casefold(), component)
    return claims


def _previous_scan_id(source: RepositorySource) -> int | None:
    row = (
        SeenPackage.select(SeenPackage.scan)
        .where(SeenPackage.source == source)
        .order_by(SeenPackage.scan.desc())
        .first()
    )
    return row.scan_id if row is not None else None


def _seen(source: RepositorySource, scan_id: int | None) -> dict[str, str]:
    if scan_id is None:
        return {}
    query = SeenPackage.select(SeenPackage.name, SeenPackage.evr).where(
        SeenPackage.source == source, SeenPackage.scan == scan_id
    )
    return {row.name: row.evr for row in query}


class _Tally:
    def __init__(self, scan: RepositoryScan):
        self.scan = scan
        self.errors: list[str] = []
        self.unknown: set[str] = set()
        self.releases = 0
        self.closed = 0


def _source_text(source: RepositorySource, at: datetime) -> str:
    return f"{source.name} ({source.channel}, {source.url}), scan of {at:%Y-%m-%d %H:%M} UTC"


def _record(tally, source, component, package, version, at) -> None:
    """One new release of ``component`` seen in ``source``: through the workflow."""
    action = "verified" if source.stage == "production" else "delivered"
    withdrawn = RepositoryRelease.get_or_none(
        RepositoryRelease.component == component,
        RepositoryRelease.version == version,
        RepositoryRelease.action == "withdrawn",
    )
    if withdrawn is not None:
        return  # withdrawn once: it closes nothing more
    release = Release.get_or_none(Release.component == component, Release.version == version)
    if release is not None and (release.status == action or release.status == "verified"):
        return  # already known at this stage or beyond
    if release is not None and release.status == "rejected":
        tally.errors.append(
            f"{component.name} {version} appeared in {source.name}, but UMD rejected it "
            "before; it was not recorded again."
        )
        return
    try:
        closed = workflow.record_release(
            component, version, action, workflow.SYSTEM, at=at, source=_source_text(source, at)
        )
    except workflow.WorkflowError as error:
        tally.errors.append(f"{component.name} {version} from {source.name}: {error}")
        return
    RepositoryRelease.create(
        scan=tally.scan,
        source=source,
        component=component,
        package=package,
        version=version,
        action=action,
        tickets_closed=len(closed),
        at=at,
    )
    tally.releases += 1
    tally.closed += len(closed)


def _withdraw(tally, source, component, package, version, at) -> None:
    """``version`` went back or vanished from ``source``: recorded withdrawn, once. A flapping
    mirror (the version put back, then gone again: the faults run of issue 23) recorded it
    withdrawn each time it went."""
    if (
        RepositoryRelease.select()
        .where(
            RepositoryRelease.component == component,
            RepositoryRelease.version == version,
            RepositoryRelease.action == "withdrawn",
        )
        .exists()
    ):
        return
    RepositoryRelease.create(
        scan=tally.scan,
        source=source,
        component=component,
        package=package,
        version=version,
        action="withdrawn",
        at=at,
    )
    release = Release.get_or_none(Release.component == component, Release.version == version)
    if source.stage == "testing" and release is not None and release.status == "delivered":
        workflow.record_release(
            component, version, "rejected", workflow.SYSTEM, at=at, source=_source_text(source, at)
        )


@contextmanager
def _write_making_way():
    """One of the scan's write transactions, then on SQLite a pause as long as it took (at
    most 50 ms). SQLite has one write lock, and a step waiting for it polls (its busy
    handler sleeps between tries) while the scan, writing release after release, took it
    again at once: supporters' steps starved for more than the busy timeout and failed with
    "database is locked" (the faults run at 5,000 packages). PostgreSQL locks rows: no pause."""
    started = time.perf_counter()
    with write_transaction("repositories"):  # two scans at once write in turn
        yield
    if not is_postgres():
        time.sleep(min(time.perf_counter() - started, 0.05))


def _write_snapshot(tally, source, newest: dict[str, str], previous_id: int | None) -> None:
    rows = [
        {"scan": tally.scan.id, "source": source.id, "name": name[:200], "evr": evr[:200]}
        for name, evr in newest.items()
    ]
    for start in range(0, len(rows), _BATCH):
        SeenPackage.insert_many(rows[start : start + _BATCH]).execute()
    keep = [tally.scan.id] + ([previous_id] if previous_id is not None else [])
    SeenPackage.delete().where(
        SeenPackage.source == source, SeenPackage.scan.not_in(keep)
    ).execute()


def _apply(tally, source, newest: dict[str, str], claims, at) -> None:
    """Write what ``source`` yielded: new releases, withdrawn ones, then its snapshot.

    Each release is its own short transaction (the workflow step and the scan's row of it),
    and the snapshot comes last: one transaction for a whole repository held SQLite's one
    write lock while it recorded every release (hundreds on a first scan), and supporters'
    steps waiting longer than the busy timeout failed with "database is locked" (the faults
    run of issue 23). Stopped half-way, a scan leaves the previous snapshot, so the next one
    finds the same releases new and records those not yet recorded (each release is checked
    against ``Release`` inside its transaction): none is lost, none recorded twice."""
    compare = compare_for(source.kind)
    previous_id = _previous_scan_id(source)
    before = _seen(source, previous_id)
    if before and not newest:
        raise RepositoryError(
            f"{source.url} lists no package now (it listed {len(before)} before)."
        )

    new_by_component: dict[int, list[tuple[str, str]]] = defaultdict(list)
    components: dict[int, Component] = {}
    for name, evr in newest.items():
        old = before.get(name)
        if old is not None and compare(evr, old) <= 0:
            continue
        component = claims.get(name.casefold())
        if component is None:
            tally.unknown.add(name)
            continue
        components[component.id] = component
        new_by_component[component.id].append((name, evr))
    for component_id, found in sorted(new_by_component.items()):
        key = functools.cmp_to_key(lambda a, b: compare(a[1], b[1]))
        package, version = max(found, key=key)
        with _write_making_way():
            _record(tally, source, components[component_id], package, version, at)

    for name, old in sorted(before.items()):
        evr = newest.get(name)
        if evr is not None and compare(evr, old) >= 0:
            continue
        component = claims.get(name.casefold())
        if component is not None:
            with _write_making_way():
                _withdraw(tally, source, component, name, old, at)

    if previous_id is None or newest != before:
        # a new snapshot only when something changed: an unchanged repository's last
        # snapshot stays what the next scan compares with
        with _write_making_way():
            _write_snapshot(tally, source, newest, previous_id)


def scan_repositories(
    *,
    at: datetime | None = None,
    trigger: str = "job",
    timeout: float = 30,
    file_root: str | None = None,
) -> RepositoryScan:
    """Scan every enabled repository once; returns the scan with what it did. With
    ``file_root``, ``file://`` repositories are read only below that folder."""
    given, at = at, at or clock.now()
    scan = RepositoryScan.create(started_at=at, trigger=trigger)
    tally = _Tally(scan)
    claims = _claims()
    # read whole before the first write: a cursor still open kept SQLite's read snapshot
    # open, and a step committed meanwhile then made the write lock fail at once ("database
    # is locked", the busy timeout notwithstanding; the faults run of issue 23)
    sources = list(
        RepositorySource.select()
        .where(RepositorySource.enabled == True)  # noqa: E712
        .order_by(RepositorySource.name)
    )
    for source in sources:
        try:
            packages, notes = read_source(source, timeout, file_root)
        except RepositoryError as error:
            tally.errors.append(f"{source.name}: {error} Nothing of it was recorded.")
            scan.repositories_failed += 1
            continue
        tally.errors.extend(f"{source.name}: {note}" for note in notes)
        newest = newest_versions(packages, source.kind)
        try:
            _apply(tally, source, newest, claims, at)
        except RepositoryError as error:  # raised before anything of it is written
            tally.errors.append(f"{source.name}: {error} Nothing of it was recorded.")
            scan.repositories_failed += 1
            continue
        scan.repositories_read += 1
        scan.packages_seen += len(packages)
    if not sources:
        tally.errors.append("No repository is configured; add one on the repositories page.")
    unknown = sorted(tally.unknown)
    scan.unknown_packages = "\n".join(unknown[:UNKNOWN_SHOWN])
    if len(unknown) > UNKNOWN_SHOWN:
        scan.unknown_packages += f"\n… and {len(unknown) - UNKNOWN_SHOWN} more"
    scan.errors = "\n".join(tally.errors)
    scan.releases_recorded, scan.tickets_closed = tally.releases, tally.closed
    scan.finished_at = at if given is not None else clock.now()
    scan.save()
    return scan


def summary(scan: RepositoryScan) -> str:
    """One line for the job log and the command."""
    text = (
        f"Scanned {scan.repositories_read} repositories ({scan.packages_seen} packages): "
        f"{scan.releases_recorded} releases recorded, {scan.tickets_closed} tickets closed"
    )
    unknown = len(scan.unknown_list)
    if unknown:
        text += f", {unknown} package names no component claims"
    text += "."
    if scan.repositories_failed:
        text += f" {scan.repositories_failed} could not be read."
    for error in scan.error_list:
        text += f" {error}"
    return text
