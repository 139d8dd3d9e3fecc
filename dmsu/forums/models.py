"""The forums area's tables: the lists DMSU follows, the mailboxes it reads them from, their
messages and threads, and a thread's links to tickets.

Seed 001 names the lists ("lcg-rollout@jiscmail.ac.uk, unicore-support@lists.sf.net,
dpm-users-forum@cern.ch, user-forum@dcache.org, nordugrid-discuss@nordugrid.org") and says the
team "bring[s] issues with broader impact as new GGUS tickets". A list is mapped to components
through the cheat sheet's forums field (:func:`dmsu.forums.lists.components_of`), not a copy.

A message is one row per :attr:`ForumMessage.key`: the Message-ID together with a hash of what
says it is the same mail (sender, date, subject without list tags), since Message-ID alone is
not unique across channels (apache/ponymail #373, zammad #1578); the lists it came through are
:class:`ForumMessageList` rows, so the same mail via two lists is one message on two lists.
"""

from __future__ import annotations

import json

from peewee import CharField, ForeignKeyField, IntegerField, TextField

from dmsu.auth.models import User
from dmsu.cheatsheet.models import Component
from dmsu.core import clock
from dmsu.core.db import BaseModel, UTCDateTimeField
from dmsu.tickets.models import Ticket

# The permissions of the forums area, named in dmsu/auth/permissions.py's one table: threads are
# staff things like tickets (everyone on staff reads and works them: TPM is the 1st line), and
# the sources are set up by admins, who import from other systems.
VIEW = "ticket.view"
WORK = "ticket.triage"
ADMIN = "ticket.import"

# A thread's state (issue 21, item 4), in the order a thread usually passes them.
THREAD_STATES = ("new", "seen", "answered", "linked", "spawned", "not relevant")
STATE_LABELS = {
    "new": "new",
    "seen": "seen",
    "answered": "answered by DMSU",
    "linked": "linked to a ticket",
    "spawned": "ticket spawned",
    "not relevant": "not relevant",
}


class ForumList(BaseModel):
    """A mailing list (or another forum) DMSU follows, by its posting address."""

    address = CharField(max_length=200, unique=True)
    name = CharField(max_length=200, default="")
    created_at = UTCDateTimeField(default=clock.now)

    @property
    def label(self) -> str:
        return self.name or self.address


class ForumMailbox(BaseModel):
    """Where the fetch job stands in one IMAP mailbox: its UIDVALIDITY and the highest UID whose
    message is stored (RFC 3501 2.3.1.1: UIDs are only meaningful within one UIDVALIDITY), and
    what its last run said, for the admin page."""

    name = CharField(max_length=300, unique=True)  # user@host/mailbox, or bugzilla:url/product
    uidvalidity = IntegerField(null=True)
    watermark = CharField(max_length=40, default="")  # Bugzilla: last_change_time read up to
    last_uid = IntegerField(default=0)
    fetched_at = UTCDateTimeField(null=True)
    last_result = TextField(default="")
    last_error = TextField(default="")
    error_at = UTCDateTimeField(null=True)


class ForumThread(BaseModel):
    forum_list = ForeignKeyField(ForumList, backref="threads", on_delete="CASCADE", index=True)
    subject = CharField(max_length=500, default="")
    norm_subject = CharField(max_length=500, default="", index=True)
    started_at = UTCDateTimeField(default=clock.now, index=True)
    last_at = UTCDateTimeField(default=clock.now, index=True)
    message_count = IntegerField(default=0)
    state = CharField(max_length=20, default="new", index=True)
    state_at = UTCDateTimeField(null=True)
    taken_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    component = ForeignKeyField(Component, null=True, on_delete="SET NULL", backref="+")
    note = TextField(default="")  # staff note: internal

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @classmethod
    def visible_to(cls, user):
        """ARCHITECTURE.md rule 2, one visibility rule. Issue 21, item 6: "threads are internal
        by default (list archives may be public, but the site's view adds staff notes)"."""
        from dmsu.auth.permissions import can

        query = cls.select()
        return query if can(user, VIEW) else query.where(False)


class ForumMessage(BaseModel):
    key = CharField(max_length=400, unique=True)
    message_id = CharField(max_length=300, default="", index=True)
    content_hash = CharField(max_length=64)
    thread = ForeignKeyField(ForumThread, backref="messages", on_delete="CASCADE", index=True)
    parent_id_header = CharField(max_length=300, default="", index=True)  # the parent's id
    references = TextField(default="")  # message ids, one per line, oldest first
    subject = CharField(max_length=500, default="")
    norm_subject = CharField(max_length=500, default="", index=True)
    sender_name = CharField(max_length=200, default="")
    sender_address = CharField(max_length=200, default="")
    sent_at = UTCDateTimeField(default=clock.now, index=True)
    body = TextField(default="")
    attachments = TextField(default="")  # JSON list of {"name", "type", "size"}
    notes = TextField(default="")  # what parsing had to say (charset replaced, truncated ...)
    fetched_at = UTCDateTimeField(default=clock.now)

    @property
    def attachment_list(self) -> list[dict]:
        return json.loads(self.attachments) if self.attachments else []

    @property
    def reference_list(self) -> list[str]:
        return [r for r in self.references.splitlines() if r]


class ForumMessageList(BaseModel):
    """A list a message came through (one message, several lists)."""

    message = ForeignKeyField(ForumMessage, backref="list_links", on_delete="CASCADE")
    forum_list = ForeignKeyField(ForumList, backref="+", on_delete="CASCADE", index=True)

    class Meta:
        indexes = ((("message", "forum_list"), True),)


class ForumThreadTicket(BaseModel):
    """A thread linked to a ticket, or the ticket spawned from it (``spawned``)."""

    thread = ForeignKeyField(ForumThread, backref="ticket_links", on_delete="CASCADE")
    ticket = ForeignKeyField(Ticket, backref="forum_links", on_delete="CASCADE", index=True)
    spawned = IntegerField(default=0)
    linked_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    linked_at = UTCDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("thread", "ticket"), True),)


class ForumThreadEvent(BaseModel):
    """One change a person made to a thread (state, take, link, join, split): counted per list
    and quarter (issue 21, item 7)."""

    thread = ForeignKeyField(ForumThread, backref="events", on_delete="CASCADE")
    at = UTCDateTimeField(default=clock.now, index=True)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    kind = CharField(max_length=20)
    summary = TextField(default="")


# Every table of this area in dependency order, gathered by :mod:`dmsu.models`.
TABLES: list = [
    ForumList,
    ForumMailbox,
    ForumThread,
    ForumMessage,
    ForumMessageList,
    ForumThreadTicket,
    ForumThreadEvent,
]
