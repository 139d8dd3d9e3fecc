"""The requirements log, linked both ways with GGUS tickets and the EGI RT queue.

Seed 000, "Requirement assessment and follow-up": "The tickets that are identified to contain
requirements for changed or new middleware functionality are reflected as tickets in the EGI
requirement gathering channel – the requirements queue in EGI RT, linking the GGUS and RT
ticket with each other in a bidirectional manner. Additionally, the counter-tickets in the RT
requirements queue are marked with a “DMSU” tag for further tracking."

Seed 001, "Requirement assessment": "The software support team assesses such requirements in
terms of estimated effort to implement the requested changes. If the effort is not large, the
requirements are assigned to the 3rd line support as low priority tickets. On the contrary, in
the case of considerable estimated effort a ticket is spawned through the standard EGI
requirements gathering channel – the requirements queue in EGI RT."

Every change appends a :class:`RequirementEvent`; ``version`` grows by one with every write so
that an edit made on an older copy is refused instead of silently overwriting (see
:mod:`dmsu.requirements.log`).
"""

from __future__ import annotations

import json

from peewee import CharField, DateField, ForeignKeyField, IntegerField, TextField

from dmsu.auth.models import User
from dmsu.cheatsheet.models import Component
from dmsu.core import clock
from dmsu.core.db import BaseModel, UTCDateTimeField
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
FINAL_STATUSES = ("rejected", "implemented", "withdrawn")
OPEN_REQUIREMENT_STATUSES = tuple(s for s in REQUIREMENT_STATUSES if s not in FINAL_STATUSES)
EFFORTS = ("small", "large")
EFFORT_LABELS = {
    "small": "small — to the 3rd line as a low-priority ticket",
    "large": "large — to the EGI RT requirements queue",
}
DMSU_TAG = "DMSU"
EVENT_KINDS = (
    "created",
    "edited",
    "status",
    "assessed",
    "rt_sent",
    "rt_linked",
    "rt_status",
    "third_line",
    "ticket_linked",
    "ticket_unlinked",
    "tcb_reported",
)


class Requirement(BaseModel):
    title = CharField(max_length=300)
    description = TextField(default="")
    description_html = TextField(default="")
    component = ForeignKeyField(Component, null=True, on_delete="SET NULL", index=True)
    effort = CharField(max_length=8, null=True, index=True)
    status = CharField(max_length=20, default="new", index=True)
    tags = CharField(max_length=200, default=DMSU_TAG)  # comma-separated, always has DMSU
    rt_id = IntegerField(null=True, index=True)
    rt_status = CharField(max_length=40, default="")
    rt_synced_at = UTCDateTimeField(null=True)
    third_line_ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL", backref="+")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=clock.now, index=True)
    updated_at = UTCDateTimeField(default=clock.now, index=True)
    version = IntegerField(default=1)

    @property
    def tag_list(self) -> list[str]:
        return split_tags(self.tags)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @classmethod
    def visible_to(cls, user):
        """ARCHITECTURE.md rule 2, one visibility rule: requirements are internal — staff only."""
        from dmsu.auth.permissions import can

        query = cls.select()
        return query if can(user, "requirement.view") else query.where(False)


class RequirementTicket(BaseModel):
    """A GGUS ticket the requirement came from (several tickets may share one)."""

    requirement = ForeignKeyField(Requirement, backref="ticket_links", on_delete="CASCADE")
    ticket = ForeignKeyField(Ticket, backref="requirement_links", on_delete="CASCADE", index=True)
    linked_at = UTCDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("requirement", "ticket"), True),)


class RequirementEvent(BaseModel):
    """One change to a requirement: who, when, what (``summary`` for people, ``data`` JSON)."""

    requirement = ForeignKeyField(Requirement, backref="events", on_delete="CASCADE")
    at = UTCDateTimeField(default=clock.now)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    kind = CharField(max_length=20)
    summary = TextField(default="")
    data = TextField(default="")

    class Meta:
        indexes = ((("requirement", "at"), False),)

    @property
    def details(self) -> dict:
        return json.loads(self.data) if self.data else {}


class TcbReport(BaseModel):
    """A TCB meeting where the requirement was reported.

    Seed 000: "Digests of the requirements gathered in this way, as well as status report on
    their processing are provided to TCB regularly at its meetings."
    """

    requirement = ForeignKeyField(Requirement, backref="tcb_reports", on_delete="CASCADE")
    meeting_date = DateField(index=True)
    status_reported = CharField(max_length=20, default="")
    note = TextField(default="")
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    recorded_at = UTCDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("requirement", "meeting_date"), True),)


def split_tags(text: str) -> list[str]:
    """Tags from a comma- or space-separated text, ``DMSU`` first and always present."""
    seen: list[str] = [DMSU_TAG]
    for raw in (text or "").replace(",", " ").split():
        tag = raw.strip()[:40]
        if tag and tag.lower() not in {t.lower() for t in seen}:
            seen.append(tag)
    return seen
