"""The permission matrix of the workflow: every role against every action."""

from __future__ import annotations

from datetime import date

import pytest

from dmsu.auth.permissions import PermissionDenied
from dmsu.tickets import workflow
from dmsu.tickets.models import TicketEvent
from dmsu.tickets.units import SupportUnit
from dmsu.wiki.models import Page

ROLES = ("tpm", "resolver", "assigner", "admin")


def _with_dmsu(people):
    ticket = workflow.create_ticket(people["tpm"], ggus_id=5, subject="s", component=None)
    workflow.route_to_dmsu(ticket, people["tpm"])
    return ticket


def _at_third_line(people):
    ticket = _with_dmsu(people)
    workflow.reassign_to_third_line(ticket, people["admin"], "CREAM", note="defect")
    return ticket


def _solved(people):
    ticket = _with_dmsu(people)
    workflow.change_status(ticket, people["admin"], "solved", note="done")
    return ticket


ACTIONS = {
    # action: (setup, call, roles allowed)
    "create": (
        None,
        lambda t, a: workflow.create_ticket(a, ggus_id=6, subject="x"),
        ROLES,
    ),
    "route_to_dmsu": (
        lambda p: workflow.create_ticket(p["tpm"], ggus_id=5, subject="s"),
        lambda t, a: workflow.route_to_dmsu(t, a),
        ROLES,
    ),
    "comment": (_with_dmsu, lambda t, a: workflow.add_comment(t, a, "hi"), ROLES),
    "change_status": (
        _with_dmsu,
        lambda t, a: workflow.change_status(t, a, "in progress"),
        ("resolver", "assigner", "admin"),
    ),
    "reopen": (_solved, lambda t, a: workflow.change_status(t, a, "reopened"), ROLES),
    "send_back_to_tpm": (
        _with_dmsu,
        lambda t, a: workflow.send_back_to_tpm(t, a, reason="ops"),
        ("resolver", "assigner", "admin"),
    ),
    "reassign_to_third_line": (
        _with_dmsu,
        lambda t, a: workflow.reassign_to_third_line(t, a, "CREAM", note="defect"),
        ("assigner", "admin"),
    ),
    "record_eta": (
        _at_third_line,
        lambda t, a: workflow.record_eta(t, a, date(2013, 3, 1)),
        ("resolver", "assigner", "admin"),
    ),
    "escalate": (
        _at_third_line,
        lambda t, a: workflow.escalate(t, a, reason="late"),
        ("assigner", "admin"),
    ),
    "take": (
        _with_dmsu,
        lambda t, a: workflow.set_assignee(t, a, a),
        ("resolver", "assigner", "admin"),
    ),
    "triage_fields": (
        _with_dmsu,
        lambda t, a: workflow.update_fields(t, a, priority="urgent"),
        ROLES,
    ),
    "impact_fields": (
        _with_dmsu,
        lambda t, a: workflow.update_fields(t, a, broad_impact=True),
        ("resolver", "assigner", "admin"),
    ),
    "involve_unit": (
        _with_dmsu,
        lambda t, a: workflow.involve_unit(t, a, "CREAM"),
        ("resolver", "assigner", "admin"),
    ),
    "deliver_fix": (
        lambda p: _at_third_line(p),
        lambda t, a: workflow.deliver_fix(t, a, "1.0"),
        ("resolver", "assigner", "admin"),
    ),
    "dismiss_digest": (
        _solved,
        lambda t, a: workflow.dismiss_solution_digest(t, a, reason="none"),
        ("resolver", "assigner", "admin"),
    ),
    "link_digest": (
        _solved,
        lambda t, a: workflow.link_solution_digest(t, a, Page.create(slug="p", title="P")),
        ("resolver", "assigner", "admin"),
    ),
    "record_release": (
        None,
        lambda t, a: workflow.record_release("CREAM CE", "1.0", "verified", a),
        ("assigner", "admin"),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_permission_matrix(make_user, action, role):
    from dmsu.cheatsheet.models import Component

    people = {r: make_user(r, r) for r in ROLES}
    unit = SupportUnit.create(name="CREAM", kind="third_line")
    Component.create(name="CREAM CE", slug="cream-ce", support_unit=unit)
    setup, call, allowed = ACTIONS[action]
    ticket = setup(people) if setup else None
    if ticket is not None and action == "deliver_fix":
        workflow.update_fields(ticket, people["admin"], component="CREAM CE")
    before = TicketEvent.select().count()
    if role in allowed:
        call(ticket, people[role])
    else:
        with pytest.raises(PermissionDenied):
            call(ticket, people[role])
        assert TicketEvent.select().count() == before


def test_the_system_actor_may_do_what_jobs_need(make_user):
    ticket = workflow.create_ticket(workflow.SYSTEM, ggus_id=9, subject="from a job")
    workflow.route_to_dmsu(ticket, workflow.SYSTEM)
    event = workflow.change_status(ticket, workflow.SYSTEM, "closed", note="auto-closed")
    assert (event.actor_id, event.actor_role) == (None, "system")
