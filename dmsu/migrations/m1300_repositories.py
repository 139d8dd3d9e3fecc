"""The UMD release stage from the repositories (issue 22): the repositories area's tables
and the cheat sheet's ``packages`` column (the RPM/deb names of each component). A no-op
where they exist."""

from __future__ import annotations


def up(db, migrator):
    from peewee import TextField

    from dmsu.core.schema import add_column_if_missing
    from dmsu.repositories.models import TABLES

    add_column_if_missing("component", "packages", TextField(default=""))
    db.create_tables(TABLES, safe=True)
