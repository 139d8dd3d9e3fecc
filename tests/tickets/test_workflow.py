"""The ticket workflow: transitions, routing rules, ETA revisions, and the event log matching
the summary columns."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dmsu.auth.permissions import PermissionDenied
from dmsu.cheatsheet.models import Component
from dmsu.tickets import workflow
from dmsu.tickets.models import Ticket, TicketEvent, TicketInvolvement
from dmsu.tickets.units import SupportUnit
from dmsu.tickets.workflow.events import replay, summary_of, timeline

T0 = datetime(2013, 2, 11, 9, 0, tzinfo=UTC)


@pytest.fixture
def people(make_user):
    return {role: make_user(role, role) for role in ("tpm", "resolver", "assigner", "admin")}


@pytest.fixture
def cream(app):
    unit = SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2")
    component = Component.create(name="CREAM CE", slug="cream-ce", support_unit=unit)
    return component


def new_ticket(actor, ggus_id=91039, **fields):
    fields.setdefault("subject", "Jobs stuck in REALLY-RUNNING")
    return workflow.create_ticket(actor, ggus_id=ggus_id, at=T0, **fields)


def at(hours):
    return T0 + timedelta(hours=hours)


def fresh(ticket):
    return Ticket.get_by_id(ticket.id)


def assert_summary_matches_events(ticket):
    assert summary_of(ticket) == replay(ticket)


def test_a_recorded_ticket_starts_new_in_the_tpm_queue(people, cream):
    ticket = new_ticket(people["tpm"], component="CREAM CE", description="It *hangs*.")
    ticket = fresh(ticket)
    assert ticket.status == "new"
    assert ticket.support_unit.name == "TPM"
    assert ticket.component == cream
    assert "<em>hangs</em>" in ticket.description_html
    (event,) = timeline(ticket)
    assert (event.kind, event.support_unit.name, event.from_unit, event.actor_role) == (
        "assigned",
        "TPM",
        None,
        "tpm",
    )
    assert_summary_matches_events(ticket)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"subject": "  "}, "needs a subject"),
        ({"priority": "whenever"}, "not a priority"),
        ({"category": "gossip"}, "not a category"),
        ({"component": "No such thing"}, "no component named"),
    ],
)
def test_creating_a_ticket_refuses_bad_fields(people, fields, message):
    with pytest.raises(workflow.WorkflowError, match=message):
        new_ticket(people["tpm"], **fields)
    assert Ticket.select().count() == 0


def test_the_same_ggus_id_cannot_be_recorded_twice(people):
    new_ticket(people["tpm"])
    with pytest.raises(workflow.WorkflowError, match="already recorded"):
        new_ticket(people["tpm"])


def test_tpm_routes_to_dmsu_and_the_event_remembers_where_it_came_from(people):
    ticket = new_ticket(people["tpm"])
    event = workflow.route_to_dmsu(ticket, people["tpm"], note="middleware", at=at(1))
    assert (event.from_unit.name, event.support_unit.name) == ("TPM", "DMSU")
    ticket = fresh(ticket)
    assert (ticket.status, ticket.support_unit.name, ticket.unit_since) == (
        "assigned",
        "DMSU",
        at(1),
    )
    assert ticket.updated_at == at(1)
    kinds = [(e.kind, e.status) for e in timeline(ticket)]
    assert kinds == [("assigned", None), ("assigned", None), ("status", "assigned")]
    assert_summary_matches_events(ticket)


def test_routing_to_the_unit_holding_the_ticket_is_refused(people):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"])
    with pytest.raises(workflow.WorkflowError, match="already with DMSU"):
        workflow.route_to_dmsu(ticket, people["tpm"])


def test_only_assigners_and_admins_reassign_to_third_line(people, cream):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"])
    for role in ("tpm", "resolver"):
        with pytest.raises(PermissionDenied):
            workflow.reassign_to_third_line(ticket, people[role], "CREAM", note="defect")
        with pytest.raises(PermissionDenied):
            workflow.assign(ticket, people[role], "CREAM")
    workflow.reassign_to_third_line(ticket, people["assigner"], "CREAM", note="defect")
    assert fresh(ticket).support_unit.name == "CREAM"


def test_reassigning_to_third_line_needs_a_description_and_a_third_line_unit(people, cream):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"])
    with pytest.raises(workflow.WorkflowError, match="Describe the problem"):
        workflow.reassign_to_third_line(ticket, people["assigner"], "CREAM", note=" ")
    with pytest.raises(workflow.WorkflowError, match="not a 3rd-line"):
        workflow.reassign_to_third_line(ticket, people["assigner"], "TPM", note="x")


def test_reassigning_with_an_eta_records_the_eta_event(people, cream):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"], at=at(1))
    workflow.update_fields(ticket, people["resolver"], postponed=True, at=at(2))
    workflow.reassign_to_third_line(
        ticket,
        people["assigner"],
        "CREAM",
        note="Reproduce with ...",
        eta=date(2013, 3, 1),
        at=at(3),
    )
    ticket = fresh(ticket)
    assert ticket.eta_due == date(2013, 3, 1)
    assert ticket.postponed is False
    eta = TicketEvent.get(TicketEvent.kind == "eta")
    assert (eta.due, eta.support_unit.name, eta.at) == (date(2013, 3, 1), "CREAM", at(3))
    assert_summary_matches_events(ticket)


def test_eta_revisions_are_new_events_and_the_initial_one_is_kept(people, cream):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"], at=at(1))
    workflow.reassign_to_third_line(
        ticket, people["assigner"], "CREAM", note="defect", eta=date(2013, 3, 1), at=at(2)
    )
    workflow.record_eta(ticket, people["resolver"], date(2013, 4, 1), note="slipped", at=at(30))
    etas = list(TicketEvent.select().where(TicketEvent.kind == "eta").order_by(TicketEvent.at))
    assert [e.due for e in etas] == [date(2013, 3, 1), date(2013, 4, 1)]
    assert fresh(ticket).eta_due == date(2013, 4, 1)
    assert_summary_matches_events(ticket)


def test_an_eta_needs_a_third_line_unit_and_a_date(people, cream):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"])
    with pytest.raises(workflow.WorkflowError, match="3rd-line unit's promise"):
        workflow.record_eta(ticket, people["assigner"], date(2013, 3, 1))
    with pytest.raises(PermissionDenied):
        workflow.record_eta(ticket, people["tpm"], date(2013, 3, 1))


def test_lack_of_expertise_keeps_dmsu_involved(people, cream):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"], at=at(1))
    workflow.reassign_to_third_line(
        ticket, people["assigner"], "CREAM", note="beyond us", lack_of_expertise=True, at=at(2)
    )
    ticket = fresh(ticket)
    assert ticket.lack_of_expertise is True
    involved = [i.support_unit.name for i in TicketInvolvement.select()]
    assert involved == ["DMSU"]
    assert TicketEvent.select().where(TicketEvent.kind == "involved").count() == 1
    assert_summary_matches_events(ticket)
    # back with DMSU: it holds the ticket, so it is no longer merely "involved"
    workflow.route_to_dmsu(ticket, people["assigner"], at=at(3))
    assert TicketInvolvement.select().count() == 0
    assert_summary_matches_events(fresh(ticket))


def test_send_back_to_tpm_needs_a_reason_and_dmsu(people):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"])
    with pytest.raises(workflow.WorkflowError, match="Say why"):
        workflow.send_back_to_tpm(ticket, people["resolver"], reason="")
    with pytest.raises(PermissionDenied):
        workflow.send_back_to_tpm(ticket, people["tpm"], reason="not ours")
    event = workflow.send_back_to_tpm(ticket, people["resolver"], reason="An operations issue")
    assert (event.from_unit.name, event.support_unit.name) == ("DMSU", "TPM")
    assert "operations issue" in event.html
    assert event.public is False


@pytest.mark.parametrize(
    "path, target, message",
    [
        (["solved", "closed"], "in progress", "closed ticket can only be reopened"),
        ([], "verified", "Only a solved or unsolved ticket can be verified"),
        ([], "reopened", "Only a solved, unsolved, verified or closed"),
        (["waiting for reply"], "waiting for reply", "already waiting for reply"),
        (["solved"], "on hold", "A solved ticket can only become"),
        ([], "pending", "not a ticket status"),
    ],
)
def test_illegal_status_moves_are_refused_with_one_sentence(people, path, target, message):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"])
    for status in path:
        workflow.change_status(ticket, people["resolver"], status, note="done")
    before = TicketEvent.select().count()
    with pytest.raises(workflow.WorkflowError, match=message):
        workflow.change_status(ticket, people["resolver"], target, note="x")
    assert TicketEvent.select().count() == before
    assert fresh(ticket).status == ticket.status


@pytest.mark.parametrize(
    "path",
    [
        ["in progress", "waiting for reply", "in progress", "on hold", "in progress"],
        ["solved", "verified", "closed", "reopened", "in progress"],
        ["unsolved", "reopened", "waiting for reply", "closed"],
        ["solved", "reopened", "solved", "closed"],
    ],
)
def test_legal_status_paths_and_the_summary_follows_the_events(people, path):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"], at=at(1))
    for hour, status in enumerate(path, start=2):
        workflow.change_status(ticket, people["resolver"], status, note="because", at=at(hour))
    ticket = fresh(ticket)
    assert ticket.status == path[-1]
    statuses = [e.status for e in timeline(ticket) if e.kind == "status"]
    assert statuses == ["assigned", *path]
    assert_summary_matches_events(ticket)


def test_solving_needs_a_public_solution(people):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"])
    with pytest.raises(workflow.WorkflowError, match="Write the solution"):
        workflow.change_status(ticket, people["resolver"], "solved")
    with pytest.raises(workflow.WorkflowError, match="Write the solution"):
        workflow.change_status(ticket, people["resolver"], "solved", note="x", public=False)
    event = workflow.change_status(ticket, people["resolver"], "solved", note="Set `X=1`.")
    assert "<code>X=1</code>" in event.html and event.public


def test_the_system_closes_without_a_user(people):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"])
    workflow.change_status(ticket, people["resolver"], "waiting for reply", note="logs?")
    event = workflow.change_status(ticket, workflow.SYSTEM, "closed", note="No reply in 30 days.")
    assert (event.actor, event.actor_role) == (None, "system")


def test_tpm_changes_status_only_while_the_ticket_is_in_tpm(people):
    ticket = new_ticket(people["tpm"])
    workflow.change_status(ticket, people["tpm"], "in progress")
    workflow.route_to_dmsu(ticket, people["tpm"])
    with pytest.raises(PermissionDenied):
        workflow.change_status(ticket, people["tpm"], "in progress")


def test_comments_are_public_or_internal_and_rendered_safely(people):
    ticket = new_ticket(people["tpm"])
    public = workflow.add_comment(ticket, people["resolver"], "See <script>x</script> **this**")
    internal = workflow.add_comment(ticket, people["tpm"], "between us", public=False)
    third = workflow.add_comment(ticket, workflow.SYSTEM, "from CREAM", actor_role="third_line")
    assert public.public and not internal.public
    assert "<script>" not in public.html and "<strong>this</strong>" in public.html
    assert (public.actor_role, internal.actor_role, third.actor_role) == (
        "dmsu",
        "tpm",
        "third_line",
    )
    with pytest.raises(workflow.WorkflowError, match="Write something"):
        workflow.add_comment(ticket, people["resolver"], "   ")


def test_taking_a_ticket_and_assigning_it_to_someone(people, make_user):
    ticket = new_ticket(people["tpm"])
    resolver = people["resolver"]
    workflow.set_assignee(ticket, resolver, resolver)
    assert fresh(ticket).assignee == resolver
    other = make_user("resolver", "other")
    with pytest.raises(PermissionDenied):
        workflow.set_assignee(ticket, resolver, other)
    with pytest.raises(PermissionDenied):
        workflow.set_assignee(ticket, people["tpm"], people["tpm"])
    with pytest.raises(workflow.WorkflowError, match="not an active DMSU supporter"):
        workflow.set_assignee(ticket, people["assigner"], people["tpm"])
    workflow.set_assignee(ticket, people["assigner"], other)
    workflow.set_assignee(ticket, people["assigner"], None)
    ticket = fresh(ticket)
    assert ticket.assignee is None
    assert_summary_matches_events(ticket)


def test_escalation_is_an_event_for_assigners(people, cream):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"])
    workflow.reassign_to_third_line(ticket, people["assigner"], "CREAM", note="defect")
    with pytest.raises(PermissionDenied):
        workflow.escalate(ticket, people["resolver"], reason="ETA expired")
    with pytest.raises(workflow.WorkflowError, match="Say why"):
        workflow.escalate(ticket, people["assigner"], reason="")
    event = workflow.escalate(ticket, people["assigner"], reason="ETA expired twice")
    assert (event.kind, event.support_unit.name) == ("escalated", "CREAM")


def test_update_fields_records_one_event_per_change(people, cream):
    ticket = new_ticket(people["tpm"], description="old")
    events = workflow.update_fields(
        ticket, people["tpm"], priority="urgent", category="incident", component="CREAM CE"
    )
    assert len(events) == 3
    assert workflow.update_fields(ticket, people["tpm"], priority="urgent") == []
    with pytest.raises(PermissionDenied):
        workflow.update_fields(ticket, people["tpm"], workaround="restart it")
    events = workflow.update_fields(
        ticket,
        people["resolver"],
        broad_impact=True,
        workaround="Restart *tomcat*",
        description="new **text**",
    )
    ticket = fresh(ticket)
    assert ticket.broad_impact and ticket.workaround == "Restart *tomcat*"
    assert "<strong>text</strong>" in ticket.description_html
    with pytest.raises(workflow.WorkflowError, match="not a ticket field"):
        workflow.update_fields(ticket, people["resolver"], status="closed")
    with pytest.raises(workflow.WorkflowError, match="not a version"):
        workflow.update_fields(ticket, people["resolver"], fixed_version="latest")
    assert_summary_matches_events(ticket)


def test_involving_and_uninvolving_units(people, cream):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"])
    workflow.involve_unit(ticket, people["resolver"], "CREAM")
    with pytest.raises(workflow.WorkflowError, match="already involved"):
        workflow.involve_unit(ticket, people["resolver"], "CREAM")
    with pytest.raises(workflow.WorkflowError, match="holds the ticket"):
        workflow.involve_unit(ticket, people["resolver"], "DMSU")
    assert_summary_matches_events(fresh(ticket))
    workflow.uninvolve_unit(ticket, people["resolver"], "CREAM")
    with pytest.raises(workflow.WorkflowError, match="not involved"):
        workflow.uninvolve_unit(ticket, people["resolver"], "CREAM")
    assert_summary_matches_events(fresh(ticket))


def test_a_refused_step_writes_nothing(people, cream):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"])
    before = TicketEvent.select().count()
    with pytest.raises(workflow.WorkflowError):
        workflow.assign(ticket, people["assigner"], "UMD release")
    assert TicketEvent.select().count() == before
    assert fresh(ticket).support_unit.name == "DMSU"


def test_a_change_cannot_be_dated_before_the_tickets_last_change(people):
    ticket = new_ticket(people["tpm"])
    workflow.route_to_dmsu(ticket, people["tpm"], at=at(5))
    with pytest.raises(workflow.WorkflowError, match="cannot be dated before"):
        workflow.add_comment(ticket, people["resolver"], "late", at=at(4))
    assert TicketEvent.select().where(TicketEvent.kind == "comment").count() == 0
