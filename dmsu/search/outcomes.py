"""What became of a ticket, told beside it in the results and in "seen before?": its status,
the solution digest that records it, the 3rd-line unit that worked it and the fixed version.

Seed 001: "When the ticket is solved, DMSU produces a solution digest and stores it in the
DMSU wiki"; seed 000: the 3rd line "are the product teams" — the answer to "what fixed it?"
is these four facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from dmsu.tickets.models import Ticket, TicketEvent
from dmsu.tickets.units import SupportUnit
from dmsu.wiki.models import Page


@dataclass(frozen=True)
class Outcome:
    status: str
    fixed_version: str = ""
    third_line: str = ""
    digest_slug: str = ""
    digest_title: str = ""

    @property
    def solved(self) -> bool:
        return self.status in ("solved", "verified", "closed")


def outcomes(ggus_ids: list[int], user) -> dict[int, Outcome]:
    """``{ggus_id: Outcome}`` of these tickets, in three queries whatever their number."""
    if not ggus_ids:
        return {}
    rows = list(
        Ticket.select(Ticket.id, Ticket.ggus_id, Ticket.status, Ticket.fixed_version)
        .where(Ticket.ggus_id.in_(ggus_ids))
        .tuples()
    )
    ids = {ticket_id: ggus_id for ticket_id, ggus_id, _, _ in rows}
    units = {}
    assigned = (
        TicketEvent.select(TicketEvent.ticket, SupportUnit.name)
        .join(SupportUnit, on=(TicketEvent.support_unit == SupportUnit.id))
        .where(
            TicketEvent.ticket.in_(list(ids)),
            TicketEvent.kind == "assigned",
            SupportUnit.kind == "third_line",
        )
        .order_by(TicketEvent.at, TicketEvent.id)
        .tuples()
    )
    for ticket_id, name in assigned:
        units[ticket_id] = name  # the last 3rd-line unit wins
    digests = {}
    pages = Page.visible_to(user, Page.ticket, Page.slug, Page.title).where(
        Page.ticket.in_(list(ids))
    )
    for ticket_id, slug, title in pages.order_by(Page.updated_at).tuples():
        digests[ticket_id] = (slug, title)
    return {
        ggus_id: Outcome(
            status=status,
            fixed_version=fixed or "",
            third_line=units.get(ticket_id, ""),
            digest_slug=digests.get(ticket_id, ("", ""))[0],
            digest_title=digests.get(ticket_id, ("", ""))[1],
        )
        for ticket_id, ggus_id, status, fixed in rows
    }
