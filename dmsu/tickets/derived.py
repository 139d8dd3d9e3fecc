"""Ticket columns derived from the event log, kept in step with it (DESIGN rule 1: "Events
are the truth"; these are summaries for the oversight lists, recomputable from events).

- ``unit_since``: when the ticket entered its current support unit (its latest ``assigned``);
- ``eta_due``: the due date of the latest ETA given since then;
- ``last_reaction_at``: the last supporter reaction — an event by a DMSU actor of a reacting
  kind, or the assignment to DMSU (seed 001: "no tickets are left without supporter's reaction
  for more than three working days");
- ``waiting_since``: when the ticket last went to ``waiting for reply``;
- ``submitter_wrote_at``: the submitter's latest comment;
- ``escalated_at``: the latest escalation.

Every event also carries two derived columns, ``unit_before_id`` and ``unit_before_at``: the
support unit the ticket is in just before the event (the unit of its latest ``assigned``
event before it) and when it entered that unit. The metrics read them instead of finding the
previous assignment of each event again (issue 8: "The support unit a ticket is in changes
only by ``assigned`` events; before its first one it is in none"). A new event can come
before older ones (an import of history), so a ticket's events are recomputed together
(:func:`refresh_events`); the importer computes them while it replays a ticket's history.
The same pass keeps each ticket's ETA outcome (``eta_fix_at``, ``eta_initial_due``,
``eta_final_due``, :func:`dmsu.tickets.bulk.eta_fix`) in step. It depends on which units are
UMD release and 3rd-line units; the site never changes a unit's kind, and after changing one
by hand :func:`refresh_all_events` brings every ticket in step.

"Latest" orders events by (time, id), as :func:`dmsu.tickets.events.replay` does. Every event
written through the ORM (the workflow's ``append``) refreshes its ticket in the same
transaction (:func:`event_written`); bulk writers (the importer) call :func:`refresh` with the
tickets they wrote. One ``UPDATE`` computes the columns from the events with indexed
correlated subqueries, so the values never depend on the order events arrive in.
"""

from __future__ import annotations

from collections.abc import Iterable

from dmsu.db import database, is_postgres
from dmsu.tickets.clocks import DMSU_REACTIONS, WAITING

COLUMNS = (
    "unit_since",
    "eta_due",
    "last_reaction_at",
    "waiting_since",
    "submitter_wrote_at",
    "escalated_at",
)
CHUNK = 500


def _latest(condition: str) -> str:
    return f"(SELECT MAX(e.at) FROM ticket_event e WHERE e.ticket_id = ticket.id AND {condition})"


def _assignments() -> str:
    return """(SELECT a.at FROM ticket_event a WHERE a.ticket_id = ticket.id AND a.kind = 'assigned'
               ORDER BY a.at DESC, a.id DESC LIMIT 1)"""


def _eta_due() -> str:
    """The latest ETA not followed by an assignment (an ETA is the promise of the unit it
    was given to; a new assignment clears it)."""
    return """(SELECT e.due FROM ticket_event e WHERE e.ticket_id = ticket.id AND e.kind = 'eta'
                AND NOT EXISTS (SELECT 1 FROM ticket_event a
                                WHERE a.ticket_id = e.ticket_id AND a.kind = 'assigned'
                                  AND (a.at > e.at OR (a.at = e.at AND a.id > e.id)))
               ORDER BY e.at DESC, e.id DESC LIMIT 1)"""


def _set_clause() -> tuple[str, list]:
    kinds = ", ".join(f"'{kind}'" for kind in DMSU_REACTIONS)
    reaction = _latest(
        f"((e.actor_role = 'dmsu' AND e.kind IN ({kinds})) OR (e.kind = 'assigned' AND "
        "e.support_unit_id IN (SELECT u.id FROM support_unit u WHERE u.kind = 'dmsu')))"
    )
    mark = "%s" if is_postgres() else "?"
    values = {
        "unit_since": (_assignments(), []),
        "eta_due": (_eta_due(), []),
        "last_reaction_at": (reaction, []),
        "waiting_since": (_latest(f"e.kind = 'status' AND e.status = {mark}"), [WAITING]),
        "submitter_wrote_at": (
            _latest("e.kind = 'comment' AND e.actor_role = 'submitter'"),
            [],
        ),
        "escalated_at": (_latest("e.kind = 'escalated'"), []),
    }
    parts, params = [], []
    for column in COLUMNS:
        sql, extra = values[column]
        parts.append(f"{column} = {sql}")
        params += extra
    return ", ".join(parts), params


