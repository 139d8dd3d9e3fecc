"""Wiki pages and their revisions; the rendered HTML is stored with each revision and on the
page (ARCHITECTURE.md rule 3), so a page view serves stored HTML.

Seed 000: "Tickets of the specific category of being assigned to the 3rd line support because
of lack of expertise in DMSU which get solved are inspected, and the digest of the solution
recorded at DMSU internal wiki for further use." Pages are therefore ``internal`` by default;
a page made ``public`` can be read by anyone.

The one visibility rule (ARCHITECTURE.md rule 2) is :meth:`Page.visible_to`; revisions, links and
attachments have their own ``visible_to`` built on it, used by every view, the search, the
feeds and the API alike.
"""

from __future__ import annotations

from peewee import CharField, ForeignKeyField, IntegerField, TextField

from dmsu.auth.models import User
from dmsu.auth.permissions import can
from dmsu.cheatsheet.models import Component
from dmsu.core import clock
from dmsu.core.db import BaseModel, UTCDateTimeField
from dmsu.tickets.models import Ticket

VISIBILITIES = ("internal", "public")
KNOWN_ISSUE_TAG = "known-issue"
DIGEST_TAG = "solution-digest"


def sees_internal(user) -> bool:
    """Internal pages are for logged-in staff (``wiki.read_internal``)."""
    return can(user, "wiki.read_internal")


class Page(BaseModel):
    """A wiki page: the current state; its history is in :class:`Revision`.

    ``slug`` is fixed when the page is made (stable URLs); ``html`` is the current revision
    rendered with a link resolver that sees only what the page's own readers may see (see
    :mod:`dmsu.wiki.links`); ``body_text`` is the plain text the search indexes;
    ``changed_at`` moves whenever what the page shows changes (its text, its backlinks, its
    attachments) and drives conditional GET.
    """

    slug = CharField(max_length=120, unique=True)
    title = CharField(max_length=200, unique=True)
    visibility = CharField(max_length=16, default="internal", index=True)
    revision_number = IntegerField(default=0)
    html = TextField(default="")
    body_text = TextField(default="")
    tags = TextField(default="")  # display copy of the PageTag rows, space separated
    ticket = ForeignKeyField(Ticket, null=True, backref="solution_digests", on_delete="SET NULL")
    component = ForeignKeyField(Component, null=True, backref="pages", on_delete="SET NULL")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=clock.now)
    updated_at = UTCDateTimeField(default=clock.now, index=True)
    updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    changed_at = UTCDateTimeField(default=clock.now)

    @classmethod
    def visible_to(cls, user, *fields):
        """The one visibility rule for pages: staff see all, anyone else public pages only."""
        query = cls.select(*fields)
        if not sees_internal(user):
            query = query.where(cls.visibility == "public")
        return query

    @property
    def is_public(self) -> bool:
        return self.visibility == "public"

    @property
    def tag_list(self) -> list[str]:
        return self.tags.split()

    @property
    def is_known_issue(self) -> bool:
        return KNOWN_ISSUE_TAG in self.tag_list

    @property
    def is_solution_digest(self) -> bool:
        """Made from a solved ticket, or tagged as a digest by its editor."""
        return self.ticket_id is not None or DIGEST_TAG in self.tag_list


class Revision(BaseModel):
    """One save of a page. Unique (page, number): the second guard against lost edits."""

    page = ForeignKeyField(Page, backref="revisions", on_delete="CASCADE")
    number = IntegerField()
    title = CharField(max_length=200)
    markdown = TextField(default="")
    html = TextField(default="")
    summary = CharField(max_length=300, default="")
    visibility = CharField(max_length=16, default="internal")
    tags = TextField(default="")
    author = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=clock.now, index=True)

    class Meta:
        indexes = ((("page", "number"), True),)

    @classmethod
    def visible_to(cls, user, *fields):
        """Revisions of visible pages; anonymous readers see only revisions that were public
        themselves, so text written while a page was internal never leaks."""
        query = cls.select(*fields).join(Page, on=(cls.page == Page.id))
        if not sees_internal(user):
            query = query.where(Page.visibility == "public", cls.visibility == "public")
        return query


class PageLink(BaseModel):
    """Outgoing links of a page's current revision: wiki slugs and GGUS ticket numbers."""

    page = ForeignKeyField(Page, backref="links", on_delete="CASCADE")
    target_slug = CharField(max_length=120, null=True, index=True)
    ggus_id = IntegerField(null=True, index=True)

    @classmethod
    def visible_to(cls, user, *fields):
        """Links whose source page the viewer may see (backlinks never reveal a hidden page)."""
        query = cls.select(*fields).join(Page, on=(cls.page == Page.id))
        if not sees_internal(user):
            query = query.where(Page.visibility == "public")
        return query


class PageTag(BaseModel):
    page = ForeignKeyField(Page, backref="tag_rows", on_delete="CASCADE")
    tag = CharField(max_length=40, index=True)

    class Meta:
        indexes = ((("page", "tag"), True),)


class Attachment(BaseModel):
    """A file kept under ``instance/attachments``; as visible as its page."""

    page = ForeignKeyField(Page, backref="attachments", on_delete="CASCADE")
    filename = CharField(max_length=200)
    stored_name = CharField(max_length=80, unique=True)
    content_type = CharField(max_length=100)
    size = IntegerField()
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    uploaded_at = UTCDateTimeField(default=clock.now)

    @classmethod
    def visible_to(cls, user, *fields):
        query = cls.select(*fields).join(Page, on=(cls.page == Page.id))
        if not sees_internal(user):
            query = query.where(Page.visibility == "public")
        return query

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
