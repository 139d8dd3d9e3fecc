"""The UMD release stage (seed 001) and solution digests (seed 000)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dmsu.auth.permissions import PermissionDenied
from dmsu.cheatsheet.models import Component
from dmsu.tickets import workflow
from dmsu.tickets.models import Release, Ticket, TicketEvent
from dmsu.tickets.units import SupportUnit
from dmsu.tickets.workflow.events import replay, summary_of
from dmsu.wiki.models import Page

T0 = datetime(2013, 2, 11, 9, 0, tzinfo=UTC)


@pytest.fixture
def people(make_user):
    return {role: make_user(role, role) for role in ("tpm", "resolver", "assigner", "admin")}


@pytest.fixture
def units(app):
    cream = SupportUnit.create(name="CREAM", kind="third_line")
    Component.create(name="CREAM CE", slug="cream-ce", support_unit=cream)
    Component.create(name="BDII top", slug="bdii-top")
    return cream


def at_third_line(people, ggus_id, component="CREAM CE"):
    ticket = workflow.create_ticket(
        people["tpm"], ggus_id=ggus_id, subject=f"T{ggus_id}", component=component, at=T0
    )
    workflow.route_to_dmsu(ticket, people["tpm"], at=T0 + timedelta(hours=1))
    workflow.reassign_to_third_line(
        ticket, people["assigner"], "CREAM", note="defect", at=T0 + timedelta(hours=2)
    )
    return ticket


def delivered(people, ggus_id, version, component="CREAM CE"):
    ticket = at_third_line(people, ggus_id, component)
    workflow.deliver_fix(ticket, people["resolver"], version, at=T0 + timedelta(days=1))
    return ticket


def fresh(ticket):
    return Ticket.get_by_id(ticket.id)


def test_a_delivered_fix_goes_to_umd_release_instead_of_closing(people, units):
    ticket = delivered(people, 1, "1.4.3")
    ticket = fresh(ticket)
    assert (ticket.support_unit.name, ticket.fixed_version, ticket.status) == (
        "UMD release",
        "1.4.3",
        "assigned",
    )
    assert ticket.is_open
    assert summary_of(ticket) == replay(ticket)


def test_delivering_a_fix_needs_a_version_and_a_component(people, units):
    ticket = at_third_line(people, 1, component=None)
    with pytest.raises(workflow.WorkflowError, match="component"):
        workflow.deliver_fix(ticket, people["resolver"], "1.0")
    with pytest.raises(workflow.WorkflowError, match="not a version"):
        workflow.deliver_fix(ticket, people["resolver"], "soon")
    with pytest.raises(PermissionDenied):
        workflow.deliver_fix(ticket, people["tpm"], "1.0")


def test_a_verified_release_closes_this_and_older_versions_compared_as_versions(people, units):
    older = delivered(people, 1, "1.9")
    same = delivered(people, 2, "1.10")
    newer = delivered(people, 3, "1.10.1")
    other = delivered(people, 4, "1.2", component="BDII top")
    closed = workflow.record_release("CREAM CE", "1.10", "verified", people["assigner"], at=T0)
    assert sorted(t.ggus_id for t in closed) == [1, 2]
    assert fresh(older).status == "closed" and fresh(same).status == "closed"
    assert fresh(newer).status == "assigned" and fresh(other).status == "assigned"
    event = TicketEvent.get(TicketEvent.ticket == older.id, TicketEvent.status == "closed")
    assert event.actor_role == "system" and "CREAM CE 1.10" in event.text
    assert summary_of(older) == replay(older)


def test_a_release_seen_in_a_repository_says_so_on_the_tickets_it_closes(people, units):
    """The repository scan passes where it saw the release: the closing event tells it."""
    ticket = delivered(people, 1, "1.9")
    source = (
        "UMD 5 release (https://repository.egi.eu/umd/5/al9/release/x86_64/), scan of 2013-02-12"
    )
    closed = workflow.record_release(
        "CREAM CE", "1.10-1.el9", "verified", workflow.SYSTEM, at=T0, source=source
    )
    assert [t.ggus_id for t in closed] == [1]
    event = TicketEvent.get(TicketEvent.ticket == ticket.id, TicketEvent.status == "closed")
    assert event.text.endswith(f"Seen in {source}.")
    assert event.change["source"] == source and event.change["release"] == "1.10-1.el9"
    assert Release.get().note == source
    with pytest.raises(workflow.WorkflowError, match="source is too long"):
        workflow.record_release("CREAM CE", "1.11", "verified", workflow.SYSTEM, source="x" * 1501)


def test_a_rejected_release_closes_nothing(people, units):
    ticket = delivered(people, 1, "2.0")
    assert workflow.record_release("CREAM CE", "2.0", "rejected", people["assigner"]) == []
    assert fresh(ticket).status == "assigned"
    assert Release.get().status == "rejected"
    with pytest.raises(workflow.WorkflowError, match="already rejected"):
        workflow.record_release("CREAM CE", "2.0", "verified", people["assigner"])
    assert fresh(ticket).status == "assigned"


def test_delivered_then_verified_updates_the_release_row(people, units):
    ticket = delivered(people, 1, "2.0")
    assert workflow.record_release("CREAM CE", "2.0", "delivered", people["assigner"]) == []
    assert fresh(ticket).status == "assigned"
    closed = workflow.record_release("CREAM CE", "2.0", "verified", people["assigner"])
    assert [t.ggus_id for t in closed] == [1]
    assert Release.select().count() == 1 and Release.get().status == "verified"
    # recording the same verified release again is harmless
    assert workflow.record_release("CREAM CE", "2.0", "verified", people["assigner"]) == []


def test_on_hold_tickets_targeted_at_the_release_become_solved(people, units):
    ticket = workflow.create_ticket(
        people["tpm"], ggus_id=7, subject="known", component="CREAM CE", at=T0
    )
    workflow.route_to_dmsu(ticket, people["tpm"], at=T0)
    workflow.update_fields(ticket, people["resolver"], fixed_version="3.1", at=T0)
    workflow.change_status(ticket, people["resolver"], "on hold", note="known bug", at=T0)
    later = workflow.create_ticket(
        people["tpm"], ggus_id=8, subject="later", component="CREAM CE", at=T0
    )
    workflow.route_to_dmsu(later, people["tpm"], at=T0)
    workflow.update_fields(later, people["resolver"], fixed_version="3.2", at=T0)
    workflow.change_status(later, people["resolver"], "on hold", at=T0)
    changed = workflow.record_release("CREAM CE", "3.1", "verified", people["admin"])
    assert [t.ggus_id for t in changed] == [7]
    assert fresh(ticket).status == "solved"
    assert fresh(later).status == "on hold"


@pytest.mark.parametrize(
    "role, allowed", [("tpm", False), ("resolver", False), ("assigner", True), ("admin", True)]
)
def test_only_assigners_record_releases(people, units, role, allowed):
    if allowed:
        workflow.record_release("CREAM CE", "1.0", "delivered", people[role])
        assert Release.select().count() == 1
    else:
        with pytest.raises(PermissionDenied):
            workflow.record_release("CREAM CE", "1.0", "delivered", people[role])


@pytest.mark.parametrize(
    "args, message",
    [
        (("CREAM CE", "1.0", "shipped"), "not a release status"),
        (("Nope", "1.0", "verified"), "no component named"),
        (("CREAM CE", "next", "verified"), "not a version"),
    ],
)
def test_bad_release_input_is_refused(people, units, args, message):
    with pytest.raises(workflow.WorkflowError, match=message):
        workflow.record_release(*args, people["assigner"])
    assert Release.select().count() == 0


def test_solution_digest_link_and_dismissal(people, units):
    ticket = at_third_line(people, 1)
    page = Page.create(slug="cream-fix", title="CREAM fix")
    with pytest.raises(workflow.WorkflowError, match="once the ticket is solved"):
        workflow.dismiss_solution_digest(ticket, people["resolver"], reason="trivial")
    workflow.change_status(ticket, workflow.SYSTEM, "solved", note="fixed upstream")
    event = workflow.link_solution_digest(ticket, people["resolver"], page)
    assert event.kind == "digest" and Page.get_by_id(page.id).ticket_id == ticket.id
    other = at_third_line(people, 2)
    with pytest.raises(workflow.WorkflowError, match="another ticket"):
        workflow.link_solution_digest(other, people["resolver"], Page.get_by_id(page.id))
    workflow.change_status(other, workflow.SYSTEM, "solved", note="x")
    with pytest.raises(PermissionDenied):
        workflow.dismiss_solution_digest(other, people["tpm"], reason="trivial")
    event = workflow.dismiss_solution_digest(other, people["resolver"], reason="a typo fix")
    assert event.kind == "digest" and event.text == "a typo fix"
