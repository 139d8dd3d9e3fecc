"""The low-level half of the ticket workflow: who is acting, appending an event, and replaying
events into the summary columns (ARCHITECTURE.md rule 1: "Events are the truth").

Only the steps (:mod:`dmsu.tickets.workflow.steps`, ``.fields``, ``.followup`` and
``.releases``) call :func:`append`; other areas change tickets through the workflow's public
functions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime

import dmsu.tickets.projection.store as projection_store
from dmsu.auth import permissions
from dmsu.cheatsheet.models import Component
from dmsu.core import clock, step_listeners
from dmsu.core.db import mark_saved, unsaved_changes, write_transaction
from dmsu.core.markdown import MarkdownRefused, render_markdown
from dmsu.tickets import search_documents
from dmsu.tickets.models import CLOSED_STATUSES, EVENT_KINDS, Ticket, TicketEvent, TicketInvolvement
from dmsu.tickets.projection.history import project
from dmsu.tickets.sla.clocks import CLOCK_KINDS
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


class _Touched:
    """What one workflow step changed: the tickets (each object once) and whether an event
    the SLA clocks depend on was written."""

    def __init__(self):
        self.tickets: dict[int, list[Ticket]] = {}
        self.clocks = False
        self.events: list[TicketEvent] = []  # appended by the step, for its listeners

    def add(self, ticket: Ticket) -> None:
        objects = self.tickets.setdefault(ticket.id, [])
        if not any(other is ticket for other in objects):
            objects.append(ticket)


_STEP: ContextVar[_Touched | None] = ContextVar("dmsu_workflow_step", default=None)


@contextmanager
def step(*tickets: Ticket) -> Iterator[None]:
    """One workflow step: one transaction at whose end each ticket it touched is written once:
    the columns the step changed on it and its derived columns, brought in step with its events
    (:func:`dmsu.tickets.projection.store.bring_in_step`), in one ``UPDATE``; then the step's
    listeners (:mod:`dmsu.core.step_listeners`) get the events it appended, before it commits.

    The transaction takes the write lock before the step's first read (SQLite's ``BEGIN
    IMMEDIATE``): four supporters writing at once waited for each other instead of failing
    with "database is locked". A step inside another step (``reassign_to_third_line`` assigns
    and records an ETA) is part of the outer one, with no savepoint of its own: the tickets are
    brought in step when the outermost step ends, and an inner step that raises fails the
    outer one (every step checks its rules before it writes). A step that raises writes
    nothing.
    """
    touched = _STEP.get()
    if touched is not None:
        for ticket in tickets:
            touched.add(ticket)
        yield
        return
    touched = _Touched()
    for ticket in tickets:
        touched.add(ticket)
    token = _STEP.set(touched)
    try:
        with write_transaction():  # the write lock first: see its docstring
            yield
            changes = {
                ticket_id: unsaved_changes(*objects)
                for ticket_id, objects in touched.tickets.items()
            }
            projection_store.bring_in_step(
                {ticket_id: objects[-1].priority for ticket_id, objects in touched.tickets.items()},
                clocks=touched.clocks,
                changes=changes,
            )
            search_documents.reindex(touched.tickets)
            step_listeners.notify(touched.events)
            for objects in touched.tickets.values():
                for ticket in objects:
                    mark_saved(ticket)
    finally:
        _STEP.reset(token)


def touch(ticket: Ticket, *, clocks: bool = False) -> None:
    """Note that the running step changed ``ticket`` (and, with ``clocks``, something its SLA
    clocks depend on, like its priority)."""
    touched = _STEP.get()
    if touched is None:
        raise RuntimeError("A ticket changes only inside a workflow step (events.step).")
    touched.add(ticket)
    touched.clocks = touched.clocks or clocks


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
    """Append one event inside the running :func:`step` (which brings the ticket's derived
    values in step when it ends); ``text`` is rendered through the one markdown path."""
    if kind not in EVENT_KINDS:
        raise WorkflowError(f"'{kind}' is not a kind of ticket event.")
    touch(ticket, clocks=kind in CLOCK_KINDS)
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
    _STEP.get().events.append(event)
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
    return event.change


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


def replay(ticket: Ticket) -> Summary:
    """The summary the ticket's columns must equal, by the one projection of its events
    (:func:`dmsu.tickets.projection.history.project`)."""
    stored, units = projection_store.read([ticket.id])
    projection = project(stored[ticket.id].steps, projection_store.kinds_of(units))
    fields = projection.fields
    flags = {
        name: fields[name].get("after")
        for name in ("fixed_version", "lack_of_expertise", "postponed", "broad_impact")
        if name in fields
    }
    return Summary(
        status=projection.status,
        support_unit_id=projection.support_unit_id,
        unit_since=projection.unit_since,
        updated_at=projection.updated_at,
        assignee_id=fields["assignee"].get("after_id") if "assignee" in fields else None,
        eta_due=projection.eta_due,
        involved=frozenset(projection.involved),
        last_reaction_at=projection.last_reaction_at,
        waiting_since=projection.waiting_since,
        submitter_wrote_at=projection.submitter_wrote_at,
        escalated_at=projection.escalated_at,
        **flags,
    )


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
