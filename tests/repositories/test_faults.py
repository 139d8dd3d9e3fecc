"""The scan against a faulty server in front of real repositories (RPMs by rpmbuild and
createrepo_c, .deb by dpkg-deb and apt-ftparchive; tests/support/faulty_repo.py): a server
killed mid-transfer, slow, answering garbage or 503, a repository republished mid-scan, and
staff working on the same tickets meanwhile. Issue 23, item 7: "nothing lost, nothing
recorded twice"; the project's rule: "jobs reading other systems never record half of what
they read"."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from dmsu.cheatsheet.models import Component
from dmsu.core import step_listeners
from dmsu.core.db import database
from dmsu.repositories.models import RepositoryRelease, RepositorySource, SeenPackage
from dmsu.repositories.scan import scan_repositories
from dmsu.tickets import workflow
from dmsu.tickets.models import Release, Ticket, TicketEvent
from dmsu.tickets.units import SupportUnit
from tests.support import repo_builder
from tests.support.faulty_repo import FaultyRepoServer

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def rpms(tmp_path_factory):
    work = tmp_path_factory.mktemp("rpms")
    return {
        "9.2.10": repo_builder.build_rpm(work, "dcache", "9.2.10", "1"),
        "9.2.11": repo_builder.build_rpm(work, "dcache", "9.2.11", "1"),
        "argus-1.7.4": repo_builder.build_rpm(work, "argus-pap", "1.7.4", "2"),
    }


@pytest.fixture
def people(app, make_user):
    unit = SupportUnit.create(name="dCache", kind="third_line")
    Component.create(name="dCache", slug="dcache", support_unit=unit, packages="dcache")
    return {role: make_user(role, role) for role in ("tpm", "resolver", "assigner")}


def waiting_in_umd(people, ggus_id, version):
    ticket = workflow.create_ticket(
        people["tpm"], ggus_id=ggus_id, subject=f"T{ggus_id}", component="dCache", at=T0
    )
    workflow.route_to_dmsu(ticket, people["tpm"], at=T0 + timedelta(hours=1))
    workflow.reassign_to_third_line(
        ticket, people["assigner"], "dCache", note="defect", at=T0 + timedelta(hours=2)
    )
    workflow.deliver_fix(ticket, people["resolver"], version, at=T0 + timedelta(days=1))
    return ticket


def closings(ticket) -> int:
    return (
        TicketEvent.select()
        .where(TicketEvent.ticket == ticket.id, TicketEvent.status == "closed")
        .count()
    )


def nothing_recorded() -> bool:
    return Release.select().count() == 0 and RepositoryRelease.select().count() == 0


def release_repo(tmp_path, rpms, version="9.2.10"):
    return repo_builder.yum_repository(tmp_path / "release", [rpms[version]])


@pytest.mark.parametrize("fault", ["kill", "kill-nolength"])
@pytest.mark.parametrize("path", ["repomd.xml", "primary"])
def test_killed_mid_transfer_records_nothing_and_the_next_scan_records_once(
    tmp_path, rpms, people, fault, path
):
    ticket = waiting_in_umd(people, 1, "9.2.10")
    release_repo(tmp_path, rpms)
    with FaultyRepoServer(tmp_path) as server:
        RepositorySource.create(name="UMD 5 release", url=server.url("release/"), channel="release")
        server.plan = {path: [fault]}
        cut = scan_repositories(at=T0 + timedelta(days=2))
        assert (cut.repositories_failed, cut.releases_recorded) == (1, 0)
        assert len(cut.error_list) == 1 and cut.error_list[0].endswith(
            "Nothing of it was recorded."
        )
        assert nothing_recorded() and SeenPackage.select().count() == 0
        healed = scan_repositories(at=T0 + timedelta(days=3))
        again = scan_repositories(at=T0 + timedelta(days=4))
    assert (healed.releases_recorded, healed.tickets_closed) == (1, 1)
    assert (again.releases_recorded, again.tickets_closed) == (0, 0)
    assert Release.select().count() == 1 and closings(ticket) == 1


def test_an_apt_index_killed_mid_transfer_records_nothing(tmp_path, people):
    Component.create(name="XRootD", slug="xrootd", packages="xrootd-client")
    deb = repo_builder.build_deb(tmp_path / "debs", "xrootd-client", "5.6.1-1")
    repo_builder.apt_repository(tmp_path / "apt", [deb])
    with FaultyRepoServer(tmp_path) as server:
        RepositorySource.create(
            name="UMD 5 Debian", url=server.url("apt/"), kind="apt", channel="release"
        )
        server.plan = {"Packages": ["kill"], "Release": ["kill-nolength"]}
        first = scan_repositories(at=T0)
        second = scan_repositories(at=T0 + timedelta(days=1))
        healed = scan_repositories(at=T0 + timedelta(days=2))
    assert (first.releases_recorded, second.releases_recorded) == (0, 0)
    assert first.repositories_failed == second.repositories_failed == 1
    assert healed.releases_recorded == 1
    assert RepositoryRelease.select().count() == 1


def test_a_server_trickling_bytes_is_given_up_at_the_scan_s_timeout(tmp_path, rpms, people):
    """Each byte comes within requests' per-read timeout; the whole file never does. The
    scan's timeout is for the whole file, so a trickling mirror cannot hold the scan (and the
    job runner behind it) for hours."""
    release_repo(tmp_path, rpms)
    with FaultyRepoServer(tmp_path, trickle=0.05, slow_for=20) as server:
        RepositorySource.create(name="UMD 5 release", url=server.url("release/"), channel="release")
        server.plan = {"repomd.xml": ["slow"]}
        scan = scan_repositories(at=T0, timeout=1)
    assert scan.repositories_failed == 1
    assert scan.error_list == [
        f"UMD 5 release: {server.url('release/repodata/repomd.xml')} did not answer within 1 s."
        " Nothing of it was recorded."
    ]
    assert nothing_recorded()


GARBAGE = [
    ("repomd.xml", "garbage:0", "declares a document type or entities; it was not read."),
    ("repomd.xml", "garbage:1", "is not well-formed XML"),
    ("repomd.xml", "garbage:2", "missing-primary.xml.gz answered HTTP 404."),
    ("repomd.xml", "garbage:3", "does not match the checksum repomd.xml gives for it."),
    ("primary", "garbage:0", "does not match the checksum repomd.xml gives for it."),
    ("primary", "garbage:1", "does not match the checksum repomd.xml gives for it."),
    ("repomd.xml", "5xx", "answered HTTP 503."),
]


@pytest.mark.parametrize(("path", "fault", "said"), GARBAGE)
def test_garbage_is_one_sentence_on_the_scan(tmp_path, rpms, people, path, fault, said):
    ticket = waiting_in_umd(people, 1, "9.2.10")
    release_repo(tmp_path, rpms)
    with FaultyRepoServer(tmp_path) as server:
        RepositorySource.create(name="UMD 5 release", url=server.url("release/"), channel="release")
        server.plan = {path: [fault]}
        scan = scan_repositories(at=T0 + timedelta(days=2))
        healed = scan_repositories(at=T0 + timedelta(days=3))
    assert len(scan.error_list) == 1
    assert said in scan.error_list[0]
    assert scan.error_list[0].endswith(". Nothing of it was recorded.")
    assert scan.error_list[0].count(". ") == 1  # one sentence, then the scan's own
    assert scan.releases_recorded == 0
    assert (healed.releases_recorded, healed.tickets_closed) == (1, 1)
    assert closings(ticket) == 1


@pytest.mark.parametrize("keep_old_files", [False, True])
def test_a_repository_changing_mid_scan_records_one_snapshot_or_nothing(
    tmp_path, rpms, people, keep_old_files
):
    """A new snapshot is published between reading repomd.xml and reading the primary it
    names. createrepo_c names the primary by its checksum: the old one is gone (404, nothing
    recorded) or, on a mirror that keeps old files a while, still the old snapshot whole."""
    older = waiting_in_umd(people, 1, "9.2.10")
    newer = waiting_in_umd(people, 2, "9.2.11")
    release_repo(tmp_path, rpms, "9.2.10")
    kept = tmp_path / "kept"

    def publish():
        old = repo_builder.primary_path(tmp_path / "release")
        kept.write_bytes(old.read_bytes())
        repo_builder.yum_repository(tmp_path / "release", [rpms["9.2.10"], rpms["9.2.11"]])
        if keep_old_files:
            old.write_bytes(kept.read_bytes())

    with FaultyRepoServer(tmp_path, publish=publish) as server:
        RepositorySource.create(name="UMD 5 release", url=server.url("release/"), channel="release")
        server.plan = {"primary": ["change"]}
        during = scan_repositories(at=T0 + timedelta(days=2))
        if keep_old_files:
            assert (during.releases_recorded, during.tickets_closed) == (1, 1)
            assert [r.version for r in Release.select()] == ["9.2.10-1.el9"]
        else:
            assert during.repositories_failed == 1 and nothing_recorded()
        after = scan_repositories(at=T0 + timedelta(days=3))
    # the healed scan reads the new snapshot: 9.2.11 closes both (the newest of a component)
    expected = ["9.2.10-1.el9", "9.2.11-1.el9"] if keep_old_files else ["9.2.11-1.el9"]
    assert sorted(r.version for r in Release.select()) == expected
    assert after.releases_recorded == 1
    assert closings(older) == closings(newer) == 1


def test_a_scan_beside_staff_steps_on_the_same_tickets_loses_neither(app, tmp_path, rpms, people):
    """Staff comment on the tickets the scan closes, from their own connections, while the
    scan runs: every comment is kept, every ticket is closed once, no step is refused."""
    tickets = [waiting_in_umd(people, n, "9.2.10") for n in range(1, 9)]
    release_repo(tmp_path, rpms)
    failures: list[str] = []
    go = threading.Event()

    def staff(offset: int) -> None:
        with app.app_context():
            database.connect(reuse_if_open=True)
            try:
                go.wait(10)
                for round_ in range(3):
                    for ticket in tickets[offset::2]:
                        fresh = Ticket.get_by_id(ticket.id)
                        workflow.add_comment(
                            fresh, people["resolver"], f"round {round_} on {ticket.ggus_id}"
                        )
            except Exception as error:  # noqa: BLE001 - the test reports any
                failures.append(f"{type(error).__name__}: {error}")
            finally:
                database.close()

    threads = [threading.Thread(target=staff, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    with FaultyRepoServer(tmp_path) as server:
        RepositorySource.create(name="UMD 5 release", url=server.url("release/"), channel="release")
        go.set()
        scan = scan_repositories(at=T0 + timedelta(days=2))
        for thread in threads:
            thread.join(60)
        again = scan_repositories(at=T0 + timedelta(days=3))
    assert failures == []
    assert (scan.releases_recorded, scan.tickets_closed) == (1, len(tickets))
    assert again.releases_recorded == 0
    for ticket in tickets:
        assert closings(ticket) == 1
        assert Ticket.get_by_id(ticket.id).status == "closed"
        comments = TicketEvent.select().where(
            TicketEvent.ticket == ticket.id, TicketEvent.text.startswith("round ")
        )
        assert comments.count() == 3


def test_a_staff_step_committed_while_the_scan_reads_does_not_fail_the_scan(
    app, tmp_path, rpms, people
):
    """A supporter's comment is committed after the scan listed the repositories and before
    it writes what the first one yielded (here: from the server's thread, while it answers
    for the primary). On SQLite the scan's write lock then came after an older read snapshot
    (the list of repositories still being read), which SQLite refuses at once with "database
    is locked", whatever the busy timeout: the scan crashed and recorded nothing."""
    ticket = waiting_in_umd(people, 1, "9.2.10")
    release_repo(tmp_path, rpms)
    repo_builder.yum_repository(tmp_path / "testing", [rpms["9.2.11"]])
    commented: list[str] = []

    def comment_meanwhile() -> None:
        with app.app_context():
            database.connect(reuse_if_open=True)
            try:
                workflow.add_comment(Ticket.get_by_id(ticket.id), people["resolver"], "meanwhile")
                commented.append("meanwhile")
            finally:
                database.close()

    with FaultyRepoServer(tmp_path, publish=comment_meanwhile) as server:
        RepositorySource.create(name="UMD 5 release", url=server.url("release/"), channel="release")
        RepositorySource.create(name="UMD 5 testing", url=server.url("testing/"), channel="testing")
        server.plan = {"release/repodata/repomd.xml": ["change"]}
        scan = scan_repositories(at=T0 + timedelta(days=2))
    assert commented == ["meanwhile"]
    assert (scan.repositories_read, scan.releases_recorded, scan.tickets_closed) == (2, 2, 1)
    assert closings(ticket) == 1
    assert TicketEvent.select().where(TicketEvent.text == "meanwhile").count() == 1


