"""Reading a ticket's events into SLA clocks and DMSU's last reaction (pure computations).

The rules are those of :mod:`dmsu.tickets.sla.rules` (seed 001, "Ticket oversight and followup");
this module only walks events. An event is an :class:`EventRow`; :func:`event_rows` reads the
events of many tickets with one query per chunk of tickets and groups them in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dmsu.tickets.sla.unit_calendars as unit_calendars
from dmsu.core.calendar import BusinessCalendar

WAITING = "waiting for reply"
CLOSED = ("solved", "unsolved", "verified", "closed")
CLOCK_KINDS = ("assigned", "status", "comment", "involved", "uninvolved")
DMSU_REACTIONS = ("assigned", "status", "comment", "eta", "escalated", "field", "digest")
"""Kinds of events by a DMSU supporter that count as a reaction (item 6)."""

CHUNK = 2000  # ticket ids per query (well under SQLite's bound-parameter limit)


@dataclass(frozen=True)
class EventRow:
    """The columns of a :class:`~dmsu.tickets.models.TicketEvent` the clocks need."""

    id: int
    ticket_id: int
    at: datetime
    kind: str
    actor_id: int | None
    actor_role: str
    support_unit_id: int | None
    status: str | None


def _utc(value) -> datetime:
    """A stored event time (text on SQLite, naive on PostgreSQL) as an aware UTC instant."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def event_rows(ticket_ids: Iterable[int], kinds=None) -> dict[int, list[EventRow]]:
    """The events of ``ticket_ids`` (of ``kinds`` only, when given) grouped by ticket, in
    time order (ties by id). Plain SQL: the SLA report reads hundreds of thousands of events,
    and building model rows for them cost most of its time."""
    from dmsu.core.db import database, marks

    ids = list(dict.fromkeys(ticket_ids))
    kinds = tuple(kinds or ())
    of_kinds = f" AND kind IN ({marks(len(kinds))})" if kinds else ""
    grouped: dict[int, list[EventRow]] = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        cursor = database.execute_sql(
            "SELECT id, ticket_id, at, kind, actor_id, actor_role, support_unit_id, status "
            f"FROM ticket_event WHERE ticket_id IN ({marks(len(part))}){of_kinds} "
            "ORDER BY ticket_id, at, id",
            [*part, *kinds],
        )
        for row in cursor.fetchall():
            grouped[row[1]].append(EventRow(row[0], row[1], _utc(row[2]), *row[3:]))
    return grouped


def waiting_pauses(events: list[EventRow]) -> list[tuple[datetime, datetime | None]]:
    """The stretches the ticket spent in ``waiting for reply`` (the last may be open)."""
    pauses: list[tuple[datetime, datetime | None]] = []
    began: datetime | None = None
    for event in events:
        if event.kind != "status":
            continue
        if event.status == WAITING and began is None:
            began = event.at
        elif event.status != WAITING and began is not None:
            pauses.append((began, event.at))
            began = None
    if began is not None:
        pauses.append((began, None))
    return pauses


def counts_as_unit_status(event: EventRow) -> bool:
    """Whether a status change while the ticket is in a 3rd-line unit is that unit's.

    Changes by the submitter, by TPM or DMSU staff are not, and neither is the status
    ``assigned`` that comes with the assignment itself. Imported GGUS history does not say who
    changed a status: such events carry ``actor_role`` "system" and no actor, and in a
    3rd-line unit they are the unit's.
    """
    if event.status == "assigned":
        return False
    return event.actor_role == "third_line" or (
        event.actor_role == "system" and event.actor_id is None
    )


@dataclass
class Clock:
    """One SLA clock: started by an assignment to a 3rd-line unit."""

    assignment_id: int
    unit_id: int
    started_at: datetime
    hours: float | None  # None: best effort
    responded_at: datetime | None = None
    ended_at: datetime | None = None  # left the unit or closed without a response
    pauses: list = field(default_factory=list)
    due_at: datetime | None = None
    calendar: BusinessCalendar | None = None  # the unit's working time (unit_calendars)

    @property
    def finished(self) -> bool:
        return self.responded_at is not None or self.ended_at is not None

    def state(self, now: datetime) -> str:
        """met, violated, running, paused, withdrawn or best_effort."""
        if self.hours is None:
            return "best_effort"
        if self.responded_at is not None:
            late = self.due_at is not None and self.responded_at > self.due_at
            return "violated" if late else "met"
        if self.ended_at is not None:
            late = self.due_at is not None and self.due_at < self.ended_at
            return "violated" if late else "withdrawn"
        if self.due_at is None:
            return "paused"
        return "violated" if self.due_at <= now else "running"


