"""Every SLA clock stored as a derived fact, so the metrics count violations in SQL.

Seed 001: "Compliance to the agreed service level targets is continuously monitored by the
software support team ... regular statistics on the SLA violations are generated and reported
to TCB." The rules are those of :mod:`dmsu.tickets.sla.rules` (a clock per assignment to a 3rd-line
unit, stopped by the unit's first response, paused while waiting for reply, in working time
by the unit's SLA level); this module stores what they say about each clock, worked out from
the ticket's whole history, in the ``sla_clock`` table (:class:`~dmsu.tickets.models.SlaClock`):

- ``stop_at``: the unit's response, or the clock's end (the ticket left the unit or closed);
- ``outcome`` once stopped: ``met``, ``violated`` or ``withdrawn``; ``best_effort`` for a unit
  that declared no response time; ``open`` while neither;
- ``due_at``: the deadline, the waiting pauses up to the stop not counting; None while a
  pause that is still open stops the clock.

The outcome **as of any instant T** follows from these alone (:data:`STATE_AS_OF`): best
effort stays best effort; a clock stopped by T has its stored outcome; otherwise it is
violated when ``due_at <= T`` and pending (running or paused) when not. The last holds
although events after T are in the history: pauses after T only push a deadline later, so a
deadline reached by T is the same with or without them, and a pause that began before the
deadline and is open at T gives no stored deadline at or before T either. The tests check this
against the rules run as of T.

The stored values also depend on three inputs that are not events: the unit's SLA level, the
ticket's priority and the working-time calendar (``DMSU_TIMEZONE``, working hours, holidays),
so each row keeps the values it was made from. A row whose calendar or level no longer match
is stale: :func:`dmsu.metrics.sla_report.sla_by_unit` works its tickets out from the events
instead, and :func:`refresh_stale` (``dmsu init``, the hourly job) brings them in step, and
those with another priority than the ticket's too (every writer of a priority refreshes the
clocks itself: the workflow's field change, the importer).

Kept in step like the projection's other values: a workflow step that wrote an event of
:data:`~dmsu.tickets.sla.clocks.CLOCK_KINDS` or changed the priority replaces its tickets' rows
when it ends (:func:`dmsu.tickets.projection.store.bring_in_step`), the importer works out a new ticket's
clocks while it replays its history (:func:`clock_rows`) and refreshes the tickets it
updated, and migration m0904 fills the table. As with the facts, the site never changes a
unit's kind; after changing one by hand, :func:`refresh_all` brings every ticket in step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

import dmsu.tickets.sla.unit_calendars as unit_calendars
from dmsu.core.calendar import BusinessCalendar
from dmsu.core.db import database, marks
from dmsu.tickets.sla.clocks import CLOCK_KINDS, Clock, EventRow, event_rows, run_clocks
from dmsu.tickets.sla.rules import hours_for, units_by_id

CHUNK = 2000
FAR = datetime.max.replace(tzinfo=UTC)
COLUMNS = (
    "ticket", "seq", "unit_id", "started_at", "level", "priority", "calendar", "hours",
    "due_at", "stop_at", "outcome",
)  # fmt: skip

STATE_AS_OF = """CASE WHEN c.outcome = 'best_effort' THEN 'best_effort'
     WHEN c.stop_at <= :as_of THEN c.outcome
     WHEN c.due_at <= :as_of THEN 'violated'
     ELSE 'pending' END"""
"""A clock's state as of ``:as_of`` (SQL over ``sla_clock c``), see the module docstring."""


DEADLINE_RULE = 2
"""The version of the deadline arithmetic (2: hours that run out at a closing time are
exceeded at the next opening). Part of every row's calendar key, so rows worked out by an
older rule are stale and :func:`refresh_stale` (``dmsu init``, the hourly job) redoes them."""