def refresh(ticket_ids: Iterable[int]) -> None:
    """Recompute the derived columns of the tickets with these ids from their events."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return
    assignments, params = _set_clause()
    mark = "%s" if is_postgres() else "?"
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        database.execute_sql(
            f"UPDATE ticket SET {assignments} WHERE id IN ({', '.join([mark] * len(part))})",
            [*params, *part],
        )


def refresh_ggus(ggus_ids: Iterable[int]) -> None:
    """:func:`refresh` for the tickets with these GGUS numbers (for the importer's batches)."""
    from dmsu.tickets.models import Ticket

    wanted = sorted(set(ggus_ids))
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        refresh(row[0] for row in Ticket.select(Ticket.id).where(Ticket.ggus_id.in_(part)).tuples())


def refresh_all() -> None:
    """Recompute every ticket (a migration's backfill)."""
    assignments, params = _set_clause()
    database.execute_sql(f"UPDATE ticket SET {assignments}", params)


def oversight_values(events, dmsu_units: frozenset) -> dict:
    """The oversight columns of :data:`COLUMNS` that :func:`refresh` computes in SQL, worked
    out in Python from a new ticket's events ``(kind, unit_id, status, at, role)`` (the
    importer's fast path for tickets it creates; the rules are the same: the latest event of
    each kind, by time)."""
    found = dict.fromkeys(("last_reaction_at", "waiting_since", "submitter_wrote_at",
                           "escalated_at"))  # fmt: skip

    def later(column: str, at) -> None:
        if found[column] is None or at > found[column]:
            found[column] = at

    for kind, unit_id, status, at, role in events:
        if (role == "dmsu" and kind in DMSU_REACTIONS) or (
            kind == "assigned" and unit_id in dmsu_units
        ):
            later("last_reaction_at", at)
        if kind == "status" and status == WAITING:
            later("waiting_since", at)
        if kind == "comment" and role == "submitter":
            later("submitter_wrote_at", at)
        if kind == "escalated":
            later("escalated_at", at)
    return found


def befores(rows) -> list[tuple[int, int | None, object]]:
    """``rows``: a ticket's ``(id, kind, support_unit_id, at)`` in (time, id) order. Returns
    ``(id, unit before, since)`` per event."""
    unit = since = None
    result = []
    for event_id, kind, unit_id, at in rows:
        result.append((event_id, unit, since))
        if kind == "assigned":
            unit, since = unit_id, at
    return result


def _event_rows(ticket_ids: list[int]):
    """``(ticket_id, id, kind, support_unit_id, at, unit_before_id, unit_before_at, status,
    due, prev_same_at)`` of the tickets' events in ticket, time, id order (raw values)."""
    mark = "%s" if is_postgres() else "?"
    return database.execute_sql(
        "SELECT ticket_id, id, kind, support_unit_id, at, unit_before_id, unit_before_at, "
        f"status, due, prev_same_at FROM ticket_event WHERE ticket_id IN ({', '.join([mark] * len(ticket_ids))}) "
        "ORDER BY ticket_id, at, id",
        ticket_ids,
    ).fetchall()


def write_befores(changes: list[tuple[int | None, object, object, int]]) -> None:
    """Store ``(unit_before_id, unit_before_at, prev_same_at, id)`` rows (times as stored)."""
    if not changes:
        return
    cursor = database.cursor()
    if is_postgres():
        from psycopg2.extras import execute_values

        execute_values(
            cursor,
            "UPDATE ticket_event AS e SET unit_before_id = v.unit, unit_before_at = v.since, "
            "prev_same_at = v.same FROM (VALUES %s) AS v (unit, since, same, id) "
            "WHERE e.id = v.id",
            changes,
            template="(%s::integer, %s::timestamp, %s::timestamp, %s::integer)",
            page_size=1000,
        )
    else:
        cursor.executemany(
            "UPDATE ticket_event SET unit_before_id = ?, unit_before_at = ?, prev_same_at = ? "
            "WHERE id = ?",
            changes,
        )


def write_eta_fixes(changes: list[tuple]) -> None:
    """Store ``(eta_fix_at, eta_initial_due, eta_final_due, ticket id)`` rows."""
    if not changes:
        return
    cursor = database.cursor()
    if is_postgres():
        from psycopg2.extras import execute_values

        execute_values(
            cursor,
            "UPDATE ticket AS t SET eta_fix_at = v.fix, eta_initial_due = v.initial, "
            "eta_final_due = v.final FROM (VALUES %s) AS v (fix, initial, final, id) "
            "WHERE t.id = v.id",
            changes,
            template="(%s::timestamp, %s::date, %s::date, %s::integer)",
            page_size=1000,
        )
    else:
        cursor.executemany(
            "UPDATE ticket SET eta_fix_at = ?, eta_initial_due = ?, eta_final_due = ? WHERE id = ?",
            changes,
        )


def unit_kinds():
    """The support unit ids by kind (:class:`dmsu.tickets.bulk.UnitKinds`)."""
    from dmsu.tickets.bulk import UnitKinds

    rows = database.execute_sql("SELECT id, kind FROM support_unit").fetchall()

    def of(wanted: str) -> frozenset:
        return frozenset(u for u, kind in rows if kind == wanted)

    return UnitKinds(of("dmsu"), of("first_line"), of("third_line"), of("umd_release"))


def refresh_events(ticket_ids: Iterable[int]) -> int:
    """Recompute the derived event columns and the ETA outcome of these tickets from their
    events; returns how many rows changed."""
    from dmsu.tickets.bulk import eta_fix, previous_same

    ids = sorted(set(ticket_ids))
    if not ids:
        return 0
    kinds = unit_kinds()
    mark = "%s" if is_postgres() else "?"
    changed = 0
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        rows = _event_rows(part)
        stored_fixes = {
            row[0]: tuple(_same(v) for v in row[1:])
            for row in database.execute_sql(
                "SELECT id, eta_fix_at, eta_initial_due, eta_final_due FROM ticket "
                f"WHERE id IN ({', '.join([mark] * len(part))})",
                part,
            )
        }
        by_ticket: dict[int, list] = {ticket_id: [] for ticket_id in stored_fixes}
        for row in rows:
            by_ticket.setdefault(row[0], []).append(row)
        befores_changed, fixes_changed = [], []
        for ticket_id, ticket_rows in by_ticket.items():
            wanted = befores([(r[1], r[2], r[3], r[4]) for r in ticket_rows])
            steps = [
                (r[2], r[3], before[1], r[7], r[4], r[8])
                for r, before in zip(ticket_rows, wanted, strict=True)
            ]
            sames = previous_same(steps, kinds)
            for row, (event_id, unit, since), same in zip(ticket_rows, wanted, sames, strict=True):
                if (row[5], _same(row[6]), _same(row[9])) != (unit, _same(since), _same(same)):
                    befores_changed.append((unit, since, same, event_id))
            fix = eta_fix(steps, kinds.umd, kinds.third)
            values = (fix.at, fix.initial_due, fix.final_due)
            if tuple(_same(v) for v in values) != stored_fixes.get(ticket_id):
                fixes_changed.append((*values, ticket_id))
        write_befores(befores_changed)
        write_eta_fixes(fixes_changed)
        changed += len(befores_changed) + len(fixes_changed)
    return changed


def _same(value):
    """Stored times and dates come back as text (SQLite) or as objects (PostgreSQL)."""
    return None if value is None else str(value)


def refresh_all_events() -> int:
    """Recompute the derived event columns of every ticket (a migration's backfill)."""
    ids = [row[0] for row in database.execute_sql("SELECT id FROM ticket ORDER BY id")]
    return refresh_events(ids)


def event_written(event) -> None:
    """Bring the event's ticket in step, in the database and on the ticket object the event
    was written with (so the caller's later ``ticket.save()`` keeps the new values)."""
    from dmsu.tickets.models import Ticket

    refresh([event.ticket_id])
    refresh_events([event.ticket_id])
    ticket = event.__rel__.get("ticket")
    if ticket is None:
        return
    fields = [getattr(Ticket, column) for column in COLUMNS]
    row = Ticket.select(*fields).where(Ticket.id == event.ticket_id).tuples().first()
    if row is not None:
        for column, value in zip(COLUMNS, row, strict=True):
            setattr(ticket, column, value)
