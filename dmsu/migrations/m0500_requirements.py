"""Requirements log: columns and indexes added after m0001 (no-ops on a fresh database, which
gets them from the models in m0001)."""

from peewee import CharField, TextField

from dmsu.core.db import UTCDateTimeField
from dmsu.core.schema import add_column_if_missing


def up(db, migrator):
    from dmsu.requirements.models import (
        Requirement,
        RequirementEvent,
        RequirementTicket,
        TcbReport,
    )

    add_column_if_missing("requirement", "rt_synced_at", UTCDateTimeField(null=True))
    add_column_if_missing("requirement_event", "summary", TextField(default=""))
    add_column_if_missing("requirement_ticket", "linked_at", UTCDateTimeField(null=True))
    add_column_if_missing("tcb_report", "status_reported", CharField(max_length=20, default=""))
    for model in (Requirement, RequirementTicket, RequirementEvent, TcbReport):
        model._schema.create_indexes(safe=True)
