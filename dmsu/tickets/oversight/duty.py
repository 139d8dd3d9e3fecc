"""The duty lists of the DMSU shift: new tickets nobody took yet, tickets needing reaction.

Seed 000: the "DMSU shift" duty "to guarantee faster response to new tickets as well as to
stalled tickets". The duty page and the staff home of the person on shift show the same lists,
made here (two queries each, however many tickets there are).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dmsu.tickets.models import Ticket
from dmsu.tickets.oversight import groups as oversight
from dmsu.tickets.oversight.groups import Settings
from dmsu.tickets.oversight.sweep import shape_row


@dataclass
class DutyList:
    rows: list[dict] = field(default_factory=list)
    count: int = 0

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.rows))


def listed(query, s: Settings, limit: int) -> DutyList:
    """The first ``limit`` rows of an oversight query, shaped, with the query's count (counted
    only when the rows fill the limit)."""
    rows = [shape_row(row, s) for row in oversight.page_of(query, limit).dicts()]
    count = len(rows) if len(rows) < limit else oversight.count_of(query)
    return DutyList(rows, count)


def new_tickets_query(s: Settings):
    """Open tickets in DMSU without an assignee, oldest first."""
    return (
        oversight.base_query()
        .where(oversight.open_in("dmsu", s=s) & Ticket.assignee.is_null())
        .order_by(Ticket.created_at, Ticket.ggus_id)
    )


def new_tickets(s: Settings, limit: int = 100) -> DutyList:
    return listed(new_tickets_query(s), s, limit)


def needing_reaction(s: Settings, limit: int = 100) -> DutyList:
    """Seed 001: "no tickets are left without supporter's reaction for more than three working
    days" (:func:`dmsu.tickets.oversight.groups.needs_reaction`)."""
    return listed(oversight.needs_reaction(s), s, limit)
