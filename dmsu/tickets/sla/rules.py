"""SLA clocks of the 3rd-line units, in working time (seed 001, Tables 2 and 3).

Seed 001: "Once the ticket is reassigned to a 3rd line support unit, the responsibility is
transferred to the particular Product Team. The product teams are obliged to react to the
ticket in a given time, depending on the priority, as described by the SLAs". The response
times are those of Table 2 ("Response times defined by the SLAs between EGI and EMI, and
between EGI and IGE": Severity 1 "4 hours within working hours", Severity 2 "2 working days",
Severity 3 "5 working days", Severity 4 "15 working days") for units on the ``legacy`` level,
and of Table 3 ("Response times declared by product teams in a Post-EMI/IGE Era survey":
Level unspecified "Best effort"; Level 1 "5 working days" for every severity; Level 2
"1 working day" for severities 1–2, "5 working days" for 3–4; Level 3 "4 hours",
"1 working day", "1 working day", "5 working days") for the declared levels. The tables
themselves live in :mod:`dmsu.core.calendar`.

The rules computed here, from the ticket's events only (ARCHITECTURE.md rule 1):

- every assignment of the ticket to a 3rd-line unit starts a clock for that unit;
- the clock stops at the unit's response: its first comment (actor role ``third_line``) or
  its first status change while the ticket is in that unit (not by the submitter, DMSU or
  the system's own jobs) after the assignment;
- time in ``waiting for reply`` does not count (the clock pauses);
- a clock the unit never answered is dropped when the ticket leaves the unit (unless the
  unit stays involved) or is closed — or counted as violated when its deadline had passed.

:func:`running_deadlines` shows every deadline still running on one ticket (one per
3rd-line assignment, plus DMSU's own three-working-day reaction deadline);
:func:`response_outcomes` gives the metrics one outcome per assignment, for many tickets
with one query for their events.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from dmsu.core.calendar import (
    SLA_LEVEL_LABELS,
    BusinessCalendar,
    response_hours,
    severity_of,
)
from dmsu.tickets.sla.clocks import (
    CLOCK_KINDS,
    Clock,
    EventRow,
    dmsu_reaction_since,
    event_rows,
    run_clocks,
)


@dataclass(frozen=True)
class Deadline:
    """One running (or finished) deadline on a ticket."""

    label: str  # e.g. "CREAM response (Level 2, severity 3)"
    unit_name: str
    started_at: datetime
    due_at: datetime | None  # None while the clock is paused (waiting for reply)
    state: str  # running, paused, met, violated
    remaining_hours: float | None  # working hours left (negative when overdue)
    kind: str = "sla"  # sla (a 3rd-line unit's response) or reaction (DMSU, item 6)


@dataclass(frozen=True)
class ResponseOutcome:
    """How one 3rd-line assignment was answered (for the SLA metrics).

    ``state`` is ``met``, ``violated``, ``running`` (no response yet, not due), ``paused``,
    ``withdrawn`` (the ticket left the unit before the deadline) or ``best_effort`` (the
    unit declared no response time, so nothing can be violated).
    """

    ticket_id: int
    ggus_id: int
    unit_id: int
    unit_name: str
    sla_level: str
    severity: int
    assigned_at: datetime
    due_at: datetime | None
    responded_at: datetime | None
    violated: bool
    violated_at: datetime | None
    state: str


def hours_for(unit, priority: str, calendar: BusinessCalendar) -> float | None:
    """The working hours ``unit`` has to respond to a ticket of ``priority``; None for best
    effort (an unspecified or unknown level, or an unknown priority)."""
    try:
        return response_hours(unit.sla_level, priority, calendar.hours_per_day)
    except ValueError:
        return None


def _severity(priority: str) -> int:
    try:
        return severity_of(priority)
    except ValueError:
        return 4


def _label(unit, severity: int) -> str:
    level = SLA_LEVEL_LABELS.get(unit.sla_level, unit.sla_level)
    return f"{unit.name} response ({level}, severity {severity})"


def ticket_clocks(
    priority: str,
    events: list[EventRow],
    units: dict,
    calendar: BusinessCalendar,
    now: datetime,
) -> list[Clock]:
    """The SLA clocks of one ticket's ``events`` (sorted by time) as of ``now``."""
    events = [event for event in events if event.at <= now]
    return run_clocks(
        events, units, lambda unit, working: hours_for(unit, priority, working), calendar, now
    )


def _remaining(clock: Clock, calendar: BusinessCalendar, now: datetime) -> float | None:
    if clock.hours is None:
        return None
    working = clock.calendar or calendar
    elapsed = working.business_hours_between_excluding(clock.started_at, now, clock.pauses)
    return round(clock.hours - elapsed, 2)


