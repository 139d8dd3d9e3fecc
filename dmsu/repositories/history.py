"""What the pages show of the scans: the recent scans, each with the releases it recorded."""

from __future__ import annotations

from dataclasses import dataclass

from dmsu.cheatsheet.models import Component
from dmsu.repositories.models import RepositoryRelease, RepositoryScan, RepositorySource


@dataclass
class ScanView:
    scan: RepositoryScan
    releases: list[RepositoryRelease]


def recent_scans(limit: int = 20) -> list[ScanView]:
    """The last ``limit`` scans, newest first, with their releases (three queries)."""
    scans = list(
        RepositoryScan.select()
        .order_by(RepositoryScan.started_at.desc(), RepositoryScan.id.desc())
        .limit(limit)
    )
    by_scan: dict[int, list[RepositoryRelease]] = {scan.id: [] for scan in scans}
    if scans:
        query = (
            RepositoryRelease.select(RepositoryRelease, Component, RepositorySource)
            .join(Component)
            .switch(RepositoryRelease)
            .join(RepositorySource)
            .where(RepositoryRelease.scan.in_(list(by_scan)))
            .order_by(RepositoryRelease.id)
        )
        for release in query:
            by_scan[release.scan_id].append(release)
    return [ScanView(scan, by_scan[scan.id]) for scan in scans]
