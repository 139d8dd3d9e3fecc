"""Wiki pages and their revisions; the rendered HTML is stored with each revision
(DESIGN rule 3)."""

from __future__ import annotations

from peewee import CharField, ForeignKeyField, IntegerField, TextField

from dmsu import clock
from dmsu.auth.models import User
from dmsu.cheatsheet.models import Component
from dmsu.db import BaseModel, UTCDateTimeField
from dmsu.tickets.models import Ticket

VISIBILITIES = ("internal", "public")


class Page(BaseModel):
    slug = CharField(max_length=120, unique=True)
    title = CharField(max_length=200, unique=True)
    visibility = CharField(max_length=16, default="internal", index=True)
    revision_number = IntegerField(default=0)
    html = TextField(default="")
    tags = TextField(default="")
    ticket = ForeignKeyField(Ticket, null=True, backref="solution_digests", on_delete="SET NULL")
    component = ForeignKeyField(Component, null=True, backref="pages", on_delete="SET NULL")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=clock.now)
    updated_at = UTCDateTimeField(default=clock.now, index=True)

    @classmethod
    def visible_to(cls, user):
        """The one visibility rule for pages: staff see all, anonymous readers public ones."""
        query = cls.select()
        if user is None or not getattr(user, "is_authenticated", False):
            query = query.where(cls.visibility == "public")
        return query


class Revision(BaseModel):
    page = ForeignKeyField(Page, backref="revisions", on_delete="CASCADE")
    number = IntegerField()
    title = CharField(max_length=200)
    markdown = TextField(default="")
    html = TextField(default="")
    summary = CharField(max_length=300, default="")
    visibility = CharField(max_length=16, default="internal")
    author = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("page", "number"), True),)


class PageLink(BaseModel):
    """Outgoing links of a page's current revision: wiki slugs and GGUS ticket numbers."""

    page = ForeignKeyField(Page, backref="links", on_delete="CASCADE")
    target_slug = CharField(max_length=120, null=True, index=True)
    ggus_id = IntegerField(null=True, index=True)


class Attachment(BaseModel):
    page = ForeignKeyField(Page, backref="attachments", on_delete="CASCADE")
    filename = CharField(max_length=200)
    stored_name = CharField(max_length=80, unique=True)
    content_type = CharField(max_length=100)
    size = IntegerField()
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    uploaded_at = UTCDateTimeField(default=clock.now)
