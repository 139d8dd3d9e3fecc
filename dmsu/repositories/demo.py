"""Demo data of the repositories area: demo UMD 5 repositories written into the instance folder
(``instance/demo-repositories/umd/5/al9/<channel>/x86_64``, by :mod:`.repo_writer`, no
rpmbuild needed) and two real scans of them, so the releases page shows releases that came
from a repository scan and the tickets they closed.

The story: the demo's components whose tickets still wait in UMD release get a package name;
their fixed version appears in the testing channel (scan 1: delivered), then in the release
channel (scan 2: verified, the tickets close), while one release is withdrawn from testing
(rejected) and a package no component claims is listed.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import current_app

from dmsu.cheatsheet.models import Component
from dmsu.core.markdown import slugify
from dmsu.repositories.models import RepositoryScan, RepositorySource
from dmsu.repositories.packages import PackageVersion
from dmsu.repositories.repo_writer import write_yum_repository
from dmsu.repositories.scan import scan_repositories
from dmsu.tickets.models import OPEN_STATUSES, Ticket
from dmsu.tickets.units import UMD_RELEASE, SupportUnit
from dmsu.tickets.workflow.versions import version_key

STORIES = 4  # components whose waiting tickets the demo scans close


def _waiting() -> dict[Component, str]:
    """Components with tickets waiting in UMD release, and the newest version they wait for."""
    umd = SupportUnit.get_or_none(SupportUnit.name == UMD_RELEASE)
    if umd is None:
        return {}
    newest: dict[int, str] = {}
    components: dict[int, Component] = {}
    query = (
        Ticket.select(Ticket, Component)
        .join(Component)
        .where(
            Ticket.support_unit == umd,
            Ticket.status.in_(OPEN_STATUSES),
            Ticket.fixed_version != "",
        )
    )
    for ticket in query:
        try:
            key = version_key(ticket.fixed_version)
        except ValueError:
            continue
        current = newest.get(ticket.component_id)
        if current is None or key > version_key(current):
            newest[ticket.component_id] = ticket.fixed_version
            components[ticket.component_id] = ticket.component
    return {components[i]: newest[i] for i in sorted(newest)}


def _package(name: str, version: str, release: str = "1.el9") -> PackageVersion:
    return PackageVersion(name, 0, version, release, "x86_64")


def load(ctx) -> str:
    if RepositoryScan.select().exists():
        return "Repositories: already there."
    waiting = list(_waiting().items())[:STORIES]
    root = Path(current_app.instance_path) / "demo-repositories" / "umd" / "5" / "al9"
    testing_dir, release_dir = root / "testing" / "x86_64", root / "release" / "x86_64"
    names: dict[str, str] = {}
    for component, _ in waiting:
        if not component.packages:
            component.packages = slugify(component.name) or f"component-{component.id}"
            component.save()
        names[component.name] = component.package_list[0]
    unclaimed = _package("ca-policy-egi-core", "1.131", "1")
    withdrawn = [_package(names[c.name], f"{v}.99") for c, v in waiting[-1:]]
    delivered = [_package(names[c.name], v) for c, v in waiting]

    write_yum_repository(testing_dir, delivered + withdrawn, revision=1)
    write_yum_repository(release_dir, [unclaimed], revision=1)
    for name, channel, folder in (
        ("Demo UMD 5 testing", "testing", testing_dir),
        ("Demo UMD 5 release", "release", release_dir),
    ):
        RepositorySource.get_or_create(
            name=name, defaults={"url": folder.as_uri(), "kind": "yum", "channel": channel}
        )
    first = scan_repositories(at=ctx.end - timedelta(days=3), trigger="demo")
    # verification passed: the delivered versions reach the release channel; the extra
    # version is withdrawn from testing (UMD rejected it)
    write_yum_repository(testing_dir, delivered, revision=2)
    write_yum_repository(release_dir, [unclaimed, *delivered], revision=2)
    second = scan_repositories(at=ctx.end - timedelta(days=1), trigger="demo")
    return (
        f"Repositories: 2 demo repositories in {root}, 2 scans, "
        f"{first.releases_recorded + second.releases_recorded} releases recorded, "
        f"{first.tickets_closed + second.tickets_closed} tickets closed."
    )
