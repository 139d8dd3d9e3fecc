"""The helpdesk area's tables: which site ticket is which helpdesk ticket, the poll's cursor,
the webhook's queue, what needs a person's review, the push outbox and its conflicts."""

from __future__ import annotations

from peewee import CharField, IntegerField, TextField

from dmsu.core import clock
from dmsu.core.db import BaseModel, UTCDateTimeField


class HelpdeskTicket(BaseModel):
    """A helpdesk ticket kept here: its Zammad id, its GGUS number (the site's ``ggus_id``)
    and the helpdesk's ``updated_at`` of the last pull (an unchanged ticket is not read
    again)."""

    zammad_id = IntegerField(unique=True)
    ggus_id = IntegerField(unique=True)
    helpdesk_updated_at = UTCDateTimeField(null=True)
    pulled_at = UTCDateTimeField(default=clock.now)
    deleted_at = UTCDateTimeField(null=True)  # gone from the helpdesk; the site keeps it

    class Meta:
        table_name = "helpdesk_ticket"


class HelpdeskCursor(BaseModel):
    """How far the incremental poll has read (the newest ``updated_at`` it recorded)."""

    name = CharField(max_length=40, unique=True)
    at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "helpdesk_cursor"


INBOX_STATES = ("queued", "done", "failed")


class HelpdeskInbox(BaseModel):
    """A ticket id a webhook announced, queued for the next run of the pull job."""

    zammad_id = IntegerField(index=True)
    delivery = CharField(max_length=100, default="")  # X-Zammad-Delivery
    trigger = CharField(max_length=200, default="")  # X-Zammad-Trigger
    state = CharField(max_length=16, default="queued", index=True)
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    received_at = UTCDateTimeField(default=clock.now)
    done_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "helpdesk_inbox"


class HelpdeskReview(BaseModel):
    """Something the helpdesk sent that the mapping does not know ("needs review"): kept
    with what it was, shown to admins until one of them marks it resolved."""

    zammad_id = IntegerField(index=True)
    ggus_id = IntegerField(null=True)
    reason = CharField(max_length=40)  # unknown group, unknown state, ...
    value = CharField(max_length=500, default="")
    created_at = UTCDateTimeField(default=clock.now)
    resolved_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "helpdesk_review"
        indexes = ((("zammad_id", "reason", "value"), True),)


OUTBOX_STATES = ("queued", "sending", "sent", "dry-run", "conflict", "superseded")


class HelpdeskOutbox(BaseModel):
    """One workflow step to write back to the helpdesk, recorded in the step's transaction
    (so never lost) and sent in order per ticket by the drain job."""

    event_id = IntegerField(unique=True)  # the site's TicketEvent: recorded once
    ggus_id = IntegerField(index=True)
    zammad_id = IntegerField()
    kind = CharField(max_length=20)
    method = CharField(max_length=8)
    path = CharField(max_length=200)
    body = TextField()  # JSON
    state = CharField(max_length=16, default="queued", index=True)
    attempts = IntegerField(default=0)
    next_attempt_at = UTCDateTimeField(null=True)
    claimed_at = UTCDateTimeField(null=True)  # when a drain took it for sending
    last_error = TextField(default="")
    created_at = UTCDateTimeField(default=clock.now)
    sent_at = UTCDateTimeField(null=True)
    answer_id = IntegerField(null=True)  # the article id the helpdesk gave a note

    class Meta:
        table_name = "helpdesk_outbox"


class HelpdeskConflict(BaseModel):
    """The two sides disagree (the helpdesk refused a step, or both changed a field between
    two syncs): what happened and which rule decided, for a person to look at."""

    ggus_id = IntegerField(index=True)
    outbox_id = IntegerField(null=True)
    field = CharField(max_length=40)
    site_value = TextField(default="")
    helpdesk_value = TextField(default="")
    resolution = TextField(default="")
    created_at = UTCDateTimeField(default=clock.now)
    resolved_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "helpdesk_conflict"


class HelpdeskMappingText(BaseModel):
    """The mapping as an admin saved it on ``/helpdesk/mapping`` (the newest row is used;
    without one, the file). Earlier rows are its history."""

    text = TextField()
    saved_by = CharField(max_length=64, default="")
    saved_at = UTCDateTimeField(default=clock.now)

    class Meta:
        table_name = "helpdesk_mapping_text"


# Every table of this area in dependency order, gathered by :mod:`dmsu.models`.
TABLES: list = [
    HelpdeskTicket,
    HelpdeskCursor,
    HelpdeskInbox,
    HelpdeskReview,
    HelpdeskOutbox,
    HelpdeskConflict,
    HelpdeskMappingText,
]
