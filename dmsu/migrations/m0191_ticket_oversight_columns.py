"""Tickets: the oversight columns derived from events (``dmsu.tickets.projection.columns``) and the
indexes of the ticket list's filters and the sweep's groups. A no-op where they
exist (a fresh database gets them from ``m0001_initial``); existing tickets are backfilled
from their events."""


def up(db, migrator):
    from dmsu.core.db import UTCDateTimeField
    from dmsu.core.schema import add_column_if_missing
    from dmsu.tickets.models import Ticket
    from dmsu.tickets.projection import columns as derived

    table = Ticket._meta.table_name
    added = False
    for column in ("last_reaction_at", "waiting_since", "submitter_wrote_at", "escalated_at"):
        if column not in {c.name for c in db.get_columns(table)}:
            add_column_if_missing(table, column, UTCDateTimeField(null=True))
            added = True
    Ticket._schema.create_indexes(safe=True)
    if added:
        derived.refresh_all()
