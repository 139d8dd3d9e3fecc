"""The repositories page and the scans box on the releases page: who sees and changes what,
CSRF-protected forms, bad input as one sentence."""

from __future__ import annotations

import pytest

from dmsu.cheatsheet.models import Component
from dmsu.repositories.models import RepositoryScan, RepositorySource
from tests.support import repo_builder


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    rpm = repo_builder.build_rpm(root / "work", "argus-pap", "1.7.4", "2")
    repo_builder.yum_repository(root / "release", [rpm])
    with repo_builder.RepoServer(root) as server:
        yield server


@pytest.mark.parametrize(
    ("role", "status"), [("tpm", 200), ("resolver", 200), ("assigner", 200), ("admin", 200)]
)
def test_staff_see_the_scans(clients, role, status):
    assert clients[role].get("/repositories/").status_code == status


def test_readers_are_sent_to_log_in(client):
    response = client.get("/repositories/")
    assert response.status_code in (302, 401)


def test_an_admin_adds_a_repository_and_an_assigner_scans(clients, served):
    Component.create(name="ARGUS", slug="argus", packages="argus-pap")
    form = {
        "name": "UMD 5 release",
        "kind": "yum",
        "channel": "release",
        "url": served.url("release/"),
    }
    assert clients["assigner"].form("/repositories/sources", form).status_code == 403
    assert clients["admin"].form("/repositories/sources", form).status_code == 302
    assert RepositorySource.get().url == served.url("release/")
    assert clients["resolver"].form("/repositories/scan").status_code == 403
    response = clients["assigner"].form("/repositories/scan")
    assert response.status_code == 302
    scan = RepositoryScan.get()
    assert (scan.trigger, scan.releases_recorded) == ("page", 1)
    page = clients["tpm"].get("/repositories/")
    assert "ARGUS 1.7.4-2.el9" in page.text and "1 releases recorded" in page.text
    releases = clients["tpm"].get("/tickets/releases")
    assert "Releases seen in the repositories" in releases.text
    assert "ARGUS 1.7.4-2.el9" in releases.text


def test_a_bad_repository_is_one_sentence_and_keeps_the_input(clients):
    form = {"name": "UMD 5 release", "kind": "yum", "channel": "stable", "url": "http://x/"}
    response = clients["admin"].form("/repositories/sources", form)
    assert response.status_code == 400
    assert "&#39;stable&#39; is not a UMD channel" in response.text
    assert 'value="UMD 5 release"' in response.text
    assert RepositorySource.select().count() == 0


def test_pause_and_resume(clients):
    made = RepositorySource.create(name="A", url="http://x/", kind="yum", channel="base")
    clients["admin"].form(f"/repositories/sources/{made.id}", {"enabled": "0"})
    assert not RepositorySource.get_by_id(made.id).enabled
    clients["admin"].form(f"/repositories/sources/{made.id}", {"enabled": "1"})
    assert RepositorySource.get_by_id(made.id).enabled


def test_a_failed_scan_shows_its_sentence(clients, served):
    RepositorySource.create(name="UMD 4 gone", url=served.url("gone/"), kind="yum", channel="base")
    clients["assigner"].form("/repositories/scan")
    page = clients["assigner"].get("/repositories/")
    assert "could not be read" in page.text
    assert "answered HTTP 404. Nothing of it was recorded." in page.text


def test_the_ticket_page_says_which_repository_release_closed_it(clients, served, make_user):
    from datetime import UTC, datetime, timedelta

    from dmsu.tickets import workflow
    from dmsu.tickets.units import SupportUnit

    unit = SupportUnit.create(name="ARGUS", kind="third_line")
    Component.create(name="ARGUS", slug="argus", support_unit=unit, packages="argus-pap")
    tpm, assigner = make_user("tpm", "tom2"), make_user("assigner", "alice2")
    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    ticket = workflow.create_ticket(tpm, ggus_id=4242, subject="PAP", component="ARGUS", at=at)
    workflow.route_to_dmsu(ticket, tpm, at=at + timedelta(hours=1))
    workflow.reassign_to_third_line(ticket, assigner, "ARGUS", note="x", at=at + timedelta(hours=2))
    workflow.deliver_fix(ticket, assigner, "1.7.4", at=at + timedelta(days=1))
    RepositorySource.create(
        name="UMD 5 release", url=served.url("release/"), kind="yum", channel="release"
    )
    clients["assigner"].form("/repositories/scan")
    page = clients["resolver"].get("/tickets/4242")
    assert "ARGUS 1.7.4-2.el9 passed UMD verification and stage rollout." in page.text
    assert "Seen in UMD 5 release (release, http://127.0.0.1:" in page.text


def test_the_sweep_shows_the_version_delivered_to_testing(clients, make_ticket):
    from dmsu.tickets.models import Release

    make_ticket(
        77,
        fixed_version="1.2",
        component="CREAM CE",
        events=[
            {"at": "2013-01-10T09:00:00+00:00", "type": "assigned", "support_unit": "UMD release"}
        ],
    )
    Release.create(component=Component.get(Component.name == "CREAM CE"), version="1.3-1.el9")
    page = clients["resolver"].get("/sweep")
    assert "1.3-1.el9 in testing" in page.text


def test_what_a_hostile_repository_says_is_shown_as_text(clients):
    """Package names and error sentences come from other servers: escaped, never markup."""
    RepositoryScan.create(
        unknown_packages="<script>alert(1)</script>", errors="R: <img src=x onerror=alert(1)>."
    )
    page = clients["tpm"].get("/repositories/").text
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
