"""Workflow steps on a ticket's descriptive fields and on the units kept informed.

Seed 001: "Upon assignment of a software ticket to DMSU priority of the ticket is assessed by
the assigning TPM person" — so the 1st line may set subject, description, component, category
and priority; the fields that feed the digests and the sweep (broad impact, impact, workaround,
the "postponed for 3rd-line decision" flag, the fixed version) are DMSU's.
Seed 000: "the ticket is postponed for decision at the DMSU meeting to be assigned to the 3rd
line support eventually" — that is the ``postponed`` flag.
"""

from __future__ import annotations

from datetime import datetime

from dmsu.tickets.models import CATEGORIES, PRIORITIES, Ticket, TicketEvent, TicketInvolvement
from dmsu.tickets.workflow.events import (
    WorkflowError,
    check_length,
    component_named,
    field_change,
    instant,
    involve,
    require,
    step,
    ticket_markdown,
    touch,
    uninvolve,
    unit_named,
)
from dmsu.tickets.workflow.versions import version_key

TRIAGE_FIELDS = ("subject", "description", "component", "category", "priority")
DMSU_FIELDS = ("broad_impact", "impact", "workaround", "postponed", "fixed_version")
FIELDS = TRIAGE_FIELDS + DMSU_FIELDS
_FLAGS = ("broad_impact", "postponed")


def _clean(name: str, value):
    """The stored form of ``value`` for field ``name``; one sentence when it is not valid."""
    if name in _FLAGS:
        return bool(value)
    if name == "component":
        return component_named(value)
    if name == "category":
        value = value or None
        if value is not None and value not in CATEGORIES:
            raise WorkflowError(
                f"'{value}' is not a category; use one of: {', '.join(CATEGORIES)}."
            )
        return value
    if name == "priority":
        if value not in PRIORITIES:
            raise WorkflowError(
                f"'{value}' is not a priority; use one of: {', '.join(PRIORITIES)}."
            )
        return value
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if name == "subject" and not value:
        raise WorkflowError("A ticket needs a subject.")
    if name in ("subject", "fixed_version"):
        check_length(name, value)
    if name in ("impact", "workaround"):
        ticket_markdown(value, name)  # drafted into digests: refused now, not when drafting
    if name == "fixed_version" and value:
        try:
            version_key(value)
        except ValueError:
            raise WorkflowError(f"'{value}' is not a version: it has no number in it.") from None
    return value


def _shown(name: str, value):
    if name == "component":
        return value.name if value is not None else None
    return value


def check_update_fields(ticket: Ticket, actor, names) -> None:
    """The rules of :func:`update_fields` for the fields ``names``: known fields, TPM's role
    for the triage fields, DMSU's for the fields that feed the digests and the sweep."""
    unknown = sorted(set(names) - set(FIELDS))
    if unknown:
        raise WorkflowError(f"'{unknown[0]}' is not a ticket field that can be changed.")
    if any(name in DMSU_FIELDS for name in names):
        require(actor, "ticket.work", "change the impact, workaround or release fields")
    else:
        require(actor, "ticket.triage", "change a ticket's fields")


def update_fields(
    ticket: Ticket, actor, *, at: datetime | None = None, **changes
) -> list[TicketEvent]:
    """Change descriptive fields; one ``field`` event per field that really changes."""
    check_update_fields(ticket, actor, changes)
    at = instant(at)
    cleaned = {name: _clean(name, value) for name, value in changes.items()}
    events = []
    with step(ticket):
        for name, value in cleaned.items():
            before = getattr(ticket, name)
            if name == "component":
                if (before.id if before else None) == (value.id if value else None):
                    continue
            elif before == value:
                continue
            events.append(
                field_change(ticket, actor, name, _shown(name, before), _shown(name, value), at)
            )
            setattr(ticket, name, value)
            if name == "description":
                ticket.description_html = ticket_markdown(value, "description")
        if "priority" in {event.change.get("field") for event in events}:
            touch(ticket, clocks=True)  # the deadlines follow the priority
    return events


def _involved_ids(ticket: Ticket) -> set[int]:
    rows = TicketInvolvement.select(TicketInvolvement.support_unit).where(
        TicketInvolvement.ticket == ticket
    )
    return {row.support_unit_id for row in rows}


def check_involve_unit(ticket: Ticket, actor, unit, involved: set[int] | None = None) -> None:
    """The rules of :func:`involve_unit`: DMSU's role, a unit that neither holds the ticket nor
    is involved already. ``involved`` (the ids of the units involved) spares the query when
    one caller asks about many units."""
    require(actor, "ticket.work", "involve a unit in a ticket")
    unit = unit_named(unit)
    if ticket.support_unit_id == unit.id:
        raise WorkflowError(f"{unit.name} holds the ticket already.")
    if unit.id in (_involved_ids(ticket) if involved is None else involved):
        raise WorkflowError(f"{unit.name} is already involved.")


def check_uninvolve_unit(ticket: Ticket, actor, unit, involved: set[int] | None = None) -> None:
    """The rules of :func:`uninvolve_unit`: DMSU's role, a unit that is involved."""
    require(actor, "ticket.work", "stop involving a unit in a ticket")
    unit = unit_named(unit)
    if unit.id not in (_involved_ids(ticket) if involved is None else involved):
        raise WorkflowError(f"{unit.name} is not involved in this ticket.")


def involve_unit(ticket: Ticket, actor, unit, *, at: datetime | None = None) -> TicketEvent:
    """Keep another unit informed (seed: "several product teams can be involved")."""
    unit = unit_named(unit)
    check_involve_unit(ticket, actor, unit)
    at = instant(at)
    with step(ticket):
        event = involve(ticket, actor, unit, at)
        if event is None:
            raise WorkflowError(f"{unit.name} is already involved.")
    return event


def uninvolve_unit(ticket: Ticket, actor, unit, *, at: datetime | None = None) -> TicketEvent:
    """Stop keeping ``unit`` informed."""
    unit = unit_named(unit)
    check_uninvolve_unit(ticket, actor, unit)
    at = instant(at)
    with step(ticket):
        event = uninvolve(ticket, actor, unit, at)
        if event is None:
            raise WorkflowError(f"{unit.name} is not involved in this ticket.")
    return event
