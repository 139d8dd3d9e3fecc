"""The one way a cache asks "has this data changed since I kept it?": a stamp read before the
data, kept with the entry, compared on the next use.

Two stamps, one for each grain that pays:

- :func:`commit` changes whenever anything is committed to *this* database by anyone —
  every table, every process, every host, raw SQL included — and not when another database
  of the same server is written:

  * PostgreSQL: ``commit_stamp()`` (migration ``m1400_commit_stamp``,
    :mod:`dmsu.core.cache.pg_commit_stamp`), the pair (L, X): L the value of the sequence
    ``commit_stamp_seq``, which a statement trigger on every table moves (``nextval`` is not
    transactional: every session sees it move as soon as a writer's statement has run, long
    before that writer commits), and X the transaction ids of this database's transactions
    that are writing now (``pg_stat_activity.backend_xid``, and prepared transactions), read
    after L. The cluster's ``pg_current_snapshot()``, used before, moved with every
    transaction of every database on the server, so on a shared server staff pages almost
    never hit.

    Why a kept value is never stale. A request R1 read the stamp S1 = (L1, X1), then the
    data (autocommit, READ COMMITTED: each statement's snapshot is taken after S1), and kept
    what it made under S1. A request R2 reads S2 and uses the kept value only if S2 = S1.
    That value is stale only if a transaction T that changed a table committed (at c) after
    S1 was read, so R1 did not see it, and before R2 began reading S2 (a commit while R2
    reads may be seen or not: R2 overlaps it). T's first write statement fired the trigger
    at some time b < c, and T had its transaction id by then (PostgreSQL assigns it before
    the first row is changed; the trigger runs after the statement).

    - T began writing after L1 was read (b after the read of L1): its ``nextval`` falls
      between the reads of L1 and L2, so L2 > L1 (the sequence never goes back: no cycle,
      no ``setval``, and the read sees the sequence's row as it is, not a snapshot of it;
      a restore, which makes the sequence anew and sets it back, gives it a new oid, and
      the oid is part of L).
    - T began writing before L1 was read: when X1 was read, after L1 and before c, T held a
      transaction id and had not ended, so its id is in X1. When X2 is read, after c, it is
      not: a backend's id is cleared in the same step that makes its commit (or rollback)
      visible to new snapshots, and no later transaction gets that id again (ids only grow;
      they wrap after 2^32 transactions, a kept entry lives 60 s). So X2 != X1.

    Either way S2 != S1. A writer that rolls back, or writes a table no page shows, only
    makes the next look a miss. What this rests on: every table carries the trigger (the
    migration runner puts it on any table without it, and a test refuses a schema where one
    lacks it) and nothing writes with triggers off (``session_replication_role = replica``,
    ``pg_restore --disable-triggers`` into a live site). ``backend_xid`` is shown to every
    role, so writers of other roles count too.
  * SQLite: ``PRAGMA data_version`` (changes when another connection commits) with the
    connection's own ``total_changes`` (changes when this one writes), for this connection
    (a serial number given to each new connection: the counters of two are not comparable).
    Both are of this database file only.

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

from dmsu.core.cache.pg_commit_stamp import READ as _PG_READ
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
            return ("pg", database.execute_sql(_PG_READ).fetchone()[0])
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
