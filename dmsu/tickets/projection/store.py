"""Storing what the projection says (:func:`dmsu.tickets.projection.history.project`): the
derived columns of tickets and of their events, and their SLA clocks.

A workflow step calls :func:`bring_in_step` once, at its end, inside its transaction, with the
tickets it touched (:func:`dmsu.tickets.workflow.events.step`). It reads their events with the
kinds and SLA levels of the units they name in one query, runs the projection, and writes only
what differs: the events' derived columns, the tickets' derived columns (one statement for
all of them) and, when the step wrote an event the SLA clocks depend on, the clocks. The
tickets' own objects are left alone: a caller that wants the derived values reads the ticket
again.

Bulk writers (the importer, the backfill) use :func:`refresh_tickets`, which does the same for
many tickets in chunks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import NamedTuple

import dmsu.tickets.projection.facts as facts
import dmsu.tickets.projection.history as history
from dmsu.core.db import database, marks
from dmsu.tickets.sla import stored_clocks
from dmsu.tickets.sla.clocks import CLOCK_KINDS, EventRow

CHUNK = 500
TICKET_COLUMNS = {
    "unit_since": "timestamp",
    "eta_due": "date",
    "last_reaction_at": "timestamp",
    "waiting_since": "timestamp",
    "submitter_wrote_at": "timestamp",
    "escalated_at": "timestamp",
    **facts.TICKET_FACTS,
}
"""The ticket's derived columns (name -> PostgreSQL type), in the order they are written."""


class Unit(NamedTuple):
    """What the projection and the SLA clocks need of a support unit."""

    id: int
    kind: str
    sla_level: str
    name: str
    timezone: str = ""
    country: str = ""
    working_hours: str = ""


class Stored(NamedTuple):
    """One ticket's history as stored: its events' ids, what the projection reads of them,
    their derived columns, and the rows the SLA clocks read."""

    ids: list[int]
    steps: list[history.Step]
    facts: list[tuple]
    clock_rows: list[EventRow]


def _utc(value):
    """A stored time (text on SQLite, naive on PostgreSQL) as an aware UTC instant."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _day(value):
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _naive(value):
    """A value as its column holds it: aware instants as naive UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def read(ticket_ids: list[int]) -> tuple[dict[int, Stored], dict[int, Unit]]:
    """The stored histories of these tickets (every ticket asked for has one, maybe empty) and
    the units their events name, in one query."""
    stored = {ticket_id: Stored([], [], [], []) for ticket_id in ticket_ids}
    units: dict[int, Unit] = {}
    if not ticket_ids:
        return stored, units
    rows = database.execute_sql(
        "SELECT e.ticket_id, e.id, e.kind, e.at, e.support_unit_id, e.status, e.due, "
        "e.actor_role, e.data, e.actor_id, e.unit_before_id, e.unit_before_at, "
        "e.prev_same_at, e.next_of_kind_at, e.flow_fact, u.kind, u.sla_level, u.name, "
        "u.timezone, u.country, u.working_hours "
        "FROM ticket_event e LEFT JOIN support_unit u ON u.id = e.support_unit_id "
        f"WHERE e.ticket_id IN ({marks(len(ticket_ids))}) ORDER BY e.ticket_id, e.at, e.id",
        ticket_ids,
    )
    for (ticket_id, event_id, kind, at, unit_id, status, due, role, data, actor_id,
         before_id, before_at, same, after, code, unit_kind, level, name, *working) in rows:  # fmt: skip
        at = _utc(at)
        if unit_id is not None and unit_kind is not None:
            units[unit_id] = Unit(unit_id, unit_kind, level, name, *(w or "" for w in working))
        ticket = stored[ticket_id]
        ticket.ids.append(event_id)
        ticket.steps.append(
            history.Step(kind, at, unit_id, status, _day(due), role or "", data or "")
        )
        ticket.facts.append((before_id, _utc(before_at), _utc(same), _utc(after), code))
        if kind in CLOCK_KINDS:
            ticket.clock_rows.append(
                EventRow(event_id, ticket_id, at, kind, actor_id, role or "", unit_id, status)
            )
    return stored, units


def kinds_of(units: dict[int, Unit]) -> facts.UnitKinds:
    """The unit ids of each kind the projection needs."""

    def of(wanted: str) -> frozenset:
        return frozenset(unit.id for unit in units.values() if unit.kind == wanted)

    return facts.UnitKinds(of("dmsu"), of("first_line"), of("third_line"), of("umd_release"))


def _event_changes(ticket: Stored, projection: history.Projection) -> list[tuple]:
    changes = []
    for event_id, stored, wanted in zip(ticket.ids, ticket.facts, projection.events, strict=True):
        values = (wanted.unit_before_id, wanted.unit_before_at, wanted.prev_same_at,
                  wanted.next_of_kind_at, wanted.flow_fact)  # fmt: skip
        if values != stored:
            changes.append((*(_naive(v) for v in values), event_id))
    return changes


