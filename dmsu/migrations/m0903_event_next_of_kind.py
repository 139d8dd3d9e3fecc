"""Ticket events: ``next_of_kind_at`` (see :func:`dmsu.tickets.facts.next_of_kind`),
backfilled from the tickets' histories, and the index that reads a ticket's state as of any
instant from the index alone: ``(kind, support_unit_id, at, next_of_kind_at, ticket_id)``,
which takes the place of ``(kind, support_unit_id, at)`` (it begins with it). A no-op where
the column exists."""

from __future__ import annotations

INDEX = (
    "CREATE INDEX IF NOT EXISTS ticket_event_state ON ticket_event "
    "(kind, support_unit_id, at, next_of_kind_at, ticket_id)"
)
SUPERSEDED = ("ticket_event_kind_support_unit_id_at",)


def up(db, migrator):
    from dmsu.db import UTCDateTimeField
    from dmsu.migrations import add_column_if_missing
    from dmsu.tickets import facts

    columns = {c.name for c in db.get_columns("ticket_event")}
    add_column_if_missing("ticket_event", "next_of_kind_at", UTCDateTimeField(null=True))
    if "next_of_kind_at" not in columns:
        facts.refresh_all_events()
    for name in SUPERSEDED:
        db.execute_sql(f"DROP INDEX IF EXISTS {name}")
    db.execute_sql(INDEX)
