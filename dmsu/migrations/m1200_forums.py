"""The forums area's tables (issue 21). A no-op where they exist (a fresh database gets them
from :data:`dmsu.models.ALL_MODELS`)."""

from __future__ import annotations


def up(db, migrator):
    from dmsu.forums.models import TABLES

    db.create_tables(TABLES, safe=True)
