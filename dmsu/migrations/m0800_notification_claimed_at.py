"""Notifications remember when a process claimed them, so only truly stuck ones are released."""

from dmsu.core.db import UTCDateTimeField
from dmsu.core.schema import add_column_if_missing


def up(db, migrator):
    add_column_if_missing("notification", "claimed_at", UTCDateTimeField(null=True))
