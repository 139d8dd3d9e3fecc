"""Ticket events: the derived columns ``unit_before_id`` / ``unit_before_at`` (see
:mod:`dmsu.tickets.projection.facts`) and the indexes that let the metrics read a period from the
index alone ("a project year over 100,000 tickets in well under a second").

- ``ticket_event_metrics_flow (kind, at, support_unit_id, unit_before_id, unit_before_at,
  ticket_id, id)``: the assignments of a period with where each came from; it takes the
  place of ``(kind, at)``, which it begins with;
- ``ticket_event_metrics_solves (kind, status, at, ticket_id, unit_before_id,
  unit_before_at)``: the ``solved`` events of a period with the unit they were solved in; it
  takes the place of m0600's ``(kind, status, at, ticket_id)``;
- the index on ``ticket_id`` alone goes: the indexes beginning with ``ticket_id`` serve it,
  and every index costs the import of 100,000 tickets time.

Existing events are backfilled from their tickets' histories. A no-op where all this exists.
"""

from __future__ import annotations

INDEXES = (
    "CREATE INDEX IF NOT EXISTS ticket_event_metrics_flow ON ticket_event "
    "(kind, at, support_unit_id, unit_before_id, unit_before_at, ticket_id, id)",
    "CREATE INDEX IF NOT EXISTS ticket_event_metrics_solves ON ticket_event "
    "(kind, status, at, ticket_id, unit_before_id, unit_before_at)",
)
SUPERSEDED = (
    "ticket_event_kind_at",
    "ticket_event_metrics_kind_status_at",
    "ticket_event_ticket_id",
)


def up(db, migrator):
    from dmsu.core.schema import replace_indexes
    from dmsu.tickets.projection import store

    store.add_missing_columns()
    replace_indexes(SUPERSEDED, INDEXES)
