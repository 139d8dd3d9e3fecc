"""``session_generation`` on accounts: every session and remember-me cookie carries the
generation it was made in, and logout, a new password, a new role or disabling moves it on,
ending them all. Sessions made before carry none and end at once (everyone logs in again once).
A no-op where the column exists."""

from __future__ import annotations


def up(db, migrator):
    from peewee import IntegerField

    from dmsu.core.schema import add_column_if_missing

    add_column_if_missing("user", "session_generation", IntegerField(default=1))
