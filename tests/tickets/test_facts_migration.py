"""Migrations m0900–m0903 and m0907 (and m0906's indexes over their columns) bring a database made before the derived columns up to date in
one backfill, whichever of them runs first, and are no-ops on a fresh database."""

from __future__ import annotations

import pytest

from dmsu.core import schema
from dmsu.core.db import database, is_postgres
from dmsu.migrations import (
    m0900_event_unit_before,
    m0901_ticket_eta_fix,
    m0902_event_previous_same,
    m0903_event_next_of_kind,
    m0906_metrics_read_indexes,
    m0907_event_flow_fact,
)
from dmsu.tickets.exchange.importer import import_records
from dmsu.tickets.models import Ticket
from dmsu.tickets.projection.facts import EVENT_FACTS, TICKET_FACTS
from tests.support.derived_events import expected, history, make_units, record, stored

STEPS = (m0900_event_unit_before, m0901_ticket_eta_fix, m0902_event_previous_same,
         m0903_event_next_of_kind, m0906_metrics_read_indexes, m0907_event_flow_fact)  # fmt: skip
INDEXES = ("ticket_event_flow_fact", "ticket_event_state", "ticket_event_closed_status",
           "ticket_eta_fix")  # fmt: skip
SUPERSEDED = ("ticket_eta_fix_at", "ticket_event_metrics_flow_v2", "ticket_event_metrics_solves_v2")


def columns(table):
    return {c.name for c in database.get_columns(table)}


def test_an_older_database_gets_every_derived_column_filled(app):
    if is_postgres():
        pytest.skip("dropping columns of the shared PostgreSQL schema would affect other tests")
    make_units()
    import_records(
        [record(93000 + n, history([(n, "TPM"), (n + 1, "DMSU"), (n + 2, "CREAM"), (n + 3, "solved")]))
         for n in range(4)]
    )  # fmt: skip
    before = {t.id: stored(t.id) for t in Ticket.select()}
    for name in INDEXES:
        database.execute_sql(f'DROP INDEX "{name}"')
    fresh = {i.name for t in ("ticket", "ticket_event") for i in database.get_indexes(t)}
    assert not set(SUPERSEDED) & fresh
    for table, names in (("ticket_event", EVENT_FACTS), ("ticket", TICKET_FACTS)):
        for name in names:
            database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{name}"')
    assert not set(EVENT_FACTS) & columns("ticket_event")
    for step in STEPS:
        step.up(database, schema.migrator())
    assert set(EVENT_FACTS) <= columns("ticket_event") and set(TICKET_FACTS) <= columns("ticket")
    for ticket in Ticket.select():
        assert stored(ticket.id) == expected(ticket.id) == before[ticket.id]
    indexes = {i.name for i in database.get_indexes("ticket_event")}
    indexes |= {i.name for i in database.get_indexes("ticket")}
    assert set(INDEXES) <= indexes
    assert not set(SUPERSEDED) & indexes  # m0901's and m0902's, superseded by m0906's and m0907's


def test_the_steps_are_no_ops_on_a_fresh_database(app):
    tables = {t: columns(t) for t in ("ticket", "ticket_event")}
    for step in STEPS:
        step.up(database, schema.migrator())
    assert {t: columns(t) for t in tables} == tables
