"""The flow facts the metrics read off a ticket's events: the pieces the one projection
(:func:`dmsu.tickets.projection.history.project`) is made of, and the writers of the columns
that store them.

Events are the truth (ARCHITECTURE.md rule 1); these are derived from them:

- every event's ``unit_before_id`` / ``unit_before_at``: the support unit the ticket is in
  just before it (the unit of its latest ``assigned`` event before it, by time then id) and
  since when — "The support unit a ticket is in changes only by ``assigned`` events;
  before its first one it is in none";
- every event's ``prev_same_at``: when the ticket's previous event of the same flow fact
  came (:func:`previous_same`), so a period piece counts "each ticket once" without
  ``DISTINCT``;
- every event's ``next_of_kind_at``: when the ticket's next event of the same kind came
  (:func:`next_of_kind`), so its state as of any instant is an index range;
- every event's ``flow_fact``: which flow fact it is, as a code of :data:`FACT_CODES` (None
  for the events that are none, :func:`fact_codes`), so a period's facts are one range of a
  small partial index;
- every ticket's ETA outcome ``eta_fix_at`` / ``eta_initial_due`` / ``eta_final_due`` and
  the unit it was fixed from, ``eta_fix_unit_id`` (:func:`eta_fix`).

A new event can come before older ones (an import of history), so a ticket's events are
recomputed together (:mod:`dmsu.tickets.projection.store`). The facts depend on which units are
DMSU, TPM, UMD release and 3rd-line units; the site never changes a unit's kind, and after
changing one by hand :func:`dmsu.tickets.projection.store.refresh_all` brings every ticket in
step.
"""

from __future__ import annotations

from dataclasses import dataclass

from dmsu.core.db import database, is_postgres

CHUNK = 500
# the derived columns, with their PostgreSQL types
EVENT_FACTS = {
    "unit_before_id": "integer",
    "unit_before_at": "timestamp",
    "prev_same_at": "timestamp",
    "next_of_kind_at": "timestamp",
    "flow_fact": "smallint",
}
# the flow facts of the metrics' definitions, as stored in ``ticket_event.flow_fact``
FACT_CODES = {"to_dmsu": 0, "to_tpm": 1, "to_third": 2, "solved": 3}
TICKET_FACTS = {
    "eta_fix_at": "timestamp",
    "eta_initial_due": "date",
    "eta_final_due": "date",
    "eta_fix_unit_id": "integer",
}


@dataclass(frozen=True)
class EtaFix:
    """A ticket's ETA outcome: ``at`` is its fix — its first assignment to a UMD
    release unit, or its first ``solved`` status while in a 3rd-line unit, after its first
    ETA; ``initial_due`` is the due date of its earliest ETA, ``final_due`` that of its
    latest ETA before the fix; ``unit`` is the unit the ticket was in just before the fix
    (the product team whose ETA it was: the 3rd-line unit that solved it, or the unit it
    went to UMD release from). All None without a fix."""

    at: object = None
    initial_due: object = None
    final_due: object = None
    unit: int | None = None


def eta_fix(steps, umd: frozenset, third: frozenset) -> EtaFix:
    """``steps``: a ticket's events in (time, id) order as ``(kind, unit_id, unit_before,
    status, at, due)``; only ETAs with a due date count."""
    initial_due = latest_due = None
    for kind, unit_id, unit_before, status, at, due in steps:
        if initial_due is not None and (
            (kind == "assigned" and unit_id in umd)
            or (kind == "status" and status == "solved" and unit_before in third)
        ):
            return EtaFix(at, initial_due, latest_due, unit_before)
        if kind == "eta" and due is not None:
            if initial_due is None:
                initial_due = due
            latest_due = due
    return EtaFix()


@dataclass(frozen=True)
class UnitKinds:
    """The unit ids of each kind the metrics' facts depend on."""

    dmsu: frozenset = frozenset()
    first_line: frozenset = frozenset()
    third: frozenset = frozenset()
    umd: frozenset = frozenset()


def flow_fact(kind: str, unit_id, unit_before, status, kinds: UnitKinds) -> str | None:
    """The ticket-flow fact an event is (the metrics' definitions), or None: an assignment to
    DMSU, one straight from DMSU to TPM or to a 3rd-line unit, or a solve while in DMSU."""
    if kind == "assigned":
        if unit_id in kinds.dmsu:
            return "to_dmsu"
        if unit_before in kinds.dmsu:
            if unit_id in kinds.first_line:
                return "to_tpm"
            if unit_id in kinds.third:
                return "to_third"
    elif kind == "status" and status == "solved" and unit_before in kinds.dmsu:
        return "solved"
    return None


def fact_codes(steps, kinds: UnitKinds) -> list[int | None]:
    """Per event (``steps`` as for :func:`eta_fix`): the code of the flow fact it is
    (:data:`FACT_CODES`), None for the events that are none."""
    return [
        FACT_CODES.get(flow_fact(kind, unit_id, unit_before, status, kinds))
        for kind, unit_id, unit_before, status, *_ in steps
    ]


def next_of_kind(steps) -> list:
    """Per event (``steps`` as for :func:`eta_fix`): when the ticket's next event of the same
    kind came (None for the last of its kind). The ticket's state as of any instant is then
    its events before it with no later one of their kind before it: the 3rd-line backlog of
    a past quarter is an index range, not a replay of every ticket."""
    result: list = [None] * len(steps)
    following: dict[str, object] = {}
    for index in range(len(steps) - 1, -1, -1):
        kind, at = steps[index][0], steps[index][4]
        result[index] = following.get(kind)
        following[kind] = at
    return result


def previous_same(steps, kinds: UnitKinds) -> list:
    """Per event (``steps`` as for :func:`eta_fix`): the time of the ticket's previous event
    that is the same flow fact (None for the first, and for events that are no fact). The
    metrics count "each ticket once" per period piece as the facts whose previous one lies
    outside the piece."""
    latest: dict[str, object] = {}
    result = []
    for kind, unit_id, unit_before, status, at, _ in steps:
        fact = flow_fact(kind, unit_id, unit_before, status, kinds)
        result.append(latest.get(fact) if fact else None)
        if fact:
            latest[fact] = at
    return result


def update_by_id(table: str, columns: dict[str, str], rows: list[tuple]) -> None:
    """Set ``columns`` (name -> PostgreSQL type) from ``rows`` of ``(*values, id)``: one
    statement per thousand rows on PostgreSQL, a prepared UPDATE on SQLite."""
    if not rows:
        return
    cursor = database.cursor()
    names = list(columns)
    if is_postgres():
        from psycopg2.extras import execute_values

        sets = ", ".join(f"{name} = v.{name}" for name in names)
        casts = ", ".join(f"%s::{kind}" for kind in columns.values())
        execute_values(
            cursor,
            f"UPDATE {table} AS t SET {sets} FROM (VALUES %s) AS v ({', '.join(names)}, id) "
            "WHERE t.id = v.id",
            rows,
            template=f"({casts}, %s::integer)",
            page_size=1000,
        )
    else:
        sets = ", ".join(f"{name} = ?" for name in names)
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = ?", rows)


def write_befores(changes: list[tuple]) -> None:
    """Store ``(unit_before_id, unit_before_at, prev_same_at, next_of_kind_at, flow_fact, id)``
    rows (times as stored)."""
    update_by_id("ticket_event", EVENT_FACTS, changes)
