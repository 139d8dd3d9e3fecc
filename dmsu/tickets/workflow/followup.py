"""The delegation and follow-up procedure (seed 000): ETAs of the 3rd-line units and escalation.

Seed 000: "Then the external technology provider communicates an ETA for a solution of the
issue, depending on its severity and complexity of the fix." "Once the ETA has been negotiated
the resolution of the issue starts at the external technology provider and will then only be
monitored and status checked once the ETA is due."
"""

from __future__ import annotations

from datetime import date, datetime

from dmsu.tickets.models import Ticket, TicketEvent
from dmsu.tickets.workflow.events import (
    WorkflowError,
    append,
    check_open,
    instant,
    require,
    step,
)


def check_record_eta(ticket: Ticket, actor) -> None:
    """The rules of :func:`record_eta`: DMSU's role, an open ticket held by a 3rd-line unit."""
    require(actor, "ticket.record_eta", "record an ETA")
    check_open(ticket, "recording an ETA")
    if ticket.support_unit_id is None or ticket.support_unit.kind != "third_line":
        where = ticket.support_unit.name if ticket.support_unit_id else "no unit"
        raise WorkflowError(
            "An ETA is a 3rd-line unit's promise: it can be set once the ticket is with a "
            f"3rd-line unit; it is in {where} now."
        )


def record_eta(
    ticket: Ticket, actor, due: date, *, note: str = "", at: datetime | None = None
) -> TicketEvent:
    """Record (or revise) the 3rd-line unit's ETA; revisions are new events, never overwritten.

    Seed 000 ("The delegation and follow-up procedure"): "If the ETA cannot be fulfilled a
    possible new ETA is negotiated. ETAs are recorded and used in the metrics for the
    interaction with the external technology provider." The initial ETA is the earliest event.
    """
    check_record_eta(ticket, actor)
    if not isinstance(due, date) or isinstance(due, datetime):
        raise WorkflowError("An ETA is a date, like 2013-03-01.")
    at = instant(at)
    with step(ticket):
        revision = (
            TicketEvent.select()
            .where(TicketEvent.ticket == ticket, TicketEvent.kind == "eta")
            .count()
        )
        event = append(
            ticket,
            actor,
            "eta",
            at,
            due=due,
            support_unit=ticket.support_unit,
            text=(note or "").strip(),
            data={"revision": revision},
        )
    return event


def check_escalate(ticket: Ticket, actor) -> None:
    """The rules of :func:`escalate`: assigners and admins, an open ticket."""
    require(actor, "ticket.escalate", "escalate a ticket")
    check_open(ticket, "escalating it")


def escalate(ticket: Ticket, actor, *, reason: str, at: datetime | None = None) -> TicketEvent:
    """Seed 000: "Unsolved tickets within the 3rd line support with expired ETA are checked,
    re-assessed, and escalated eventually." Escalation is an event with its reason."""
    check_escalate(ticket, actor)
    if not (reason or "").strip():
        raise WorkflowError("Say why the ticket is escalated.")
    at = instant(at)
    with step(ticket):
        event = append(
            ticket, actor, "escalated", at, text=reason.strip(), support_unit=ticket.support_unit
        )
    return event
