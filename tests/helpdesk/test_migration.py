"""m1100 gives an existing database the helpdesk's tables, and is a no-op on a fresh one."""

from __future__ import annotations

import pytest

from dmsu.core import schema
from dmsu.core.db import database, is_postgres
from dmsu.helpdesk.models import TABLES
from dmsu.migrations import m1100_helpdesk


def test_m1100_creates_the_tables_an_older_database_lacks(app):
    if is_postgres():
        pytest.skip("dropping tables of the shared PostgreSQL schema would affect other tests")
    names = [model._meta.table_name for model in TABLES]
    database.drop_tables(TABLES)
    assert not set(names) & set(database.get_tables())
    m1100_helpdesk.up(database, schema.migrator())
    assert set(names) <= set(database.get_tables())


def test_m1100_is_a_no_op_on_a_fresh_database(app):
    m1100_helpdesk.up(database, schema.migrator())
    assert {model._meta.table_name for model in TABLES} <= set(database.get_tables())
