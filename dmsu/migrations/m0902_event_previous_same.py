"""Ticket events: ``prev_same_at`` (see :func:`dmsu.tickets.projection.facts.previous_same`), backfilled
from the tickets' histories, and the metrics' covering indexes made again with it, so a
period's flow counts "each ticket once" per piece from the index alone. A no-op where the
column exists."""

from __future__ import annotations

INDEXES = (
    "CREATE INDEX IF NOT EXISTS ticket_event_metrics_flow_v2 ON ticket_event "
    "(kind, at, support_unit_id, unit_before_id, unit_before_at, prev_same_at, ticket_id, id)",
    "CREATE INDEX IF NOT EXISTS ticket_event_metrics_solves_v2 ON ticket_event "
    "(kind, status, at, unit_before_id, unit_before_at, prev_same_at, ticket_id, id)",
)
SUPERSEDED = ("ticket_event_metrics_flow", "ticket_event_metrics_solves")


def up(db, migrator):
    from dmsu.core.schema import replace_indexes
    from dmsu.tickets.projection import store

    store.add_missing_columns()
    replace_indexes(SUPERSEDED, INDEXES)
