"""SLA response violations per 3rd-line unit (product team) and period.

Seed 001: "Compliance to the agreed service level targets is continuously monitored by the
software support team ... regular statistics on the SLA violations are generated and reported
to TCB." The rules (a clock per assignment to a 3rd-line unit, stopped by the unit's first
response, paused while waiting for reply, in working time by the unit's SLA level) are the
workflow's (:mod:`dmsu.tickets.sla.rules`), stored per clock by :mod:`dmsu.tickets.sla.stored_clocks`.
This module counts the outcomes of the assignments made inside the period, as of the
period's end (or now while it runs).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from dmsu.core.calendar import SLA_LEVEL_LABELS, BusinessCalendar
from dmsu.metrics.periods import Period
from dmsu.metrics.queries import percent
from dmsu.metrics.sqltools import run
from dmsu.tickets.models import Ticket, TicketEvent
from dmsu.tickets.sla.stored_clocks import STATE_AS_OF, stale_tickets
from dmsu.tickets.units import SupportUnit


@dataclass(frozen=True)
class SlaRow:
    unit_name: str
    sla_level: str
    assignments: int
    met: int
    violated: int
    pending: int  # running or paused at the end of the period
    best_effort: int  # the unit declared no response time
    withdrawn: int

    @property
    def level_label(self) -> str:
        return SLA_LEVEL_LABELS.get(self.sla_level, self.sla_level)

    @property
    def violated_percent(self) -> float | None:
        """Violations as a share of the assignments that had a deadline to meet."""
        return percent(self.violated, self.met + self.violated + self.pending + self.withdrawn)


COUNTED = f"""SELECT u.name, u.sla_level, {STATE_AS_OF}, COUNT(*)
FROM sla_clock c JOIN support_unit u ON u.id = c.unit_id
WHERE c.started_at >= :start AND c.started_at < :end AND c.started_at <= :as_of
  AND u.kind = 'third_line'
  AND c.ticket_id NOT IN (:stale)
GROUP BY 1, 2, 3"""
MAX_STALE = 5000  # beyond this, all of the period from the events (the calendar changed)


def sla_by_unit(period: Period, config, as_of: datetime) -> list[SlaRow]:
    """Response outcomes of the period's 3rd-line assignments as of ``as_of``, one row per
    unit, the units with the most violations first.

    Counted in SQL over the stored clocks (:mod:`dmsu.tickets.sla.stored_clocks`); the tickets whose
    clocks were made from another calendar or SLA level (until the hourly job or
    ``dmsu init`` brings them in step) are worked out from their events instead."""
    calendar = BusinessCalendar.from_config(config)
    params = {"start": period.start, "end": period.end, "as_of": as_of}
    stale = stale_tickets(calendar, priority=False)
    tally: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if len(stale) <= MAX_STALE:
        for name, level, state, count in run(COUNTED, stale=stale, **params):
            tally[(name, level)][state] += count
        tickets = Ticket.select().where(Ticket.id.in_(stale)) if stale else []
    else:
        tickets = Ticket.select().where(Ticket.id.in_(_assigned_in(period)))
    _tally_from_events(tally, tickets, period, calendar, as_of)
    rows = [
        SlaRow(
            name,
            level,
            sum(c.values()),
            c["met"],
            c["violated"],
            c["pending"],
            c["best_effort"],
            c["withdrawn"],
        )
        for (name, level), c in tally.items()
    ]
    return sorted(rows, key=lambda r: (-r.violated, -r.assignments, r.unit_name.lower()))


def _assigned_in(period: Period):
    """The tickets assigned to a 3rd-line unit in the period (a subquery)."""
    return TicketEvent.select(TicketEvent.ticket).where(
        (TicketEvent.kind == "assigned")
        & TicketEvent.support_unit.in_(
            SupportUnit.select(SupportUnit.id).where(SupportUnit.kind == "third_line")
        )
        & (TicketEvent.at >= period.start)
        & (TicketEvent.at < period.end)
    )


def _tally_from_events(tally, tickets, period: Period, calendar, as_of: datetime) -> None:
    """Count the period's clocks of ``tickets`` by the rules run over their events."""
    from dmsu.tickets.sla.rules import response_outcomes

    if not tickets:
        return
    for outcome in response_outcomes(tickets, calendar, now=as_of):
        if not period.start <= outcome.assigned_at < period.end:
            continue
        state = outcome.state
        if state in ("running", "paused"):
            state = "pending"
        tally[(outcome.unit_name, outcome.sla_level)][state] += 1
