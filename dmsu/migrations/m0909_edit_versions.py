"""``version`` on cheat-sheet components and TCB recommendations: the number an edit form
carries and every change moves on by one, so that a save is a compare-and-set
(``UPDATE ... SET ..., version = version + 1 WHERE id = ? AND version = ?``) and a save made on
an older copy is refused instead of silently overwriting. Components compared their
``updated_at`` before, outside the write. A no-op where the columns exist."""

from __future__ import annotations


def up(db, migrator):
    from peewee import IntegerField

    from dmsu.core.schema import add_column_if_missing

    add_column_if_missing("component", "version", IntegerField(default=1))
    add_column_if_missing("recommendation", "version", IntegerField(default=1))