def _clip(pauses, start: datetime, end: datetime | None):
    if end is None:
        return list(pauses)
    clipped = []
    for begin, stop in pauses:
        if begin >= end:
            continue
        clipped.append((begin, end if stop is None else min(stop, end)))
    return clipped


def run_clocks(
    events: list[EventRow],
    units: dict,
    hours_for: Callable[[object, BusinessCalendar], float | None],
    calendar: BusinessCalendar,
    now: datetime,
) -> list[Clock]:
    """Walk one ticket's events (time order) and return its clocks with their deadlines, each
    in the working time of its unit (:func:`dmsu.tickets.sla.unit_calendars.calendar_for`,
    ``calendar`` being the site's); ``hours_for(unit, unit_calendar)`` is its response time."""
    clocks: list[Clock] = []
    open_by_unit: dict[int, Clock] = {}
    current: int | None = None
    involved: set[int] = set()

    def end(unit_id: int, at: datetime) -> None:
        clock = open_by_unit.pop(unit_id, None)
        if clock is not None:
            clock.ended_at = at

    def respond(unit_id: int | None, at: datetime) -> None:
        clock = open_by_unit.pop(unit_id, None) if unit_id is not None else None
        if clock is not None:
            clock.responded_at = at

    for event in events:
        if event.kind == "assigned":
            current = event.support_unit_id
            for unit_id in list(open_by_unit):
                if unit_id == current or unit_id not in involved:
                    end(unit_id, event.at)
            unit = units.get(current)
            if unit is not None and unit.kind == "third_line":
                working = unit_calendars.calendar_for(unit, calendar)
                clock = Clock(event.id, unit.id, event.at, hours_for(unit, working))
                clock.calendar = working
                clocks.append(clock)
                open_by_unit[unit.id] = clock
        elif event.kind == "involved" and event.support_unit_id is not None:
            involved.add(event.support_unit_id)
        elif event.kind == "uninvolved":
            involved.discard(event.support_unit_id)
            if event.support_unit_id != current:
                end(event.support_unit_id, event.at)
        elif event.kind == "comment" and event.actor_role == "third_line":
            target = event.support_unit_id
            if target not in open_by_unit:
                target = current if current in open_by_unit else None
            if target is None and len(open_by_unit) == 1:
                target = next(iter(open_by_unit))
            respond(target, event.at)
        elif event.kind == "status":
            if counts_as_unit_status(event):
                respond(current, event.at)
            if event.status in CLOSED:
                for unit_id in list(open_by_unit):
                    end(unit_id, event.at)

    pauses = waiting_pauses(events)
    for clock in clocks:
        if clock.hours is None:
            continue
        stop = clock.responded_at or clock.ended_at
        clock.pauses = _clip(pauses, clock.started_at, stop)
        clock.due_at = clock.calendar.deadline_with_pauses(
            clock.started_at, clock.hours, clock.pauses
        )
    return clocks


def dmsu_reaction_since(events: list[EventRow], units: dict) -> datetime | None:
    """The last supporter reaction: an event by a DMSU actor, or the assignment to DMSU.

    Seed 001: the sweep "makes sure that no tickets are left without supporter's reaction for
    more than three working days".
    """
    last: datetime | None = None
    for event in events:
        by_dmsu = event.actor_role == "dmsu" and event.kind in DMSU_REACTIONS
        unit = units.get(event.support_unit_id)
        to_dmsu = event.kind == "assigned" and unit is not None and unit.kind == "dmsu"
        if by_dmsu or to_dmsu:
            last = event.at if last is None else max(last, event.at)
    return last
