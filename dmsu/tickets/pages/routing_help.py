"""Routing help on the ticket page: the cheat sheet's suggestions for a ticket TPM is routing.

Seed 000: "DMSU maintains a matrix mapping the component knowledge to each partner for use by
the TPM in the delegation process". Issue 18: TPM copied a ticket's text into the routing page;
the ticket page now shows the top suggestions, each routing the ticket with one button.
"""

from __future__ import annotations

from dmsu.cheatsheet import routing
from dmsu.tickets.models import Ticket
from dmsu.tickets.workflow import AllowedActions

SUGGESTIONS = 3


def waiting_for_routing(ticket: Ticket, allowed: AllowedActions) -> bool:
    """In the 1st line's queue (TPM) and the viewer may route it to DMSU."""
    return (
        allowed.route_to_dmsu
        and ticket.support_unit_id is not None
        and ticket.support_unit.kind == "first_line"
    )


def suggestions_for(ticket: Ticket, allowed: AllowedActions, config) -> list[routing.Suggestion]:
    """The best :data:`SUGGESTIONS` components for the ticket's subject and description, or
    none when the ticket is not waiting for this viewer to route it."""
    if not waiting_for_routing(ticket, allowed):
        return []
    model = routing.configured_text_model(config)
    return routing.suggest(
        ticket.subject or "", ticket.description or "", limit=SUGGESTIONS, model=model
    )
