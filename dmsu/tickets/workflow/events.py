"""The low-level half of the ticket workflow: who is acting, appending an event, and replaying
events into the summary columns (ARCHITECTURE.md rule 1: "Events are the truth").

Only the steps (:mod:`dmsu.tickets.workflow.steps`, ``.fields``, ``.followup`` and
``.releases``) call :func:`append`; other areas change tickets through the workflow's public
functions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from dmsu.auth import permissions
from dmsu.cheatsheet.models import Component
from dmsu.core import clock
from dmsu.core.markdown import MarkdownRefused, render_markdown
from dmsu.tickets.models import CLOSED_STATUSES, EVENT_KINDS, Ticket, TicketEvent, TicketInvolvement
from dmsu.tickets.projection.columns import event_written
from dmsu.tickets.units import SupportUnit


class WorkflowError(ValueError):
    """A rule of the ticket workflow refuses the change; the message says why in one sentence."""


@dataclass(frozen=True)
class SystemActor:
    """The actor of scheduled jobs and automatic steps: no user, ``actor_role`` "system"."""

    role: str = "system"
    username: str = "system"
    is_authenticated: bool = False
    is_active: bool = True

    @property
    def name(self) -> str:
        return "system"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def require(actor, permission: str, action: str) -> None:
    """The role check of every workflow step; the system actor may do everything."""
    if not is_system(actor):
        permissions.require(actor, permission, action)


def role_of(actor) -> str:
    """``actor_role`` of an event: "tpm" for 1st line, "dmsu" for DMSU staff, "system"."""
    if is_system(actor) or actor is None:
        return "system"
    return "tpm" if actor.role == "tpm" else "dmsu"


def user_of(actor):
    return None if is_system(actor) or actor is None else actor


def instant(at: datetime | None) -> datetime:
    if at is None:
        return clock.now()
    if at.tzinfo is None:
        raise WorkflowError("Times must carry a UTC offset.")
    return at


def append(
    ticket: Ticket,
    actor,
    kind: str,
    at: datetime,
    *,
    actor_role: str | None = None,
    text: str = "",
    public: bool = False,
    data: dict | None = None,
    **fields,
) -> TicketEvent:
    """Append one event and bring the ticket's derived values in step with it, in the caller's
    transaction; ``text`` is rendered through the one markdown path."""
    if kind not in EVENT_KINDS:
        raise WorkflowError(f"'{kind}' is not a kind of ticket event.")
    if ticket.updated_at and at < ticket.updated_at:
        raise WorkflowError(
            f"Ticket {ticket.ggus_id} last changed at {ticket.updated_at:%Y-%m-%d %H:%M} UTC; "
            "a change cannot be dated before that."
        )
    ticket.updated_at = at
    event = TicketEvent.create(
        ticket=ticket,
        at=at,
        kind=kind,
        actor=user_of(actor),
        actor_role=actor_role or role_of(actor),
        text=text,
        html=ticket_markdown(text, "comment"),
        public=public,
        data=json.dumps(data, sort_keys=True) if data else "",
        recorded_at=clock.now(),
        **fields,
    )
    event_written(event)
    return event


# --- small steps shared by the workflow modules ---

LIMITS = {
    "subject": 500,
    "submitter": 200,
    "submitter_email": 254,
    "fixed_version": 64,
    "version": 64,
}


def check_length(name: str, value: str) -> str:
    """Refuse text longer than its column holds, in one sentence."""
    limit = LIMITS[name]
    if value and len(value) > limit:
        raise WorkflowError(
            f"The {name.replace('_', ' ')} is too long: at most {limit} characters."
        )
    return value


def ticket_markdown(text: str, kind: str) -> str:
    """A description or comment as stored HTML, through the one markdown path; a text that is
    too long or too complex to render is refused with the markdown path's sentence."""
    if not text:
        return ""
    try:
        return render_markdown(text, kind=kind)
    except MarkdownRefused as exc:
        raise WorkflowError(str(exc)) from None


def check_open(ticket: Ticket, doing: str) -> None:
    if ticket.status in CLOSED_STATUSES:
        raise WorkflowError(
            f"Ticket {ticket.ggus_id} is {ticket.status}; reopen it before {doing}."
        )


def unit_named(value) -> SupportUnit:
    if isinstance(value, SupportUnit):
        return value
    found = SupportUnit.get_or_none(SupportUnit.name == str(value))
    if found is None:
        raise WorkflowError(f"There is no support unit named '{value}'.")
    return found


def component_named(value) -> Component | None:
    if value is None or isinstance(value, Component):
        return value
    if isinstance(value, int):
        found = Component.get_or_none(Component.id == value)
    else:
        name = str(value).strip()
        if not name:
            return None
        found = Component.get_or_none(Component.name == name)
    if found is None:
        raise WorkflowError(f"There is no component named '{value}'.")
    return found


def set_status(ticket: Ticket, actor, status: str, at: datetime, **event) -> TicketEvent | None:
    """Append a ``status`` event when the status really changes."""
    if ticket.status == status:
        return None
    recorded = append(ticket, actor, "status", at, status=status, **event)
    ticket.status = status
    return recorded


