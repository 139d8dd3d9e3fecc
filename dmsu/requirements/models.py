"""The requirements log, linked both ways with GGUS tickets and the EGI RT queue."""

from __future__ import annotations

from peewee import CharField, DateField, ForeignKeyField, IntegerField, TextField

from dmsu import clock
from dmsu.auth.models import User
from dmsu.cheatsheet.models import Component
from dmsu.db import BaseModel, UTCDateTimeField
from dmsu.tickets.models import Ticket

REQUIREMENT_STATUSES = (
    "new",
    "assessed",
    "in RT",
    "sent to 3rd line",
    "reported to TCB",
    "accepted",
    "rejected",
    "implemented",
    "withdrawn",
)
EFFORTS = ("small", "large")


class Requirement(BaseModel):
    title = CharField(max_length=300)
    description = TextField(default="")
    description_html = TextField(default="")
    component = ForeignKeyField(Component, null=True, on_delete="SET NULL")
    effort = CharField(max_length=8, null=True)
    status = CharField(max_length=20, default="new", index=True)
    tags = CharField(max_length=200, default="DMSU")
    rt_id = IntegerField(null=True, index=True)
    rt_status = CharField(max_length=40, default="")
    third_line_ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL", backref="+")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=clock.now, index=True)
    updated_at = UTCDateTimeField(default=clock.now)
    version = IntegerField(default=1)


class RequirementTicket(BaseModel):
    requirement = ForeignKeyField(Requirement, backref="ticket_links", on_delete="CASCADE")
    ticket = ForeignKeyField(Ticket, backref="requirement_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("requirement", "ticket"), True),)


class RequirementEvent(BaseModel):
    requirement = ForeignKeyField(Requirement, backref="events", on_delete="CASCADE")
    at = UTCDateTimeField(default=clock.now)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    kind = CharField(max_length=20)
    data = TextField(default="")


class TcbReport(BaseModel):
    """A TCB meeting where the requirement was reported."""

    requirement = ForeignKeyField(Requirement, backref="tcb_reports", on_delete="CASCADE")
    meeting_date = DateField()
    note = TextField(default="")
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    recorded_at = UTCDateTimeField(default=clock.now)
