"""Weekly public digests, their entries and published revisions, and the DMSU shift rota.

Seed 000: "Digest of the tickets handled by DMSU in the previous week is prepared by the DMSU
shift on duty person as his/her final task, and it is published at the DMSU wiki. The digests
are publicly available, and they are focused on issues that are likely to hit broader user
community."

A :class:`Digest` holds the working copy (introduction, entries) that the shift edits, guarded
by ``version`` (compare-and-set, so no edit is lost), and the HTML of its current published
revision (``public_html``), served as is. Every publication is kept whole as a
:class:`DigestRevision`: a correction after publication is a new revision, shown as "updated".
"""

from __future__ import annotations

import json

from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from dmsu.auth.models import User
from dmsu.auth.permissions import can
from dmsu.core import clock
from dmsu.core.db import BaseModel, UTCDateTimeField
from dmsu.tickets.models import Ticket

DIGEST_STATES = ("draft", "published")
COUNT_LABELS = {
    "new_in_dmsu": "New in DMSU",
    "solved_in_dmsu": "Solved in DMSU",
    "sent_to_third_line": "Sent to 3rd line",
    "back_to_tpm": "Sent back to TPM",
    "still_open": "Still open in DMSU at the end of the week",
}


def sees_drafts(user) -> bool:
    """Drafts are for logged-in staff; public readers see published digests only."""
    return can(user, "digest.read_draft")


class Shift(BaseModel):
    """Seed 000: "there is a 'DMSU shift' duty rotated weekly among the assigners"."""

    week = CharField(max_length=8, unique=True)  # ISO week, e.g. 2013-W07
    user = ForeignKeyField(User, backref="shifts", on_delete="CASCADE")
    updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    updated_at = UTCDateTimeField(default=clock.now)


class Digest(BaseModel):
    week = CharField(max_length=8, unique=True)
    year = IntegerField(index=True)  # the ISO year of ``week``, for the archive
    author = ForeignKeyField(User, null=True, on_delete="SET NULL")  # the shift of the week
    state = CharField(max_length=16, default="draft", index=True)  # draft, published
    intro = TextField(default="")
    intro_html = TextField(default="")
    counts = TextField(default="{}")  # JSON: the week's numbers, see COUNT_LABELS
    version = IntegerField(default=1)  # bumped on every save (compare-and-set: no lost edits)
    updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    revision = IntegerField(default=0)  # number of the current published revision
    published_version = IntegerField(default=0)  # the working ``version`` last published
    public_html = TextField(default="")  # the current published revision, served as is
    created_at = UTCDateTimeField(default=clock.now)
    updated_at = UTCDateTimeField(default=clock.now)
    published_at = UTCDateTimeField(null=True, index=True)  # first publication
    revised_at = UTCDateTimeField(null=True)  # latest publication (a correction when > first)

    @classmethod
    def visible_to(cls, user, *fields):
        """The one visibility rule for digests: staff see drafts too, others published ones."""
        query = cls.select(*fields)
        if not sees_drafts(user):
            query = query.where(cls.state == "published")
        return query

    @property
    def is_published(self) -> bool:
        return self.state == "published"

    @property
    def count_values(self) -> dict[str, int]:
        try:
            values = json.loads(self.counts or "{}")
        except ValueError:
            values = {}
        return {key: int(values.get(key, 0)) for key in COUNT_LABELS}

    @property
    def has_unpublished_changes(self) -> bool:
        return self.is_published and self.version != self.published_version

    @property
    def last_published_at(self):
        return self.revised_at or self.published_at


class DigestEntry(BaseModel):
    """One ticket in a digest: public text only (symptoms, impact, workaround, status).

    ``source`` says whether the draft picked it (``auto``, a broad-impact ticket handled that
    week) or the shift added it (``manual``); ``edited`` keeps a refresh of the draft from
    overwriting the shift's text; ``dropped`` keeps a dropped ticket (and its text) out of the
    digest and out of later refreshes.
    """

    digest = ForeignKeyField(Digest, backref="entries", on_delete="CASCADE")
    ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    ggus_id = IntegerField()
    position = IntegerField(default=0)
    title = CharField(max_length=500, default="")
    component_name = CharField(max_length=120, default="")
    symptoms = TextField(default="")
    impact = TextField(default="")
    workaround = TextField(default="")
    status_text = CharField(max_length=120, default="")
    html = TextField(default="")  # symptoms, impact and workaround rendered, sanitised
    source = CharField(max_length=8, default="auto")  # auto, manual
    edited = BooleanField(default=False)
    dropped = BooleanField(default=False)

    class Meta:
        indexes = ((("digest", "ggus_id"), True),)


class DigestRevision(BaseModel):
    """A published state of a digest, kept whole: corrections show as "updated"."""

    digest = ForeignKeyField(Digest, backref="revisions", on_delete="CASCADE")
    number = IntegerField()
    html = TextField()
    text = TextField(default="")  # the plain-text version mailed to DMSU_DIGEST_MAILTO
    author = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=clock.now)
    note = CharField(max_length=300, default="")

    class Meta:
        indexes = ((("digest", "number"), True),)
