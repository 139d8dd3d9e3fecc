"""The helpdesk connector's tables (issue 20): links to helpdesk tickets, the poll's cursor,
the webhook's queue, review items, the push outbox and its conflicts. A no-op where they
exist (a fresh database gets them from ``dmsu.models``)."""

from __future__ import annotations


def up(db, migrator):
    from dmsu.helpdesk.models import TABLES

    db.create_tables(TABLES, safe=True)
