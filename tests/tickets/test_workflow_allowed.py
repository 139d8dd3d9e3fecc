"""The drift test of ``workflow.allowed_actions``: what it offers a user, the step accepts, and
what it withholds, the step refuses, for every role and every stage of a ticket's life.

The ticket page shows a form only when ``allowed_actions`` allows it, so a step that accepts
what the page hides (or refuses what it shows) is a bug this test names by action, role and
stage. Each call runs in a transaction that is rolled back, so every action is tried on the
same ticket.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from flask_login import AnonymousUserMixin

from dmsu.auth.permissions import PermissionDenied
from dmsu.cheatsheet.models import Component
from dmsu.core.db import database
from dmsu.tickets import workflow
from dmsu.tickets.models import STATUSES, Ticket
from dmsu.tickets.units import SupportUnit

ROLES = ("tpm", "resolver", "assigner", "admin", "anonymous")
STAGES = ("in TPM", "in DMSU", "in a 3rd-line unit", "in UMD release", "solved", "closed")
SYSTEM = workflow.SYSTEM


@pytest.fixture
def world(make_user):
    """Staff of every role, two product teams' units and a component of one of them."""
    people = {role: make_user(role, role) for role in ROLES if role != "anonymous"}
    people["anonymous"] = AnonymousUserMixin()
    cream = SupportUnit.create(name="CREAM", kind="third_line")
    SupportUnit.create(name="dCache", kind="third_line")
    Component.create(name="CREAM CE", slug="cream-ce", support_unit=cream)
    return people


def _ticket_at(stage: str, people) -> Ticket:
    """A ticket at ``stage``, with a component (a fix is delivered by component), a unit kept
    informed, and, from the 3rd line on, the resolver as its assignee."""
    ticket = workflow.create_ticket(SYSTEM, ggus_id=5, subject="Jobs stuck", component="CREAM CE")
    workflow.involve_unit(ticket, SYSTEM, "dCache")
    if stage == "in TPM":
        return ticket
    workflow.route_to_dmsu(ticket, SYSTEM)
    if stage == "in DMSU":
        return ticket
    workflow.reassign_to_third_line(
        ticket, SYSTEM, "CREAM", note="how to reproduce", lack_of_expertise=True
    )
    workflow.set_assignee(ticket, SYSTEM, people["resolver"])
    if stage == "in a 3rd-line unit":
        return ticket
    if stage == "in UMD release":
        workflow.deliver_fix(ticket, SYSTEM, "1.0")
        return ticket
    workflow.change_status(ticket, SYSTEM, "solved", note="fixed upstream")
    if stage == "closed":
        workflow.change_status(ticket, SYSTEM, "closed")
    return ticket


def _accepted(ticket_id: int, call) -> bool:
    """Whether the step ``call(ticket)`` accepts, on a fresh copy of the ticket; never kept."""
    with database.atomic() as transaction:
        try:
            call(Ticket.get_by_id(ticket_id))
        except (PermissionDenied, workflow.WorkflowError):
            accepted = False
        else:
            accepted = True
        transaction.rollback()
    return accepted