def test_two_scans_at_once_record_each_release_once(app, tmp_path, rpms, people):
    """The hourly job and an admin's "scan now" overlapping: each release, and each ticket's
    closing, is recorded once, and neither scan fails."""
    tickets = [waiting_in_umd(people, n, "9.2.10") for n in range(1, 5)]
    release_repo(tmp_path, rpms)
    results: list = []
    failures: list[str] = []

    def scan(day: int) -> None:
        with app.app_context():
            database.connect(reuse_if_open=True)
            try:
                results.append(scan_repositories(at=T0 + timedelta(days=day)))
            except Exception as error:  # noqa: BLE001 - the test reports any
                failures.append(f"{type(error).__name__}: {error}")
            finally:
                database.close()

    with FaultyRepoServer(tmp_path) as server:
        RepositorySource.create(name="UMD 5 release", url=server.url("release/"), channel="release")
        threads = [threading.Thread(target=scan, args=(day,)) for day in (2, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert failures == []
    assert sorted(r.releases_recorded for r in results) == [0, 1]
    assert Release.select().count() == 1
    assert RepositoryRelease.select().count() == 1
    for ticket in tickets:
        assert closings(ticket) == 1


def test_a_version_withdrawn_put_back_and_withdrawn_again_is_recorded_withdrawn_once(
    tmp_path, rpms, people
):
    """A flapping testing mirror (the faults run's publisher): 9.2.11 comes, goes, comes back
    and goes again. It is delivered once, withdrawn (and rejected) once, and nothing more."""
    ticket = waiting_in_umd(people, 1, "9.2.11")
    testing = tmp_path / "testing"
    with FaultyRepoServer(tmp_path) as server:
        RepositorySource.create(name="UMD 5 testing", url=server.url("testing/"), channel="testing")
        for day, version in enumerate(["9.2.11", "9.2.10", "9.2.11", "9.2.10", "9.2.11"]):
            repo_builder.yum_repository(testing, [rpms[version]])
            scan = scan_repositories(at=T0 + timedelta(days=2 + day))
            assert scan.repositories_failed == 0
    actions = [
        (r.version, r.action) for r in RepositoryRelease.select().order_by(RepositoryRelease.id)
    ]
    assert actions == [("9.2.11-1.el9", "delivered"), ("9.2.11-1.el9", "withdrawn")]
    assert Release.get(Release.version == "9.2.11-1.el9").status == "rejected"
    assert Ticket.get_by_id(ticket.id).status != "closed"


def test_a_scan_stopped_while_recording_is_finished_by_the_next_once(tmp_path, rpms, people):
    """Each release is its own transaction and the snapshot comes last: a scan that dies after
    recording the first of two releases (the process killed; here a step listener raising on
    the second release's closing step) leaves the old snapshot, and the next scan records the
    second release only."""
    Component.create(name="ARGUS", slug="argus", packages="argus-pap")
    dcache = waiting_in_umd(people, 1, "9.2.10")
    argus = workflow.create_ticket(people["tpm"], ggus_id=2, subject="T2", component="ARGUS", at=T0)
    workflow.route_to_dmsu(argus, people["tpm"], at=T0 + timedelta(hours=1))
    workflow.reassign_to_third_line(
        argus, people["assigner"], "dCache", note="defect", at=T0 + timedelta(hours=2)
    )
    workflow.deliver_fix(argus, people["resolver"], "1.7.4-2.el9", at=T0 + timedelta(days=1))
    repo_builder.yum_repository(tmp_path / "release", [rpms["9.2.10"], rpms["argus-1.7.4"]])

    def die_on_argus(events) -> None:
        if any((event.change or {}).get("component") == "ARGUS" for event in events):
            raise RuntimeError("the scan's process died here")

    step_listeners.register("test-die", die_on_argus)
    try:
        with FaultyRepoServer(tmp_path) as server:
            RepositorySource.create(
                name="UMD 5 release", url=server.url("release/"), channel="release"
            )
            with pytest.raises(RuntimeError):
                scan_repositories(at=T0 + timedelta(days=2))
            assert [r.version for r in Release.select()] == ["9.2.10-1.el9"]
            assert SeenPackage.select().count() == 0
            step_listeners.unregister("test-die")
            resumed = scan_repositories(at=T0 + timedelta(days=3))
            again = scan_repositories(at=T0 + timedelta(days=4))
    finally:
        step_listeners.unregister("test-die")
    assert (resumed.releases_recorded, resumed.tickets_closed) == (1, 1)
    assert again.releases_recorded == 0
    assert sorted(r.version for r in Release.select()) == ["1.7.4-2.el9", "9.2.10-1.el9"]
    assert RepositoryRelease.select().count() == 2
    assert closings(dcache) == closings(argus) == 1
