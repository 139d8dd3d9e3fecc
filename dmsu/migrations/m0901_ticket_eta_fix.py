"""Tickets: their ETA outcome for the metrics (``eta_fix_at``, ``eta_initial_due``,
``eta_final_due``; see :func:`dmsu.tickets.facts.eta_fix`), kept in step with the events by
:mod:`dmsu.tickets.facts` and backfilled here, with an index on the fix time so a period's
fixes are one index range. A no-op where the columns exist."""

from __future__ import annotations

import peewee


def up(db, migrator):
    from dmsu.db import UTCDateTimeField
    from dmsu.migrations import add_column_if_missing
    from dmsu.tickets import facts

    columns = {c.name for c in db.get_columns("ticket")}
    add_column_if_missing("ticket", "eta_fix_at", UTCDateTimeField(null=True))
    add_column_if_missing("ticket", "eta_initial_due", peewee.DateField(null=True))
    add_column_if_missing("ticket", "eta_final_due", peewee.DateField(null=True))
    db.execute_sql("CREATE INDEX IF NOT EXISTS ticket_eta_fix_at ON ticket (eta_fix_at)")
    if "eta_fix_at" not in columns:
        facts.refresh_all_events()
