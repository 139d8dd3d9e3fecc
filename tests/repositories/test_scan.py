"""The scan, on real repositories (RPMs by rpmbuild, createrepo_c; .deb by dpkg-deb,
apt-ftparchive) served on loopback: releases recorded through the workflow, tickets in UMD
release closed, idempotent, withdrawn releases, failures recorded as one sentence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dmsu.cheatsheet.models import Component
from dmsu.repositories.models import RepositoryRelease, RepositoryScan, RepositorySource
from dmsu.repositories.scan import scan_repositories, summary
from dmsu.tickets import workflow
from dmsu.tickets.models import Release, Ticket, TicketEvent
from dmsu.tickets.units import SupportUnit
from tests.support import repo_builder

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def rpms(tmp_path_factory):
    work = tmp_path_factory.mktemp("rpms")
    build = repo_builder.build_rpm
    return {
        "dcache-9.2.10": build(work, "dcache", "9.2.10", "1"),
        "dcache-9.2.11": build(work, "dcache", "9.2.11", "1"),
        "dcache-srm-9.2.11": build(work, "dcache-srm-client", "9.2.11", "1"),
        "argus-1.7.4": build(work, "argus-pap", "1.7.4", "2"),
        "stranger-1.0": build(work, "unclaimed-tool", "1.0", "1"),
    }


@pytest.fixture
def world(app, make_user):
    unit = SupportUnit.create(name="dCache", kind="third_line")
    Component.create(
        name="dCache", slug="dcache", support_unit=unit, packages="dcache\ndcache-srm-client"
    )
    Component.create(name="ARGUS", slug="argus", support_unit=unit, packages="argus-pap")
    people = {role: make_user(role, role) for role in ("tpm", "resolver", "assigner")}
    return people


def waiting_in_umd(people, ggus_id, version, component="dCache"):
    ticket = workflow.create_ticket(
        people["tpm"], ggus_id=ggus_id, subject=f"T{ggus_id}", component=component, at=T0
    )
    workflow.route_to_dmsu(ticket, people["tpm"], at=T0 + timedelta(hours=1))
    workflow.reassign_to_third_line(
        ticket, people["assigner"], "dCache", note="defect", at=T0 + timedelta(hours=2)
    )
    workflow.deliver_fix(ticket, people["resolver"], version, at=T0 + timedelta(days=1))
    return ticket


def status(ticket):
    return Ticket.get_by_id(ticket.id).status


def source(name, url, channel, kind="yum"):
    return RepositorySource.create(name=name, url=url, kind=kind, channel=channel)


def test_testing_delivers_production_verifies_and_closes_this_and_older(tmp_path, rpms, world):
    older = waiting_in_umd(world, 1, "9.2.10")
    same = waiting_in_umd(world, 2, "9.2.11")
    newer = waiting_in_umd(world, 3, "9.2.12")
    repo_builder.yum_repository(tmp_path / "testing", [rpms["dcache-9.2.11"]])
    repo_builder.yum_repository(tmp_path / "release", [rpms["dcache-9.2.10"]])
    with repo_builder.RepoServer(tmp_path) as server:
        source("UMD 5 testing", server.url("testing/"), "testing")
        source("UMD 5 release", server.url("release/"), "release")
        first = scan_repositories(at=T0 + timedelta(days=2))
        assert (first.repositories_read, first.releases_recorded) == (2, 2)
        assert first.tickets_closed == 1  # 9.2.10 verified closes the 9.2.10 ticket only
        assert (status(older), status(same), status(newer)) == ("closed", "assigned", "assigned")
        assert Release.get(Release.version == "9.2.11-1.el9").status == "delivered"
        assert Release.get(Release.version == "9.2.10-1.el9").status == "verified"

        # 9.2.11 passes verification: it reaches the production channel
        repo_builder.yum_repository(
            tmp_path / "release", [rpms["dcache-9.2.10"], rpms["dcache-9.2.11"]]
        )
        second = scan_repositories(at=T0 + timedelta(days=9))
    assert (second.releases_recorded, second.tickets_closed) == (1, 1)
    assert (status(same), status(newer)) == ("closed", "assigned")
    assert Release.get(Release.version == "9.2.11-1.el9").status == "verified"
    event = TicketEvent.get(TicketEvent.ticket == same.id, TicketEvent.status == "closed")
    assert "dCache 9.2.11-1.el9 passed UMD verification" in event.text
    assert "Seen in UMD 5 release (release, http://127.0.0.1:" in event.text
    assert event.change["source"].endswith("scan of 2026-11-11 09:00 UTC")
    assert event.actor_role == "system"


def test_a_second_scan_records_nothing(tmp_path, rpms, world):
    waiting_in_umd(world, 1, "9.2.10")
    repo_builder.yum_repository(tmp_path / "release", [rpms["dcache-9.2.10"]])
    with repo_builder.RepoServer(tmp_path) as server:
        source("UMD 5 release", server.url("release/"), "release")
        first = scan_repositories(at=T0 + timedelta(days=2))
        again = scan_repositories(at=T0 + timedelta(days=3))
    assert (first.releases_recorded, first.tickets_closed) == (1, 1)
    assert (again.repositories_read, again.releases_recorded, again.tickets_closed) == (1, 0, 0)
    assert again.packages_seen == 1
    assert RepositoryRelease.select().count() == 1


def test_a_component_with_several_packages_records_the_newest(tmp_path, rpms, world):
    repo_builder.yum_repository(
        tmp_path / "release", [rpms["dcache-9.2.10"], rpms["dcache-srm-9.2.11"]]
    )
    with repo_builder.RepoServer(tmp_path) as server:
        source("UMD 5 release", server.url("release/"), "release")
        scan = scan_repositories(at=T0)
    assert scan.releases_recorded == 1
    assert [r.version for r in Release.select()] == ["9.2.11-1.el9"]


def test_unknown_package_names_are_listed_not_errors(tmp_path, rpms, world):
    repo_builder.yum_repository(tmp_path / "r", [rpms["stranger-1.0"], rpms["argus-1.7.4"]])
    with repo_builder.RepoServer(tmp_path) as server:
        source("UMD 4 base", server.url("r/"), "base")
        scan = scan_repositories(at=T0)
    assert scan.unknown_list == ["unclaimed-tool"]
    assert scan.error_list == []
    assert scan.releases_recorded == 1
    assert "1 package names no component claims" in summary(scan)


def test_a_release_withdrawn_from_testing_is_rejected_and_closes_nothing_more(
    tmp_path, rpms, world
):
    ticket = waiting_in_umd(world, 1, "9.2.11")
    repo_builder.yum_repository(tmp_path / "testing", [rpms["dcache-9.2.11"]])
    with repo_builder.RepoServer(tmp_path) as server:
        source("UMD 5 testing", server.url("testing/"), "testing")
        scan_repositories(at=T0 + timedelta(days=2))
        repo_builder.yum_repository(tmp_path / "testing", [rpms["dcache-9.2.10"]])
        withdrawn = scan_repositories(at=T0 + timedelta(days=3))
        assert Release.get(Release.version == "9.2.11-1.el9").status == "rejected"
        actions = [(r.version, r.action) for r in withdrawn.releases]
        assert ("9.2.11-1.el9", "withdrawn") in actions
        # the withdrawn version shows up in production later: it is not recorded again
        repo_builder.yum_repository(tmp_path / "release", [rpms["dcache-9.2.11"]])
        source("UMD 5 release", server.url("release/"), "release")
        later = scan_repositories(at=T0 + timedelta(days=4))
    assert later.tickets_closed == 0
    assert status(ticket) == "assigned"


def test_a_release_withdrawn_from_production_stays_verified(tmp_path, rpms, world):
    repo_builder.yum_repository(tmp_path / "release", [rpms["dcache-9.2.11"]])
    with repo_builder.RepoServer(tmp_path) as server:
        source("UMD 5 release", server.url("release/"), "release")
        scan_repositories(at=T0)
        repo_builder.yum_repository(tmp_path / "release", [rpms["argus-1.7.4"]])
        scan = scan_repositories(at=T0 + timedelta(days=1))
    assert [(r.package, r.action) for r in scan.releases if r.action == "withdrawn"] == [
        ("dcache", "withdrawn")
    ]
    assert Release.get(Release.version == "9.2.11-1.el9").status == "verified"


def test_a_repository_that_fails_records_nothing_and_says_why(tmp_path, rpms, world):
    ticket = waiting_in_umd(world, 1, "9.2.10")
    repo_builder.yum_repository(tmp_path / "release", [rpms["dcache-9.2.10"]])
    primary = repo_builder.primary_path(tmp_path / "release")
    primary.write_bytes(primary.read_bytes()[:-20])
    with repo_builder.RepoServer(tmp_path) as server:
        source("UMD 5 release", server.url("release/"), "release")
        source("UMD 5 gone", server.url("gone/"), "release")
        scan = scan_repositories(at=T0)
    assert (scan.repositories_read, scan.repositories_failed, scan.releases_recorded) == (0, 2, 0)
    assert len(scan.error_list) == 2
    assert scan.error_list[0].startswith("UMD 5 gone: http://127.0.0.1:")
    assert scan.error_list[0].endswith("answered HTTP 404. Nothing of it was recorded.")
    assert "does not match the checksum repomd.xml gives" in scan.error_list[1]
    assert status(ticket) == "assigned"
    assert Release.select().count() == 0


def test_an_apt_repository_in_production(tmp_path, world):
    Component.create(name="XRootD", slug="xrootd", packages="xrootd-client")
    work = tmp_path / "debs"
    debs = [
        repo_builder.build_deb(work, "xrootd-client", "5.6.1-1"),
        repo_builder.build_deb(work, "xrootd-client", "5.6.1+b1-1"),
    ]
    repo_builder.apt_repository(tmp_path / "apt", debs)
    with repo_builder.RepoServer(tmp_path) as server:
        source("UMD 5 Debian", server.url("apt/"), "release", kind="apt")
        scan = scan_repositories(at=T0)
    assert [(r.version, r.action) for r in scan.releases] == [("5.6.1+b1-1", "verified")]


def test_no_repository_configured(world):
    scan = scan_repositories(at=T0)
    assert scan.error_list == ["No repository is configured; add one on the repositories page."]
    assert RepositoryScan.select().count() == 1


def test_an_emptied_repository_is_an_error_not_every_release_withdrawn(tmp_path, rpms, world):
    repo_builder.yum_repository(tmp_path / "release", [rpms["dcache-9.2.11"]])
    with repo_builder.RepoServer(tmp_path) as server:
        source("UMD 5 release", server.url("release/"), "release")
        scan_repositories(at=T0)
        repo_builder.yum_repository(tmp_path / "release", [])
        emptied = scan_repositories(at=T0 + timedelta(days=1))
        unchanged = scan_repositories(at=T0 + timedelta(days=2))
    assert emptied.repositories_failed == 1
    assert emptied.error_list[0].endswith(
        "lists no package now (it listed 1 before). Nothing of it was recorded."
    )
    assert RepositoryRelease.select().where(RepositoryRelease.action == "withdrawn").count() == 0
    assert unchanged.repositories_failed == 1


def test_an_unchanged_repository_keeps_its_last_snapshot(tmp_path, rpms, world):
    from dmsu.repositories.models import SeenPackage

    repo_builder.yum_repository(tmp_path / "release", [rpms["dcache-9.2.10"]])
    with repo_builder.RepoServer(tmp_path) as server:
        source("UMD 5 release", server.url("release/"), "release")
        first = scan_repositories(at=T0)
        for day in (1, 2, 3):
            scan_repositories(at=T0 + timedelta(days=day))
        assert {row.scan_id for row in SeenPackage.select()} == {first.id}
        repo_builder.yum_repository(tmp_path / "release", [rpms["dcache-9.2.11"]])
        changed = scan_repositories(at=T0 + timedelta(days=4))
        later = scan_repositories(at=T0 + timedelta(days=5))
    assert changed.releases_recorded == 1 and later.releases_recorded == 0
    assert {row.scan_id for row in SeenPackage.select()} == {first.id, changed.id}
