"""Bulk writing helpers for the ticket import: fast multi-row inserts and the ticket summary
derived from its ordered events.

Rows are inserted in chunks with one prepared statement (``executemany`` on SQLite, which has
a limit on bound variables per statement; ``COPY ... FROM STDIN`` on PostgreSQL),
always inside the caller's ``database.atomic()``.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import peewee

from dmsu.core.db import database, is_postgres
from dmsu.tickets.projection.facts import (
    EtaFix,
    UnitKinds,
    eta_fix,
    fact_codes,
    next_of_kind,
    previous_same,
)

CHUNK = 500
COPY_CHUNK = 20000


def _db_value(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a bulk insert")
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def naive(value: datetime | None) -> datetime | None:
    """An aware instant as the naive UTC value the database column holds."""
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


def insert_rows(model, names: list[str], rows: list[tuple], *, converted=False) -> None:
    """Insert ``rows`` (tuples in the order of the field ``names``) into ``model``'s table;
    ``converted`` says the datetimes are already naive UTC (see :func:`naive`)."""
    if not rows:
        return
    fields = [model._meta.fields[name] for name in names]
    table = model._meta.table_name
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    if not converted:
        rows = [tuple(_db_value(v) for v in row) for row in rows]
    converted = rows
    cursor = database.cursor()
    with peewee.__exception_wrapper__:  # the driver's errors as peewee's, like any query's
        if is_postgres():
            for start in range(0, len(converted), COPY_CHUNK):
                _copy(cursor, table, columns, converted[start : start + COPY_CHUNK])
        else:
            marks = ", ".join("?" for _ in fields)
            for start in range(0, len(converted), CHUNK):
                cursor.executemany(
                    f'INSERT INTO "{table}" ({columns}) VALUES ({marks})',
                    converted[start : start + CHUNK],
                )


def _csv(value) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace('"', '""') + '"'


def _copy(cursor, table: str, columns: str, rows: list[tuple]) -> None:
    """PostgreSQL's COPY (several times faster than INSERT for big batches); in CSV an
    unquoted empty field is NULL and a quoted one the empty string."""
    text = "\n".join(",".join(map(_csv, row)) for row in rows)
    cursor.copy_expert(
        f'COPY "{table}" ({columns}) FROM STDIN WITH (FORMAT csv)', io.StringIO(text)
    )


def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


FIELD_EVENT_COLUMNS = (
    "assignee", "fixed_version", "lack_of_expertise", "postponed", "broad_impact", "impact",
    "workaround",
)  # fmt: skip


@dataclass
class Derived:
    """What a ticket's ordered events say about its summary columns."""

    status: str
    support_unit_id: int | None
    updated_at: datetime
    unit_since: datetime | None
    eta_due: date | None
    from_units: list[int | None]  # per event: the unit before it (for ``assigned`` events)
    befores: list[tuple[int | None, datetime | None]]  # per event: unit and since, before it
    involved: dict[int, datetime]  # unit id -> since (involved and not uninvolved after)
    fields: dict  # the last ``field`` event's "after" per column of FIELD_EVENT_COLUMNS
    eta: EtaFix = EtaFix()
    previous_same: list = field(default_factory=list)  # per event, see :func:`previous_same`
    next_of_kind: list = field(default_factory=list)  # per event, see :func:`next_of_kind`
    fact_codes: list = field(default_factory=list)  # per event, see :func:`fact_codes`


def derive(
    events,
    created_at: datetime,
    first_line: frozenset = frozenset(),
    kinds: UnitKinds = UnitKinds(),
) -> Derived:
    """``events``: ordered ``(kind, unit_id, status, at, due, data)``. The summary rule of the
    import: status is the last status event's status, else ``assigned`` once a unit beyond the
    1st line (``first_line`` ids) holds it, else ``new``; the support unit and ``unit_since``
    come from the last ``assigned`` event, ``eta_due`` from the last ``eta`` event after it;
    ``updated_at`` is the last event's time; ``from_unit`` of an ``assigned`` event is the unit
    of the ``assigned`` event before; ``befores`` give every event the unit the ticket is in
    just before it and since when (see :mod:`dmsu.tickets.projection.columns`); ``field`` events give the fields they name (as the
    workflow writes them: ``{"field": name, "before": ..., "after": ...}``)."""
    events = list(events)
    status = None
    unit = since = eta_due = None
    updated_at = created_at
    from_units: list[int | None] = []
    befores: list[tuple[int | None, datetime | None]] = []
    involved: dict[int, datetime] = {}
    fields: dict = {}
    beyond_first_line = False
    for kind, unit_id, event_status, at, due, data in events:
        from_units.append(unit if kind == "assigned" else None)
        befores.append((unit, since))
        if kind == "assigned":
            unit, since, eta_due = unit_id, at, None
            beyond_first_line = beyond_first_line or unit_id not in first_line
        elif kind == "status":
            status = event_status
        elif kind == "eta":
            eta_due = due
        elif kind == "involved" and unit_id is not None:
            involved.setdefault(unit_id, at)
        elif kind == "uninvolved":
            involved.pop(unit_id, None)
        elif kind == "field" and data.startswith("{"):
            try:
                change = json.loads(data)
            except ValueError:
                change = {}
            if change.get("field") in FIELD_EVENT_COLUMNS and "after" in change:
                fields[change["field"]] = change["after"]
        updated_at = at
    if status is None:
        status = "assigned" if beyond_first_line else "new"
    steps = [
        (kind, unit_id, before[0], event_status, at, due)
        for (kind, unit_id, event_status, at, due, _), before in zip(events, befores, strict=True)
    ]
    return Derived(
        status,
        unit,
        updated_at,
        since,
        eta_due,
        from_units,
        befores,
        involved,
        fields,
        eta_fix(steps, kinds.umd, kinds.third),
        previous_same(steps, kinds),
        next_of_kind(steps),
        fact_codes(steps, kinds),
    )
