"""Writing a ticket's events straight into the log, as a fixture or an old import did, and
bringing the ticket in step with the one projection, as a workflow step does when it ends."""

from __future__ import annotations

from dmsu.tickets.models import TicketEvent
from dmsu.tickets.projection import store


def write_event(**fields) -> TicketEvent:
    """One ``TicketEvent`` row, then the projection of its ticket (as a workflow step)."""
    event = TicketEvent.create(**fields)
    store.refresh_tickets([event.ticket_id])
    return event
