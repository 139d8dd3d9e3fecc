"""Tickets: their ETA outcome for the metrics (``eta_fix_at``, ``eta_initial_due``,
``eta_final_due``; see :func:`dmsu.tickets.projection.facts.eta_fix`), kept in step with the events by
:mod:`dmsu.tickets.projection.facts` and backfilled here, with an index on the fix time so a period's
fixes are one index range. A no-op where the columns exist."""

from __future__ import annotations


def up(db, migrator):
    from dmsu.core.schema import replace_indexes
    from dmsu.tickets.projection import store

    store.add_missing_columns()
    replace_indexes((), ("CREATE INDEX IF NOT EXISTS ticket_eta_fix_at ON ticket (eta_fix_at)",))
