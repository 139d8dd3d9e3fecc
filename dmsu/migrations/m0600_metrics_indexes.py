"""Metrics: indexes for the SQL aggregations over ticket events ("a project year
over 100,000 tickets must take well under a second").

- ``(kind, ticket_id, at, id, support_unit_id)``: every assignment (or ETA) ticket by
  ticket in time order, read from the index alone — the ``LAG`` window that finds the unit
  a ticket came from needs no sort, and the latest assignment before a status event is one
  seek;
- ``(kind, status, at, ticket_id)``: the ``solved`` status events of a period.

``CREATE INDEX IF NOT EXISTS`` works on SQLite and PostgreSQL, so this is a no-op where the
indexes exist.
"""

from __future__ import annotations

INDEXES = (
    "CREATE INDEX IF NOT EXISTS ticket_event_metrics_kind_ticket_at "
    "ON ticket_event (kind, ticket_id, at, id, support_unit_id)",
    "CREATE INDEX IF NOT EXISTS ticket_event_metrics_kind_status_at "
    "ON ticket_event (kind, status, at, ticket_id)",
)


def up(db, migrator):
    for statement in INDEXES:
        db.execute_sql(statement)
