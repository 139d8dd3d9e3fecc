"""Weekly public digests, their entries and revisions, and the DMSU shift rota."""

from __future__ import annotations

from peewee import CharField, ForeignKeyField, IntegerField, TextField

from dmsu import clock
from dmsu.auth.models import User
from dmsu.db import BaseModel, UTCDateTimeField
from dmsu.tickets.models import Ticket


class Shift(BaseModel):
    """Seed 000: "there is a 'DMSU shift' duty rotated weekly among the assigners"."""

    week = CharField(max_length=8, unique=True)  # ISO week, e.g. 2013-W07
    user = ForeignKeyField(User, backref="shifts", on_delete="CASCADE")
    updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    updated_at = UTCDateTimeField(default=clock.now)


class Digest(BaseModel):
    week = CharField(max_length=8, unique=True)
    author = ForeignKeyField(User, null=True, on_delete="SET NULL")
    state = CharField(max_length=16, default="draft", index=True)  # draft, published
    intro = TextField(default="")
    intro_html = TextField(default="")
    counts = TextField(default="{}")  # JSON: the week's numbers
    version = IntegerField(default=1)  # bumped on every save (no lost edits)
    revision = IntegerField(default=0)  # published revisions
    created_at = UTCDateTimeField(default=clock.now)
    updated_at = UTCDateTimeField(default=clock.now)
    published_at = UTCDateTimeField(null=True, index=True)
    revised_at = UTCDateTimeField(null=True)


class DigestEntry(BaseModel):
    digest = ForeignKeyField(Digest, backref="entries", on_delete="CASCADE")
    ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    position = IntegerField(default=0)
    title = CharField(max_length=500, default="")
    component_name = CharField(max_length=120, default="")
    symptoms = TextField(default="")
    impact = TextField(default="")
    workaround = TextField(default="")
    status_text = CharField(max_length=120, default="")
    html = TextField(default="")


class DigestRevision(BaseModel):
    """A published state of a digest, kept whole: corrections show as "updated"."""

    digest = ForeignKeyField(Digest, backref="revisions", on_delete="CASCADE")
    number = IntegerField()
    html = TextField()
    author = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=clock.now)
    note = CharField(max_length=300, default="")

    class Meta:
        indexes = ((("digest", "number"), True),)