def _stored_ticket_columns(ticket_ids: list[int]) -> dict[int, tuple]:
    names = ", ".join(TICKET_COLUMNS)
    rows = database.execute_sql(
        f"SELECT id, {names} FROM ticket WHERE id IN ({marks(len(ticket_ids))})", ticket_ids
    )
    return {row[0]: tuple(_normal(v) for v in row[1:]) for row in rows}


def _normal(value):
    """A stored or computed value in one form to compare: text (stored times and dates come
    back as text on SQLite, as objects on PostgreSQL)."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return value.isoformat(sep=" ")
    return None if value is None else str(value)


def bring_in_step(
    tickets: dict[int, str],
    *,
    clocks: bool,
    compare: bool = False,
    changes: dict[int, dict] | None = None,
) -> int:
    """Bring the tickets ``{id: priority}`` in step with their events (in the caller's
    transaction); ``clocks`` says whether their SLA clocks may have changed. The events'
    columns are written where they differ; the tickets' always, or with ``compare`` only where
    they differ (a backfill over many unchanged tickets). ``changes`` are the columns a
    workflow step changed on a ticket (``{id: {field: value}}``), written in the same
    ``UPDATE`` as its derived columns. Returns how many rows changed (ticket rows counted only
    with ``compare``)."""
    ids = sorted(tickets)
    changed = 0
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        stored, units = read(part)
        kinds = kinds_of(units)
        before = _stored_ticket_columns(part) if compare else {}
        event_changes, ticket_rows, clock_rows = [], [], []
        calendar = stored_clocks.site_calendar() if clocks else None
        for ticket_id in part:
            ticket = stored[ticket_id]
            projection = history.project(ticket.steps, kinds)
            event_changes += _event_changes(ticket, projection)
            columns = projection.ticket_columns()
            values = tuple(_naive(columns[name]) for name in TICKET_COLUMNS)
            if changes and changes.get(ticket_id):
                _update_ticket(ticket_id, changes[ticket_id], columns)
            elif not compare or tuple(_normal(v) for v in values) != before.get(ticket_id):
                ticket_rows.append((*values, ticket_id))
            if clocks and ticket.clock_rows:
                clock_rows += stored_clocks.clock_rows(
                    ticket_id, tickets[ticket_id], ticket.clock_rows, units, calendar
                )
        facts.write_befores(event_changes)
        facts.update_by_id("ticket", TICKET_COLUMNS, ticket_rows)
        if clocks:
            stored_clocks.replace(part, clock_rows)
        changed += len(event_changes) + (len(ticket_rows) if compare else 0)
    return changed


def _update_ticket(ticket_id: int, changed: dict, derived: dict) -> None:
    """One ticket's changed columns and its derived ones, in one statement."""
    from dmsu.tickets.models import Ticket

    values = {**changed, **{Ticket._meta.fields[name]: value for name, value in derived.items()}}
    Ticket.update(values).where(Ticket.id == ticket_id).execute()


def priorities(ticket_ids: Iterable[int]) -> dict[int, str]:
    """``{id: priority}`` of these tickets (for :func:`bring_in_step` outside a step)."""
    result: dict[int, str] = {}
    ids = sorted(set(ticket_ids))
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        result.update(
            database.execute_sql(
                f"SELECT id, priority FROM ticket WHERE id IN ({marks(len(part))})", part
            ).fetchall()
        )
    return result


def refresh_tickets(ticket_ids: Iterable[int], *, clocks: bool = True) -> int:
    """Bring these tickets in step from scratch, writing only what differs (the importer's
    updated tickets, a test's hand-written events); returns how many rows changed."""
    return bring_in_step(priorities(ticket_ids), clocks=clocks, compare=True)


def refresh_all() -> int:
    """Bring every ticket's derived columns and its events' in step (a migration's
    backfill; the SLA clocks have their own, :func:`~dmsu.tickets.sla.stored_clocks.refresh_all`)."""
    ids = [row[0] for row in database.execute_sql("SELECT id FROM ticket ORDER BY id")]
    return refresh_tickets(ids, clocks=False)


def add_missing_columns() -> None:
    """Add every derived column a database made before them lacks, then fill them all from
    the events in one pass. Migrations m0900–m0903, m0905 and m0907 each call it first, so
    whichever of them runs first on an older database adds and fills everything; on a fresh
    database the tables already have them and nothing happens."""
    from dmsu.core.schema import add_column_if_missing
    from dmsu.tickets.models import Ticket, TicketEvent

    added = False
    for model, names in ((TicketEvent, facts.EVENT_FACTS), (Ticket, facts.TICKET_FACTS)):
        table = model._meta.table_name
        have = {c.name for c in database.get_columns(table)}
        for name in names:
            if name not in have:
                add_column_if_missing(table, name, type(model._meta.columns[name])(null=True))
                added = True
    if added:
        refresh_all()
