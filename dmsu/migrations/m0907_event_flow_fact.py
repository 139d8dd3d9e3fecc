"""Ticket events: ``flow_fact`` (see :func:`dmsu.tickets.projection.facts.fact_codes`), backfilled from the
tickets' histories, and the partial index of the flow facts ``(flow_fact, at, prev_same_at,
unit_before_at, ticket_id) WHERE flow_fact IS NOT NULL``: a period's facts of each kind are
one range of it, and the durations of a piece (its firsts, their seconds since the unit
before) are read from it alone. It takes the place of the two wide indexes of m0902, which
read every assignment and every ``solved`` status of the period to find the facts among
them. A no-op where the column exists."""

from __future__ import annotations

INDEX = (
    "CREATE INDEX IF NOT EXISTS ticket_event_flow_fact ON ticket_event "
    "(flow_fact, at, prev_same_at, unit_before_at, ticket_id) WHERE flow_fact IS NOT NULL"
)
SUPERSEDED = ("ticket_event_metrics_flow_v2", "ticket_event_metrics_solves_v2")


def up(db, migrator):
    from dmsu.core.schema import replace_indexes
    from dmsu.tickets.projection import store

    store.add_missing_columns()
    replace_indexes(SUPERSEDED, (INDEX,))