def calendar_key(calendar: BusinessCalendar) -> str:
    """A short fingerprint of everything in ``calendar`` that moves a deadline, and of the
    deadline rule itself (:data:`DEADLINE_RULE`)."""
    text = repr(
        (
            DEADLINE_RULE,
            calendar.tz,
            calendar.start.isoformat(),
            calendar.end.isoformat(),
            sorted(calendar.workdays),
            sorted(day.isoformat() for day in calendar.holidays),
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def site_calendar() -> BusinessCalendar:
    """The configured calendar (the default one outside an application)."""
    from flask import current_app, has_app_context

    if has_app_context():
        return BusinessCalendar.from_config(current_app.config)
    return BusinessCalendar()


def outcome(clock: Clock) -> str:
    """A clock's outcome over the whole history: its final state, or ``open``."""
    if clock.hours is None:
        return "best_effort"
    if clock.finished:
        return clock.state(FAR)
    return "open"


def clock_rows(
    ticket_id: int,
    priority: str,
    events: list[EventRow],
    units: dict,
    calendar: BusinessCalendar,
    key: str | None = None,
) -> list[tuple]:
    """The ``sla_clock`` rows (in :data:`COLUMNS` order, aware times) of one ticket whose
    ``events`` (of :data:`~dmsu.tickets.sla.clocks.CLOCK_KINDS`, in time order) are all it has."""
    site_key = key or calendar_key(calendar)
    clocks = run_clocks(
        events, units, lambda unit, working: hours_for(unit, priority, working), calendar, FAR
    )
    return [
        (
            ticket_id,
            seq,
            clock.unit_id,
            clock.started_at,
            units[clock.unit_id].sla_level,
            priority,
            site_key if clock.calendar is calendar else calendar_key(clock.calendar),
            clock.hours,
            clock.due_at,
            clock.responded_at or clock.ended_at,
            outcome(clock),
        )
        for seq, clock in enumerate(clocks)
    ]


def write(rows: list[tuple]) -> None:
    """Insert ``rows`` (see :func:`clock_rows`)."""
    from dmsu.tickets.exchange.bulk import insert_rows
    from dmsu.tickets.models import SlaClock

    insert_rows(SlaClock, list(COLUMNS), rows)


def refresh(ticket_ids: Iterable[int], calendar: BusinessCalendar | None = None) -> None:
    """Work out again the clocks of these tickets from their events (in the caller's
    transaction)."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return
    calendar = calendar or site_calendar()
    key = calendar_key(calendar)
    units = units_by_id()
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        in_part = marks(len(part))
        priorities = database.execute_sql(
            f"SELECT id, priority FROM ticket WHERE id IN ({in_part})", part
        ).fetchall()
        grouped = event_rows(part, CLOCK_KINDS)
        rows = []
        for ticket_id, priority in priorities:
            rows += clock_rows(
                ticket_id, priority, grouped.get(ticket_id, []), units, calendar, key
            )
        replace(part, rows)


def replace(ticket_ids: list[int], rows: list[tuple]) -> None:
    """Put ``rows`` (see :func:`clock_rows`) in place of every clock of these tickets."""
    database.execute_sql(
        f"DELETE FROM sla_clock WHERE ticket_id IN ({marks(len(ticket_ids))})", ticket_ids
    )
    write(rows)


def third_line_tickets() -> list[int]:
    """Every ticket ever assigned to a 3rd-line unit (the only ones with clocks)."""
    return [
        row[0]
        for row in database.execute_sql(
            "SELECT DISTINCT e.ticket_id FROM ticket_event e JOIN support_unit u "
            "ON u.id = e.support_unit_id WHERE e.kind = 'assigned' AND u.kind = 'third_line' "
            "ORDER BY e.ticket_id"
        )
    ]


def refresh_all(calendar: BusinessCalendar | None = None) -> int:
    """Work out every ticket's clocks again (a migration's backfill); returns how many
    tickets have clocks."""
    database.execute_sql("DELETE FROM sla_clock")
    ids = third_line_tickets()
    refresh(ids, calendar)
    return len(ids)


def stale_tickets(calendar: BusinessCalendar | None = None, priority: bool = True) -> list[int]:
    """The tickets with a clock made from another calendar or SLA level than the current
    ones, or (with ``priority``) from another priority than the ticket's. The SLA section
    leaves the priority out: every writer of a priority refreshes the clocks, and the check
    would read every ticket."""
    site = calendar or site_calendar()
    key = calendar_key(site)
    # a unit with a working time of its own has its own key (dmsu.tickets.sla.unit_calendars)
    own = {
        unit_id: calendar_key(working)
        for unit_id, unit in units_by_id().items()
        if (working := unit_calendars.calendar_for(unit, site)) is not site
    }
    expected, params = marks(1), [key]
    if own:
        cases = " ".join(f"WHEN {marks(1)} THEN {marks(1)}" for _ in own)
        expected = f"CASE c.unit_id {cases} ELSE {marks(1)} END"
        params = [value for pair in own.items() for value in pair] + [key]
    ticket = " JOIN ticket t ON t.id = c.ticket_id" if priority else ""
    fresh = f"c.calendar = {expected} AND c.level = u.sla_level"
    if priority:
        fresh += " AND c.priority = t.priority"
    sql = (
        "SELECT DISTINCT c.ticket_id FROM sla_clock c JOIN support_unit u ON u.id = c.unit_id"
        f"{ticket} WHERE NOT ({fresh}) ORDER BY c.ticket_id"
    )
    return [row[0] for row in database.execute_sql(sql, params)]


def refresh_stale(calendar: BusinessCalendar | None = None) -> int:
    """Bring the stale tickets' clocks in step; returns how many tickets were refreshed."""
    calendar = calendar or site_calendar()
    ids = stale_tickets(calendar)
    with database.atomic():
        refresh(ids, calendar)
    return len(ids)


def refreshed(count: int) -> str:
    """What :func:`refresh_stale` did, in one sentence."""
    return f"SLA clocks worked out again for {count} ticket{'' if count == 1 else 's'}."
