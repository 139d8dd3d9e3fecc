"""Writing a ticket's events straight into the log, as a fixture or an old import did, and
bringing the ticket's derived values in step as the workflow does after every event it appends."""

from __future__ import annotations

from dmsu.tickets.models import TicketEvent
from dmsu.tickets.projection.columns import event_written


def write_event(**fields) -> TicketEvent:
    """One ``TicketEvent`` row, then the projection of its ticket (as ``workflow.events.append``)."""
    event = TicketEvent.create(**fields)
    event_written(event)
    return event
