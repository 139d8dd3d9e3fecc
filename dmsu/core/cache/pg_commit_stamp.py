"""What the commit stamp is made of on PostgreSQL, kept in the database itself (issue 23).

- ``commit_stamp_seq``, a sequence moved by ``commit_stamp_bump()``: the statement trigger
  ``commit_stamp`` (``AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ... FOR EACH STATEMENT``)
  on every table of the schema calls it. ``nextval`` is not transactional: the move is seen
  by every session at once, while the writer's transaction is still open.
- ``commit_stamp()``, one call that reads the sequence and *then* the transaction ids of this
  database's transactions that are writing now (sessions' ``backend_xid``, and prepared
  transactions), as text. Why the two together can never let a stale page through is
  argued in :mod:`dmsu.core.cache.stamp`.

:func:`install` makes all of it (migration ``m1400_commit_stamp``); :func:`cover_tables`
puts the trigger on any table without it, and the migration runner calls it after every
migration, so a table a later migration creates carries it from the transaction that
creates it. Both are no-ops where the things exist, and on SQLite.
"""

from __future__ import annotations

import peewee

SEQUENCE = "commit_stamp_seq"
TRIGGER = "commit_stamp"

# ``SET search_path FROM CURRENT``: the functions find the sequence in the schema they were
# made in, whatever the search path of the session that writes.
BUMP_FUNCTION = """
CREATE OR REPLACE FUNCTION commit_stamp_bump() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM nextval('commit_stamp_seq');
  RETURN NULL;
END
$$
"""

# The sequence's oid is part of the stamp: a restore (``pg_restore --clean``) makes the
# sequence anew and sets it back to the dump's value, which a kept stamp may have had.
# The order of the reads matters (the sequence first, then the writers); plpgsql runs its
# statements in order, which one SQL statement would not promise. pg_stat_activity is read
# once per transaction and kept: pg_stat_clear_snapshot() makes this read a fresh one even
# inside a transaction. backend_xid is shown to every role (it is among the values
# PostgreSQL's pg_stat_get_activity gives "to all callers"), so writers of other roles count.
# Autovacuum's transactions are left out: they write statistics (an ANALYZE takes an id for
# pg_statistic), never a row a page shows, and would make looks miss for nothing.
READ_FUNCTION = """
CREATE OR REPLACE FUNCTION commit_stamp() RETURNS text LANGUAGE plpgsql VOLATILE
SET search_path FROM CURRENT AS $$
DECLARE
  made oid;
  bumped bigint;
  writing text;
BEGIN
  SELECT to_regclass('commit_stamp_seq')::oid, CASE WHEN is_called THEN last_value ELSE 0 END
    INTO made, bumped FROM commit_stamp_seq;
  PERFORM pg_stat_clear_snapshot();
  SELECT string_agg(w.xid::text, ',' ORDER BY w.xid::text::bigint) INTO writing FROM (
    SELECT backend_xid AS xid FROM pg_stat_activity
     WHERE datname = current_database() AND backend_xid IS NOT NULL
       AND backend_type <> 'autovacuum worker'
    UNION ALL
    SELECT transaction FROM pg_prepared_xacts WHERE database = current_database()
  ) AS w;
  RETURN made || '.' || bumped || ':' || coalesce(writing, '');
END
$$
"""

READ = "SELECT commit_stamp()"

# Tables of the current schema without an enabled ``commit_stamp`` trigger.
UNCOVERED = f"""
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
   AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid
                    AND t.tgname = '{TRIGGER}' AND t.tgenabled <> 'D')
 ORDER BY c.relname
"""


def _postgres(db) -> bool:
    return isinstance(getattr(db, "obj", db), peewee.PostgresqlDatabase)


def uncovered_tables(db) -> list[str]:
    """The tables that lack the trigger (empty on SQLite)."""
    if not _postgres(db):
        return []
    return [row[0] for row in db.execute_sql(UNCOVERED).fetchall()]


def install(db) -> None:
    """The sequence, both functions and the trigger on every table."""
    if not _postgres(db):
        return
    db.execute_sql(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} AS bigint CACHE 1 NO CYCLE")
    db.execute_sql(BUMP_FUNCTION)
    db.execute_sql(READ_FUNCTION)
    cover_tables(db)


def cover_tables(db) -> list[str]:
    """Put the trigger on each table without it; the tables it was put on. Nothing before
    :func:`install` has run (the migrations before ``m1400`` of a fresh database)."""
    if not _postgres(db):
        return []
    if db.execute_sql("SELECT to_regproc('commit_stamp_bump')").fetchone()[0] is None:
        return []
    tables = uncovered_tables(db)
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        db.execute_sql(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quoted}")
        db.execute_sql(
            f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quoted} "
            "FOR EACH STATEMENT EXECUTE FUNCTION commit_stamp_bump()"
        )
    return tables
