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
from dmsu.core.search.schema import create as create_search_index

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


# A big import builds the search index's GIN index once at its end (PostgreSQL): keeping it
# up row by row was a third of the documents' upkeep (bench/RESULTS-search.md, fourth run).
BIG_IMPORT = 5_000  # tickets written before the index is set aside
SEARCH_INDEX = "search_document_vector"
_BUILD_MEMORY = "256MB"  # maintenance_work_mem of the one build (the default 64MB spills)


class SearchIndexUpkeep:
    """The GIN index of ``search_document`` over one import, inside its transaction.

    Once the import has written :data:`BIG_IMPORT` tickets, and at least as many as the index
    held documents before it, the index is dropped; :meth:`finish` builds it again from every
    document, before the commit. Dropped and built in the import's own transaction, so an
    import that fails or is rolled back leaves the index as it was (PostgreSQL's DDL is
    transactional). The drop locks ``search_document`` until the import commits: searches
    and workflow steps wait for a big import's end (a small import never drops it).
    A no-op on SQLite (its FTS5 index is kept by triggers, at a cost the import bears)."""

    def __init__(self) -> None:
        self.written = 0
        self.set_aside = False
        self._before: int | None = None
        if is_postgres():
            (self._before,) = database.execute_sql(
                "SELECT count(*) FROM search_document"
            ).fetchone()

    def grown(self, tickets: int) -> None:
        """The import has written ``tickets`` more tickets."""
        self.written += tickets
        if (
            self._before is not None
            and not self.set_aside
            and self.written >= max(BIG_IMPORT, self._before)
            and _index_exists()
        ):
            database.execute_sql(f"DROP INDEX {SEARCH_INDEX}")
            self.set_aside = True

    def finish(self) -> None:
        """Build the index again if it was set aside (call before the commit)."""
        if self.set_aside:
            database.execute_sql(f"SET LOCAL maintenance_work_mem = '{_BUILD_MEMORY}'")
            create_search_index()
            self.set_aside = False


def _index_exists() -> bool:
    return bool(
        database.execute_sql("SELECT to_regclass(%s) IS NOT NULL", (SEARCH_INDEX,)).fetchone()[0]
    )