def deadlines_for(
    ticket,
    events: list[EventRow],
    units: dict,
    calendar: BusinessCalendar,
    now: datetime,
    reaction_working_days: float = 3,
) -> list[Deadline]:
    """Every deadline still running on ``ticket`` as of ``now``, nearest first (pure)."""
    result: list[Deadline] = []
    if not ticket.is_open:
        return result
    severity = _severity(ticket.priority)
    for clock in ticket_clocks(ticket.priority, events, units, calendar, now):
        if clock.finished or clock.hours is None:
            continue
        unit = units[clock.unit_id]
        result.append(
            Deadline(
                label=_label(unit, severity),
                unit_name=unit.name,
                started_at=clock.started_at,
                due_at=clock.due_at,
                state=clock.state(now),
                remaining_hours=_remaining(clock, calendar, now),
            )
        )
    dmsu_unit = units.get(ticket.support_unit_id)
    if dmsu_unit is not None and dmsu_unit.kind == "dmsu":
        since = dmsu_reaction_since(events, units)
        if since is not None:
            hours = reaction_working_days * calendar.hours_per_day
            due = calendar.add_business_hours(since, hours)
            left = hours - calendar.business_hours_between(since, now)
            result.append(
                Deadline(
                    label=f"DMSU reaction ({reaction_working_days:g} working days)",
                    unit_name=dmsu_unit.name,
                    started_at=since,
                    due_at=due,
                    state="violated" if due <= now else "running",
                    remaining_hours=round(left, 2),
                    kind="reaction",
                )
            )
    far = datetime.max.replace(tzinfo=now.tzinfo)
    result.sort(key=lambda d: (d.due_at or far, d.label))
    return result


def units_by_id() -> dict:
    """Every support unit by id (the clocks need their kinds, levels and names)."""
    from dmsu.tickets.units import SupportUnit

    return {unit.id: unit for unit in SupportUnit.select()}


def running_deadlines(
    ticket, now: datetime, calendar: BusinessCalendar | None = None
) -> list[Deadline]:
    """Every deadline that applies to ``ticket`` as of ``now``, nearest first.

    Two queries (the ticket's events, the support units). Without ``calendar`` the app's
    configured calendar and ``DMSU_REACTION_WORKING_DAYS`` are used.
    """
    from flask import current_app

    config = current_app.config
    calendar = calendar or BusinessCalendar.from_config(config)
    events = event_rows([ticket.id]).get(ticket.id, [])
    return deadlines_for(
        ticket, events, units_by_id(), calendar, now, config.get("DMSU_REACTION_WORKING_DAYS", 3)
    )


def _ticket_rows(tickets_or_query) -> list[tuple[int, int, str]]:
    from peewee import Query

    from dmsu.tickets.models import Ticket

    if isinstance(tickets_or_query, Query):
        query = tickets_or_query.select(Ticket.id, Ticket.ggus_id, Ticket.priority)
        return [(row[0], row[1], row[2]) for row in query.tuples()]
    return [(t.id, t.ggus_id, t.priority) for t in tickets_or_query]


def response_outcomes(
    tickets_or_query, calendar: BusinessCalendar, now: datetime | None = None
) -> list[ResponseOutcome]:
    """One :class:`ResponseOutcome` per assignment of the given tickets to a 3rd-line unit.

    Reads every event of the tickets at once (one query per few thousand tickets) and groups
    them in Python; ``tickets_or_query`` is a list of tickets or a ``Ticket`` query.
    """
    from dmsu.core import clock as site_clock

    now = now or site_clock.now()
    tickets = _ticket_rows(tickets_or_query)
    units = units_by_id()
    ids = [t[0] for t in tickets]
    grouped = event_rows(ids, CLOCK_KINDS) if tickets else defaultdict(list)
    outcomes: list[ResponseOutcome] = []
    for ticket_id, ggus_id, priority in tickets:
        severity = _severity(priority)
        for clock in ticket_clocks(priority, grouped.get(ticket_id, []), units, calendar, now):
            unit = units[clock.unit_id]
            state = clock.state(now)
            violated = state == "violated"
            outcomes.append(
                ResponseOutcome(
                    ticket_id=ticket_id,
                    ggus_id=ggus_id,
                    unit_id=unit.id,
                    unit_name=unit.name,
                    sla_level=unit.sla_level,
                    severity=severity,
                    assigned_at=clock.started_at,
                    due_at=clock.due_at,
                    responded_at=clock.responded_at,
                    violated=violated,
                    violated_at=clock.due_at if violated else None,
                    state=state,
                )
            )
    return outcomes
