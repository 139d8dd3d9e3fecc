"""m0500 brings a database made before the requirements columns up to date, and is a no-op on
a fresh one."""

from __future__ import annotations

import pytest

from dmsu.core import schema
from dmsu.core.db import database, is_postgres
from dmsu.migrations import m0500_requirements

ADDED = {
    "requirement": "rt_synced_at",
    "requirement_event": "summary",
    "requirement_ticket": "linked_at",
    "tcb_report": "status_reported",
}


def columns(table):
    return {c.name for c in database.get_columns(table)}


def test_m0500_adds_what_an_older_database_lacks(app):
    if is_postgres():
        pytest.skip("dropping columns of the shared PostgreSQL schema would affect other tests")
    database.execute_sql('DROP INDEX "tcb_report_requirement_id_meeting_date"')
    for table, column in ADDED.items():
        database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
        assert column not in columns(table)
    m0500_requirements.up(database, schema.migrator())
    for table, column in ADDED.items():
        assert column in columns(table)
    indexes = {i.name for i in database.get_indexes("tcb_report")}
    assert "tcb_report_requirement_id_meeting_date" in indexes


def test_m0500_is_a_no_op_on_a_fresh_database(app):
    before = {t: columns(t) for t in ADDED}
    m0500_requirements.up(database, schema.migrator())
    assert {t: columns(t) for t in ADDED} == before
