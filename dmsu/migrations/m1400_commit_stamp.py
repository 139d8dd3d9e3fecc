"""The commit stamp of this database only (issue 23): on PostgreSQL the sequence
``commit_stamp_seq``, moved by a statement trigger on every table, and ``commit_stamp()``,
which reads it with the writers of this database (:mod:`dmsu.core.cache.pg_commit_stamp`).
It replaces ``pg_current_snapshot()``, which every transaction of the whole server moves.
Tables that later migrations create get the trigger from the runner
(:func:`dmsu.core.schema.migrate`). SQLite keeps its per-database counters: a no-op there,
and where everything exists."""

from __future__ import annotations

from dmsu.core.cache import pg_commit_stamp


def up(db, migrator):
    pg_commit_stamp.install(db)