def _steps(actor, people):
    """action name → [(candidate, call)]: every way the page could call each step."""
    units = list(SupportUnit.select().order_by(SupportUnit.name))
    third = [unit for unit in units if unit.kind == "third_line"]
    others = [None, *(p for p in people.values() if getattr(p, "id", None) is not None)]
    others = [p for p in others if p is None or p.id != getattr(actor, "id", None)]
    return {
        "comment": [(None, lambda t: workflow.add_comment(t, actor, "a note"))],
        "take": [(None, lambda t: workflow.take(t, actor))],
        "route_to_dmsu": [(None, lambda t: workflow.route_to_dmsu(t, actor))],
        "send_back_to_tpm": [
            (None, lambda t: workflow.send_back_to_tpm(t, actor, reason="not middleware"))
        ],
        "statuses": [
            (s, lambda t, s=s: workflow.change_status(t, actor, s, note="the solution"))
            for s in STATUSES
        ],
        "assign_user": [(p, lambda t, p=p: workflow.set_assignee(t, actor, p)) for p in others],
        "third_line_units": [
            (
                u,
                lambda t, u=u: workflow.reassign_to_third_line(t, actor, u, note="to reproduce"),
            )
            for u in third
        ],
        "record_eta": [(None, lambda t: workflow.record_eta(t, actor, date(2030, 1, 1)))],
        "escalate": [(None, lambda t: workflow.escalate(t, actor, reason="late"))],
        "deliver_fix": [(None, lambda t: workflow.deliver_fix(t, actor, "9.9"))],
        "triage_fields": [(None, lambda t: workflow.update_fields(t, actor, subject="Renamed"))],
        "dmsu_fields": [
            (None, lambda t: workflow.update_fields(t, actor, workaround="restart the CE"))
        ],
        "involve_units": [(u, lambda t, u=u: workflow.involve_unit(t, actor, u)) for u in units],
        "uninvolve_units": [
            (u, lambda t, u=u: workflow.uninvolve_unit(t, actor, u)) for u in units
        ],
        "dismiss_digest": [
            (None, lambda t: workflow.dismiss_solution_digest(t, actor, reason="trivial"))
        ],
    }


def _offered(allowed, action: str, candidate) -> bool:
    value = getattr(allowed, action)
    if isinstance(value, bool):
        return value
    if action == "assign_user":  # one yes for the form; the step may refuse some people
        return value
    return candidate in value


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("role", ROLES)
def test_what_allowed_actions_offers_the_step_accepts_and_nothing_else(world, role, stage):
    ticket = _ticket_at(stage, world)
    actor = world[role]
    allowed = workflow.allowed_actions(Ticket.get_by_id(ticket.id), actor)
    drift = []
    for action, tries in _steps(actor, world).items():
        accepted = {candidate: _accepted(ticket.id, call) for candidate, call in tries}
        if action == "assign_user":
            if allowed.assign_user != any(accepted.values()):
                drift.append((action, allowed.assign_user, accepted))
            continue
        for candidate, ok in accepted.items():
            if _offered(allowed, action, candidate) != ok:
                drift.append((action, candidate, "offered" if not ok else "withheld"))
    assert drift == [], f"{role} on a ticket {stage}: {drift}"
    assert Ticket.get_by_id(ticket.id).status == ticket.status  # every try was rolled back


def test_anonymous_and_tpm_are_offered_what_their_roles_allow(world):
    """A few readable facts behind the matrix above."""
    ticket = _ticket_at("in DMSU", world)
    nothing = workflow.allowed_actions(ticket, world["anonymous"])
    offered = {name for name, value in vars(nothing).items() if value}
    assert offered == {"take_starts_work"}  # a fact about the ticket, not an offer
    tpm = workflow.allowed_actions(ticket, world["tpm"])
    assert tpm.comment and tpm.triage_fields and not tpm.dmsu_fields
    assert tpm.statuses == () and tpm.third_line_units == ()
    assigner = workflow.allowed_actions(ticket, world["assigner"])
    assert [u.name for u in assigner.third_line_units] == ["CREAM", "dCache"]
    assert "in progress" in assigner.statuses and assigner.assign_user
    with pytest.raises(AttributeError):
        assigner.take = False  # frozen: a template cannot change what it was told


def test_the_ticket_templates_name_no_role_or_permission():
    """The ticket templates ask ``allowed`` only; the rules live in the workflow."""
    folder = Path(__file__).resolve().parents[2] / "templates" / "tickets"
    assert len(list(folder.glob("*.html"))) >= 8  # the folder is there: the test is not empty
    rule = re.compile(r"\bcan\(|current_user|'(?:tpm|resolver|assigner|admin)'")
    found = {
        path.name: rule.findall(path.read_text())
        for path in folder.glob("*.html")
        if rule.search(path.read_text())
    }
    assert found == {}
