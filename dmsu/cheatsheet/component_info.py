"""What the component page shows beside the sheet row: the 3rd-line unit's SLA response
times per severity, and the component's tickets (internal: staff only; others get counts)."""

from __future__ import annotations

from dataclasses import dataclass, field

from peewee import JOIN, Case, fn

from dmsu.cheatsheet.models import Component
from dmsu.cheatsheet.sheet import UnitInfo
from dmsu.core.calendar import (
    SEVERITY_BY_PRIORITY,
    SLA_LEVELS,
    BusinessCalendar,
    response_hours,
)
from dmsu.tickets.models import CLOSED_STATUSES, Ticket
from dmsu.tickets.units import SupportUnit

OPEN_LIMIT = 50
RECENT_LIMIT = 10


@dataclass(frozen=True)
class SlaLine:
    severity: int
    priority: str
    response: str
    business_hours: float | None


@dataclass
class ComponentTickets:
    open_count: int = 0
    total: int = 0
    open: list = field(default_factory=list)
    recent: list = field(default_factory=list)


def sla_table(unit: UnitInfo | None, config) -> list[SlaLine]:
    """Seed 001, Tables 2 and 3: the response time the unit declared for each severity."""
    if unit is None or unit.sla_level not in SLA_LEVELS:
        return []
    hours_per_day = BusinessCalendar.from_config(config).hours_per_day
    priority_of = {severity: priority for priority, severity in SEVERITY_BY_PRIORITY.items()}
    table = SLA_LEVELS[unit.sla_level]
    lines = []
    for severity in (1, 2, 3, 4):
        if table is None:
            response = "Best effort"
        else:
            kind, amount = table[severity]
            if kind == "hours":
                response = f"{amount} hour{'s' if amount != 1 else ''} within working hours"
            else:
                response = f"{amount} working day{'s' if amount != 1 else ''}"
        hours = response_hours(unit.sla_level, severity, hours_per_day)
        lines.append(SlaLine(severity, priority_of[severity], response, hours))
    return lines


def tickets_of(component_id: int, *, staff: bool) -> ComponentTickets:
    """Counts for everyone; the open and the recently closed tickets themselves only for
    ``staff`` (tickets are internal)."""
    is_open = Ticket.status.not_in(CLOSED_STATUSES)
    total, open_count = (
        Ticket.select(fn.COUNT(Ticket.id), fn.SUM(Case(None, [(is_open, 1)], 0)))
        .where(Ticket.component == component_id)
        .tuples()
        .get()
    )
    result = ComponentTickets(open_count=int(open_count or 0), total=int(total or 0))
    if not staff:
        return result
    base = (
        Ticket.select(Ticket, SupportUnit)
        .join(SupportUnit, join_type=JOIN.LEFT_OUTER, on=(Ticket.support_unit == SupportUnit.id))
        .where(Ticket.component == component_id)
    )
    result.open = list(base.where(is_open).order_by(Ticket.created_at.desc()).limit(OPEN_LIMIT))
    result.recent = list(
        base.where(~is_open).order_by(Ticket.updated_at.desc()).limit(RECENT_LIMIT)
    )
    return result


def model_of(component_id: int) -> Component | None:
    """The component itself, for the wiki's ``wiki/_component_pages.html`` partial."""
    return Component.get_or_none(Component.id == component_id)
