"""The notification log: every mail the site means to send, keyed so that a job that runs
twice or late sends nothing twice (ARCHITECTURE.md rule 5: "the database says what is already done")."""

from __future__ import annotations

from peewee import CharField, IntegerField, TextField

from dmsu.core import clock
from dmsu.core.db import BaseModel, UTCDateTimeField

NOTIFICATION_STATES = ("queued", "sent", "outbox", "suppressed", "failed")


class Notification(BaseModel):
    key = CharField(max_length=255, unique=True)
    kind = CharField(max_length=40, index=True)
    ticket_ggus_id = IntegerField(null=True, index=True)
    recipient = CharField(max_length=500)
    subject = CharField(max_length=500)
    body = TextField(default="")
    state = CharField(max_length=16, default="queued", index=True)
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    created_at = UTCDateTimeField(default=clock.now, index=True)
    claimed_at = UTCDateTimeField(null=True)  # when a process took it for sending
    sent_at = UTCDateTimeField(null=True)