def involve(ticket: Ticket, actor, unit: SupportUnit, at: datetime) -> TicketEvent | None:
    row, created = TicketInvolvement.get_or_create(
        ticket=ticket, support_unit=unit, defaults={"since": at}
    )
    if not created:
        return None
    return append(ticket, actor, "involved", at, support_unit=unit)


def uninvolve(ticket: Ticket, actor, unit: SupportUnit, at: datetime) -> TicketEvent | None:
    deleted = (
        TicketInvolvement.delete()
        .where(TicketInvolvement.ticket == ticket, TicketInvolvement.support_unit == unit)
        .execute()
    )
    if not deleted:
        return None
    return append(ticket, actor, "uninvolved", at, support_unit=unit)


def field_change(
    ticket: Ticket, actor, name: str, before, after, at: datetime, **extra
) -> TicketEvent:
    data = {"field": name, "before": before, "after": after, **extra}
    return append(ticket, actor, "field", at, data=data)


def field_data(event: TicketEvent) -> dict:
    return json.loads(event.data) if event.data else {}


def timeline(ticket: Ticket):
    """The ticket's events in the order they happened (ties in the order they were written)."""
    return (
        TicketEvent.select()
        .where(TicketEvent.ticket == ticket)
        .order_by(TicketEvent.at, TicketEvent.id)
    )


@dataclass
class Summary:
    """What the events say about a ticket: the values its summary columns must hold."""

    status: str = "new"
    support_unit_id: int | None = None
    unit_since: datetime | None = None
    updated_at: datetime | None = None
    assignee_id: int | None = None
    eta_due: date | None = None
    fixed_version: str = ""
    lack_of_expertise: bool = False
    postponed: bool = False
    broad_impact: bool = False
    involved: frozenset[int] = frozenset()
    last_reaction_at: datetime | None = None
    waiting_since: datetime | None = None
    submitter_wrote_at: datetime | None = None
    escalated_at: datetime | None = None


def _latest(current: datetime | None, at: datetime) -> datetime:
    return at if current is None or at > current else current


def _note_oversight(summary: Summary, event: TicketEvent, dmsu_units: set[int]) -> None:
    """The columns of :mod:`dmsu.tickets.projection.columns`: the latest event of each watched kind."""
    from dmsu.tickets.sla.clocks import DMSU_REACTIONS, WAITING

    kind, at = event.kind, event.at
    if (event.actor_role == "dmsu" and kind in DMSU_REACTIONS) or (
        kind == "assigned" and event.support_unit_id in dmsu_units
    ):
        summary.last_reaction_at = _latest(summary.last_reaction_at, at)
    if kind == "status" and event.status == WAITING:
        summary.waiting_since = _latest(summary.waiting_since, at)
    elif kind == "comment" and event.actor_role == "submitter":
        summary.submitter_wrote_at = _latest(summary.submitter_wrote_at, at)
    elif kind == "escalated":
        summary.escalated_at = _latest(summary.escalated_at, at)


def replay(ticket: Ticket) -> Summary:
    """Replay a ticket's events into the summary its columns must equal."""
    summary = Summary()
    involved: set[int] = set()
    dmsu_units = {
        u.id for u in SupportUnit.select(SupportUnit.id).where(SupportUnit.kind == "dmsu")
    }
    for event in timeline(ticket):
        summary.updated_at = event.at
        _note_oversight(summary, event, dmsu_units)
        if event.kind == "assigned":
            summary.support_unit_id = event.support_unit_id
            summary.unit_since = event.at
            summary.eta_due = None
        elif event.kind == "status":
            summary.status = event.status
        elif event.kind == "eta":
            summary.eta_due = event.due
        elif event.kind == "involved":
            involved.add(event.support_unit_id)
        elif event.kind == "uninvolved":
            involved.discard(event.support_unit_id)
        elif event.kind == "field":
            data = field_data(event)
            name, after = data.get("field"), data.get("after")
            if name == "assignee":
                summary.assignee_id = data.get("after_id")
            elif name in ("fixed_version", "lack_of_expertise", "postponed", "broad_impact"):
                setattr(summary, name, after)
    summary.involved = frozenset(involved)
    return summary


def summary_of(ticket: Ticket) -> Summary:
    """The summary columns as they are stored, to compare with :func:`replay`."""
    fresh = Ticket.get_by_id(ticket.id)
    units = TicketInvolvement.select(TicketInvolvement.support_unit).where(
        TicketInvolvement.ticket == fresh
    )
    return Summary(
        status=fresh.status,
        support_unit_id=fresh.support_unit_id,
        unit_since=fresh.unit_since,
        updated_at=fresh.updated_at,
        assignee_id=fresh.assignee_id,
        eta_due=fresh.eta_due,
        fixed_version=fresh.fixed_version,
        lack_of_expertise=fresh.lack_of_expertise,
        postponed=fresh.postponed,
        broad_impact=fresh.broad_impact,
        involved=frozenset(row.support_unit_id for row in units),
        last_reaction_at=fresh.last_reaction_at,
        waiting_since=fresh.waiting_since,
        submitter_wrote_at=fresh.submitter_wrote_at,
        escalated_at=fresh.escalated_at,
    )
