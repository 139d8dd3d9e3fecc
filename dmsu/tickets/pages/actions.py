"""The ticket page's forms: each action reads its form fields and calls one workflow step.

Handlers take the ticket, the acting user and the submitted form (a mapping) and return the
sentence to flash; they raise ``WorkflowError`` / ``PermissionDenied`` like the workflow does.
"""

from __future__ import annotations

from datetime import date

from dmsu.auth.models import User
from dmsu.cheatsheet.models import Component
from dmsu.core import clock
from dmsu.tickets import workflow
from dmsu.tickets.pages.queries import row_id
from dmsu.tickets.units import SupportUnit
from dmsu.tickets.workflow import public_fields

WorkflowError = workflow.WorkflowError


class PastEta(WorkflowError):
    """An ETA before today typed on a form without ``confirm_past``: the form asks for it."""


def _text(form, name: str) -> str:
    return (form.get(name) or "").strip()


def _flag(form, name: str) -> bool:
    return form.get(name) in ("1", "on", "true", "yes")


def _date(form, name: str, required: bool) -> date | None:
    value = _text(form, name)
    if not value:
        if required:
            raise WorkflowError("Give the ETA as a date, like 2013-03-01.")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise WorkflowError(f"'{value}' is not a date; write it like 2013-03-01.") from None


def _eta(form, name: str, required: bool) -> date | None:
    """An ETA typed on a form: a date before today needs ``confirm_past`` ("the ETA is in the
    past on purpose"), so a mistyped year is caught at the form. Seed 000: "the external
    technology provider communicates an ETA for a solution of the issue": a promise of what is
    to come. Imports and the workflow itself take past ETAs as they come: they record what was
    promised back then."""
    due = _date(form, name, required)
    today = clock.now().date()
    if due is not None and due < today and not _flag(form, "confirm_past"):
        raise PastEta(
            f"The ETA {due.isoformat()} is before today ({today.isoformat()}); correct it, or "
            "tick that the date is in the past on purpose."
        )
    return due


def _unit(form, name: str = "unit") -> SupportUnit:
    value = _text(form, name)
    if not value:
        raise WorkflowError("Choose a support unit from the list.")
    unit = SupportUnit.get_or_none(SupportUnit.id == row_id(value)) if row_id(value) else None
    if unit is None:
        raise WorkflowError("Choose a support unit.")
    return unit


def route(ticket, user, form) -> str:
    """Route to DMSU; with ``component`` (a routing suggestion's button) the ticket gets that
    component in the same step."""
    value = _text(form, "component")
    component = None
    if value:
        component = Component.get_or_none(Component.id == row_id(value)) if row_id(value) else None
        if component is None:
            raise WorkflowError("Choose one of the suggested components.")
    workflow.route_to_dmsu(ticket, user, note=_text(form, "note"), component=component)
    if component is not None:
        return f"Ticket {ticket.ggus_id} routed to DMSU as a {component.name} ticket."
    return f"Ticket {ticket.ggus_id} routed to DMSU."


def take(ticket, user, form) -> str:
    workflow.take(ticket, user)
    return f"You took ticket {ticket.ggus_id}."


def assignee(ticket, user, form) -> str:
    value = _text(form, "assignee")
    person = None
    if value:
        person = User.get_or_none(User.id == row_id(value)) if row_id(value) else None
        if person is None:
            raise WorkflowError("Choose a supporter from the list.")
    workflow.set_assignee(ticket, user, person)
    return f"Ticket {ticket.ggus_id} is assigned to {person.name if person else 'nobody'}."


def status(ticket, user, form) -> str:
    target = _text(form, "status")
    if not target:
        raise WorkflowError("Choose the new status.")
    workflow.change_status(
        ticket, user, target, note=_text(form, "note"), public=not _flag(form, "internal")
    )
    return f"Ticket {ticket.ggus_id} is now {target}."


def comment(ticket, user, form) -> str:
    """A comment on the internal diary unless the form chooses the public one (seed 000: what
    DMSU notes for itself "is marked in the ticket's internal diary in GGUS")."""
    public = form.get("visibility") == "public"  # internal unless public is chosen
    workflow.add_comment(ticket, user, _text(form, "text"), public=public)
    return f"{'Public' if public else 'Internal'} comment added."


def third_line(ticket, user, form) -> str:
    unit = _unit(form)
    workflow.reassign_to_third_line(
        ticket,
        user,
        unit,
        note=_text(form, "note"),
        lack_of_expertise=_flag(form, "lack_of_expertise"),
        eta=_eta(form, "eta", required=False),
    )
    return f"Ticket {ticket.ggus_id} reassigned to {unit.name}."


def send_back(ticket, user, form) -> str:
    workflow.send_back_to_tpm(ticket, user, reason=_text(form, "reason"))
    return f"Ticket {ticket.ggus_id} sent back to TPM."


def eta(ticket, user, form) -> str:
    due = _eta(form, "due", required=True)
    workflow.record_eta(ticket, user, due, note=_text(form, "note"))
    return f"ETA {due.isoformat()} recorded."


def escalate(ticket, user, form) -> str:
    workflow.escalate(ticket, user, reason=_text(form, "reason"))
    return f"Ticket {ticket.ggus_id} escalated."


def fields(ticket, user, form) -> str:
    """The summary fields form: triage fields always, DMSU fields when the form carries them.
    A broad-impact ticket's text is public (the operations digest): what looks personal in
    it is refused with the findings unless the form confirms it (``confirm_personal``)."""
    changes = {
        "priority": _text(form, "priority"),
        "category": _text(form, "category") or None,
        "component": row_id(form.get("component")),
    }
    if "dmsu_fields" in form:
        changes.update(
            broad_impact=_flag(form, "broad_impact"),
            postponed=_flag(form, "postponed"),
            impact=_text(form, "impact"),
            workaround=_text(form, "workaround"),
            fixed_version=_text(form, "fixed_version"),
        )
        if not _flag(form, "confirm_personal"):
            public_fields.check_fields(
                ticket,
                broad_impact=changes["broad_impact"],
                impact=changes["impact"],
                workaround=changes["workaround"],
            )
    events = workflow.update_fields(ticket, user, **changes)
    return f"{len(events)} field(s) changed." if events else "Nothing changed."


def involve(ticket, user, form) -> str:
    unit = _unit(form)
    workflow.involve_unit(ticket, user, unit)
    return f"{unit.name} is now kept informed."


def uninvolve(ticket, user, form) -> str:
    unit = _unit(form)
    workflow.uninvolve_unit(ticket, user, unit)
    return f"{unit.name} is no longer involved."


def deliver_fix(ticket, user, form) -> str:
    version = _text(form, "version")
    workflow.deliver_fix(ticket, user, version)
    return f"Fix {version} recorded; the ticket waits in UMD release."


def dismiss_digest(ticket, user, form) -> str:
    workflow.dismiss_solution_digest(ticket, user, reason=_text(form, "reason"))
    return "No solution digest needed; noted."


ACTIONS = {
    "route": route,
    "take": take,
    "assignee": assignee,
    "status": status,
    "comment": comment,
    "third-line": third_line,
    "send-back": send_back,
    "eta": eta,
    "escalate": escalate,
    "fields": fields,
    "involve": involve,
    "uninvolve": uninvolve,
    "deliver-fix": deliver_fix,
    "dismiss-digest": dismiss_digest,
}
