"""The candidates of a digest: the week's tickets the shift may pick that are not in it yet.

Seed 000: "Digest of the tickets handled by DMSU in the previous week is prepared by the DMSU
shift on duty person ... they are focused on issues that are likely to hit broader user
community." The draft takes only the tickets flagged broad impact; the shift judges the rest,
so the editor lists every other ticket handled that week (the same set the draft reads,
:func:`dmsu.digests.drafting.week_activity`), solved ones first, then those opened in the
week, then those that merely changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN

from dmsu.cheatsheet.models import Component
from dmsu.digests.drafting import week_activity
from dmsu.digests.models import Digest, DigestEntry
from dmsu.metrics.periods import week_bounds
from dmsu.tickets.models import Ticket, TicketEvent

SHOWN = 40
"""Candidates listed at most; the rest are counted (the shift can still add any by number)."""

SOLVED_STATUSES = ("solved", "verified", "closed")
HAPPENED_ORDER = {"solved": 0, "opened": 1, "changed": 2}


@dataclass(frozen=True)
class Candidate:
    ggus_id: int
    subject: str
    status: str
    component_name: str
    happened: str  # solved, opened or changed (in the week)

    @property
    def happened_text(self) -> str:
        return {
            "solved": "solved in the week",
            "opened": "opened in the week",
            "changed": "changed in the week",
        }[self.happened]


@dataclass(frozen=True)
class Candidates:
    shown: list[Candidate]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


def of_week(digest: Digest, limit: int = SHOWN) -> Candidates:
    """The tickets handled in ``digest``'s week that are not in it (dropped ones excluded:
    the editor offers them to add back on their own)."""
    handled = week_activity(digest.week).handled
    if not handled:
        return Candidates([], 0)
    start, end = week_bounds(digest.week)
    in_digest = DigestEntry.select(DigestEntry.ggus_id).where(DigestEntry.digest == digest)
    solved = TicketEvent.select(TicketEvent.ticket).where(
        (TicketEvent.kind == "status")
        & TicketEvent.status.in_(SOLVED_STATUSES)
        & (TicketEvent.at >= start)
        & (TicketEvent.at < end)
        & TicketEvent.ticket.in_(list(handled))
    )
    rows = (
        Ticket.select(
            Ticket.ggus_id,
            Ticket.subject,
            Ticket.status,
            Ticket.created_at,
            Ticket.id.in_(solved).alias("solved"),
            Component.name.alias("component_name"),
        )
        .join(Component, JOIN.LEFT_OUTER, on=(Ticket.component == Component.id))
        .where(Ticket.id.in_(list(handled)) & Ticket.ggus_id.not_in(in_digest))
        .dicts()
    )
    found = [_candidate(row, start, end) for row in rows]
    found.sort(key=lambda c: (HAPPENED_ORDER[c.happened], c.ggus_id))
    return Candidates(found[:limit], len(found))


def _candidate(row: dict, start, end) -> Candidate:
    created = Ticket.created_at.python_value(row["created_at"])
    if row["solved"]:
        happened = "solved"
    elif created is not None and start <= created < end:
        happened = "opened"
    else:
        happened = "changed"
    return Candidate(
        ggus_id=row["ggus_id"],
        subject=row["subject"],
        status=row["status"],
        component_name=row["component_name"] or "",
        happened=happened,
    )
