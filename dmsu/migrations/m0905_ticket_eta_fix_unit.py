"""Tickets: ``eta_fix_unit_id``, the unit a ticket was in just before its ETA fix (see
:func:`dmsu.tickets.projection.facts.eta_fix`), so ETA accuracy per product team is one pass over a
period's fixes. Added and filled with the other derived columns by
:func:`dmsu.tickets.projection.store.add_missing_columns`; a no-op where the column exists."""

from __future__ import annotations


def up(db, migrator):
    from dmsu.tickets.projection import store

    store.add_missing_columns()
