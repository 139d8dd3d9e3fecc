"""The one way a cache asks "has this data changed since I kept it?": a stamp read before the
data, kept with the entry, compared on the next use.

Two stamps, one for each grain that pays:

- :func:`commit` changes whenever *anything* is committed to the database by anyone — every
  table, every process, every host, raw SQL included — at no cost to the writers (no trigger,
  no lock):

  * PostgreSQL: ``pg_current_snapshot()``. A committed transaction leaves the snapshot's
    list of running transactions (or moves its upper bound), and transaction ids only grow,
    so an unchanged snapshot means no transaction that wrote has started or ended since.
  * SQLite: ``PRAGMA data_version`` (changes when another connection commits) with the
    connection's own ``total_changes`` (changes when this one writes), for this connection
    (a serial number given to each new connection: the counters of two are not comparable).

  Staff pages and the logged-in user read it once per request (:func:`for_request`).
- :func:`areas` is the stamp of each public area (``cheatsheet``, ``digests``, ``wiki``): a
  trigger on every table of the area writes a new random value into ``page_cache_stamp`` in
  the same transaction as the change (migration ``m0010_page_cache``), so a write to the
  tickets does not make a public page or the cheat sheet stale.

A stamp that cannot be read is None: the caller does not use, or keep, a cached value.
"""

from __future__ import annotations

import itertools

import peewee
from flask import g, has_request_context

from dmsu.core.db import database

STAMP_TABLE = "page_cache_stamp"
AREAS = ("cheatsheet", "digests", "wiki")
_AREAS_SQL = f'SELECT area, version FROM "{STAMP_TABLE}"'
_FAILURES = (peewee.OperationalError, peewee.InterfaceError, peewee.ProgrammingError)
_serials = itertools.count(1)


def areas() -> dict[str, int] | None:
    """Every area's current stamp (one query), or None when they cannot be read."""
    try:
        database.connect(reuse_if_open=True)
        return dict(database.execute_sql(_AREAS_SQL).fetchall())
    except _FAILURES:
        return None


def _connection_serial(connection) -> int:
    """A number for this thread's connection, new for every connection opened."""
    state = database._state
    if getattr(state, "dmsu_connection", None) is not connection:
        state.dmsu_connection = connection  # held, so no later connection is mistaken for it
        state.dmsu_serial = next(_serials)
    return state.dmsu_serial


def commit() -> tuple | None:
    """A value that differs as soon as anything has been committed to the database (see the
    module text), or None when it cannot be read."""
    try:
        database.connect(reuse_if_open=True)
        if isinstance(database.obj, peewee.PostgresqlDatabase):
            row = database.execute_sql("SELECT pg_current_snapshot()::text").fetchone()
            return ("pg", row[0])
        version = database.execute_sql("PRAGMA data_version").fetchone()[0]
        connection = database.connection()
        return ("sqlite", _connection_serial(connection), version, connection.total_changes)
    except _FAILURES:
        return None


def for_request() -> tuple | None:
    """:func:`commit` read once per request (the staff pages and the logged-in user share it);
    outside a request, read afresh."""
    if not has_request_context():
        return commit()
    if "dmsu_data_stamp" not in g:
        g.dmsu_data_stamp = commit()
    return g.dmsu_data_stamp
