"""The ``sla_clock`` table (:mod:`dmsu.tickets.sla.stored_clocks`): every SLA clock as a derived
fact, filled from the tickets' events, so the SLA section of the metrics counts in SQL. A
no-op where the table exists (a fresh database gets it from m0001)."""

from __future__ import annotations


def up(db, migrator):
    from dmsu.tickets.models import SlaClock
    from dmsu.tickets.sla import stored_clocks as sla_clocks

    if not db.table_exists(SlaClock._meta.table_name):
        db.create_tables([SlaClock])
        sla_clocks.refresh_all()
