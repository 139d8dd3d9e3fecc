"""SLA response violations per 3rd-line unit (product team) and period.

Seed 001: "Compliance to the agreed service level targets is continuously monitored by the
software support team ... regular statistics on the SLA violations are generated and reported
to TCB." The rules (a clock per assignment to a 3rd-line unit, stopped by the unit's first
response, paused while waiting for reply, in working time by the unit's SLA level) are the
workflow's: :func:`dmsu.tickets.sla.response_outcomes`. This module only counts its outcomes
for the assignments made inside the period, as of the period's end (or now while it runs).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from dmsu.metrics.periods import Period
from dmsu.metrics.queries import percent
from dmsu.tickets.calendar import SLA_LEVEL_LABELS, BusinessCalendar
from dmsu.tickets.models import Ticket, TicketEvent
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


def sla_by_unit(period: Period, config, as_of: datetime) -> list[SlaRow]:
    """Response outcomes of the period's 3rd-line assignments, one row per unit, the units
    with the most violations first."""
    from dmsu.tickets.sla import response_outcomes

    third_line = TicketEvent.select(TicketEvent.ticket).where(
        (TicketEvent.kind == "assigned")
        & TicketEvent.support_unit.in_(
            SupportUnit.select(SupportUnit.id).where(SupportUnit.kind == "third_line")
        )
        & (TicketEvent.at >= period.start)
        & (TicketEvent.at < period.end)
    )
    tickets = Ticket.select().where(Ticket.id.in_(third_line))
    calendar = BusinessCalendar.from_config(config)
    tally: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for outcome in response_outcomes(tickets, calendar, now=as_of):
        if not period.start <= outcome.assigned_at < period.end:
            continue
        counts = tally[(outcome.unit_name, outcome.sla_level)]
        counts["assignments"] += 1
        state = outcome.state
        if outcome.violated:
            counts["violated"] += 1
        elif state in ("running", "paused"):
            counts["pending"] += 1
        elif state in ("met", "best_effort", "withdrawn"):
            counts[state] += 1
    rows = [
        SlaRow(
            name,
            level,
            c["assignments"],
            c["met"],
            c["violated"],
            c["pending"],
            c["best_effort"],
            c["withdrawn"],
        )
        for (name, level), c in tally.items()
    ]
    return sorted(rows, key=lambda r: (-r.violated, -r.assignments, r.unit_name.lower()))
