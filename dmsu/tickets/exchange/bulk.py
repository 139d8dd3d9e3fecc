"""Bulk writing helpers for the ticket import: fast multi-row inserts (what a ticket's events
say about it is the projection's, :mod:`dmsu.tickets.projection.history`).

Rows are inserted in chunks with one prepared statement (``executemany`` on SQLite, which has
a limit on bound variables per statement; ``COPY ... FROM STDIN`` on PostgreSQL),
always inside the caller's ``database.atomic()``.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import peewee

from dmsu.core.db import database, is_postgres

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


# The tables a ticket import grows, whose statistics the planner needs while it still runs.
GROWN_BY_IMPORT = ("ticket", "ticket_event", "ticket_involvement", "sla_clock", "search_document")


def refresh_statistics() -> None:
    """PostgreSQL: ``ANALYZE`` the tables an import grows, inside its transaction (ANALYZE
    sees the transaction's own rows). An import is one transaction, so no autovacuum can see
    its rows until it ends; without statistics the planner takes a table of a million events
    for an empty one, and a batch's reads of its own tickets' events scan all of them
    (0.2 s instead of 3 ms per 400 tickets: bench/RESULTS-search.md). A no-op on SQLite."""
    if is_postgres():
        database.execute_sql("ANALYZE " + ", ".join(GROWN_BY_IMPORT))
