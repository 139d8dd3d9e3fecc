"""The ``search_document`` table: one row per searchable thing, keyed by ``(area, key)``.

Fields are weighted by what they are: ``title`` (a ticket's subject, a page's title) above
``body`` (a ticket's description, a page's text) above ``diary`` (a ticket's comments, a
digest's entries). ``boost`` multiplies the rank (solved tickets with a solution note,
solution digests). ``audience`` is the visibility rule of the index: ``public`` documents are
for everyone, ``staff`` documents for the roles that may read internal content; each area sets
it from its own rule (``visible_to``) when it writes the document, and the reader's audiences
come from the permissions (:func:`dmsu.search.visibility.audiences_for`).
"""

from __future__ import annotations

from peewee import CharField, FloatField, IntegerField, TextField

from dmsu.core.db import BaseModel, UTCDateTimeField

AUDIENCES = ("public", "staff")


class SearchDocument(BaseModel):
    area = CharField(max_length=16)
    key = CharField(max_length=200)
    title = TextField(default="")
    body = TextField(default="")
    diary = TextField(default="")
    audience = CharField(max_length=8, default="staff")
    component_id = IntegerField(null=True, index=True)
    status = CharField(max_length=32, default="")
    at = UTCDateTimeField(null=True, index=True)
    boost = FloatField(default=1.0)

    class Meta:
        table_name = "search_document"
        indexes = ((("area", "key"), True),)

    @classmethod
    def visible_to(cls, audiences: tuple[str, ...], *fields):
        """The documents a reader of these audiences may find (the index's one rule)."""
        return cls.select(*fields).where(cls.audience.in_(tuple(audiences)))
