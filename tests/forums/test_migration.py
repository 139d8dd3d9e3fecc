"""m1200 gives a database made before the forums its tables, and is a no-op on a fresh one."""

from __future__ import annotations

import pytest

from dmsu.core import schema
from dmsu.core.db import database, is_postgres
from dmsu.forums.models import TABLES
from dmsu.migrations import m1200_forums

NAMES = [model._meta.table_name for model in TABLES]


def test_m1200_creates_the_forums_tables_where_they_are_missing(app):
    if is_postgres():
        pytest.skip("dropping tables of the shared PostgreSQL schema would affect other tests")
    database.drop_tables(TABLES)
    assert not set(NAMES) & set(database.get_tables())
    m1200_forums.up(database, schema.migrator())
    assert set(NAMES) <= set(database.get_tables())


def test_m1200_is_a_no_op_on_a_fresh_database(app):
    before = {name: {c.name for c in database.get_columns(name)} for name in NAMES}
    m1200_forums.up(database, schema.migrator())
    assert {name: {c.name for c in database.get_columns(name)} for name in NAMES} == before
