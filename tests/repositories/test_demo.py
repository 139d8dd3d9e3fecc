"""The repositories demo: demo repositories written in the instance folder (no rpmbuild at run
time), scanned twice, so the releases shown came from a repository scan and closed the demo
tickets waiting in UMD release."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from dmsu.cheatsheet.models import Component
from dmsu.demo import DemoContext
from dmsu.repositories import demo, yum
from dmsu.repositories.models import RepositoryRelease, RepositoryScan
from dmsu.tickets import workflow
from dmsu.tickets.models import Release, Ticket
from dmsu.tickets.units import SupportUnit

END = datetime(2013, 5, 1, tzinfo=UTC)
T0 = END - timedelta(days=60)


def waiting(people, ggus_id, component, version):
    ticket = workflow.create_ticket(
        people["tpm"], ggus_id=ggus_id, subject=f"T{ggus_id}", component=component, at=T0
    )
    workflow.route_to_dmsu(ticket, people["tpm"], at=T0 + timedelta(hours=1))
    workflow.reassign_to_third_line(
        ticket, people["alice"], "CREAM", note="x", at=T0 + timedelta(hours=2)
    )
    workflow.deliver_fix(ticket, people["alice"], version, at=T0 + timedelta(days=1))
    return ticket


def test_the_demo_scans_demo_repositories_and_closes_tickets(app, make_user, tmp_path):
    app.instance_path = str(tmp_path)
    people = {"tpm": make_user("tpm", "tom"), "alice": make_user("assigner", "alice")}
    unit = SupportUnit.create(name="CREAM", kind="third_line")
    Component.create(name="CREAM CE", slug="cream-ce", support_unit=unit)
    Component.create(name="APEL", slug="apel", support_unit=unit, packages="apel-client")
    cream = waiting(people, 1, "CREAM CE", "1.16.4")
    apel = waiting(people, 2, "APEL", "2.3.0")
    ctx = DemoContext(n_tickets=0, rng=random.Random(1), end=END, users={})
    with app.app_context():
        summary = demo.load(ctx)
    assert summary.endswith("2 scans, 4 releases recorded, 2 tickets closed.")
    assert Ticket.get_by_id(cream.id).status == "closed"
    assert Ticket.get_by_id(apel.id).status == "closed"
    assert Component.get(Component.name == "CREAM CE").packages == "cream-ce"
    statuses = {(r.component.name, r.version): r.status for r in Release.select()}
    assert statuses == {
        ("CREAM CE", "1.16.4-1.el9"): "verified",
        ("APEL", "2.3.0-1.el9"): "verified",
        ("APEL", "2.3.0.99-1.el9"): "rejected",
    }
    assert RepositoryRelease.select().where(RepositoryRelease.action == "withdrawn").count() == 1
    scans = list(RepositoryScan.select().order_by(RepositoryScan.id))
    assert [s.trigger for s in scans] == ["demo", "demo"]
    assert scans[0].unknown_list == ["ca-policy-egi-core"]  # listed when first seen
    release = tmp_path / "demo-repositories/umd/5/al9/release/x86_64"
    assert len(yum.read(str(release))) == 3
    with app.app_context():
        assert demo.load(ctx) == "Repositories: already there."
