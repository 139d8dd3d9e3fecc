"""Ticket events: ``next_of_kind_at`` (see :func:`dmsu.tickets.projection.facts.next_of_kind`),
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
    from dmsu.core.schema import replace_indexes
    from dmsu.tickets.projection import store

    store.add_missing_columns()
    replace_indexes(SUPERSEDED, (INDEX,))
