"""Forms that are saved once however often they are sent.

A double click, a browser retrying a slow POST, or "send again" after a timeout each used to
save a second comment or requirement. A form that should be saved once carries a random token
made when it is rendered (``{{ once_field() }}``, a template global); the view saves it inside
:func:`submitted_once`, which records the token in the same write transaction as what the form
saves. A second POST with the same token finds it recorded (or waits for the first to commit,
then finds it) and is answered with where the first one went, saving nothing.

What is claimed is the token *with what the form says* (:func:`claim_key`): a page brought
back with the browser's Back button still holds its old token, and what a person then types
into it and sends is new work, saved as such, never dropped as "sent twice". Only the same
form with the same text sent again is the repeat.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from contextlib import contextmanager

from markupsafe import Markup
from peewee import CharField, IntegrityError

from dmsu.core import clock
from dmsu.core.db import BaseModel, UTCDateTimeField, database, write_transaction

TOKEN_LENGTH = 64
NOT_CONTENT = frozenset({"once", "csrf_token"})  # what does not make two sends different


class FormSubmission(BaseModel):
    """A form token that was saved, and where its answer sent the browser."""

    token = CharField(max_length=TOKEN_LENGTH, unique=True)
    answer_url = CharField(max_length=500, default="")
    created_at = UTCDateTimeField(default=clock.now, index=True)

    class Meta:
        table_name = "form_submission"


class AlreadySubmitted(Exception):
    """The form with this token was saved before; ``answer_url`` is where it went."""

    def __init__(self, answer_url: str):
        super().__init__("This form was sent twice; it was saved once.")
        self.answer_url = answer_url


class Submission:
    """The claim of one token inside :func:`submitted_once`; ``answered(url)`` records where
    the answer sends the browser (a repeat is sent there too)."""

    def __init__(self, token: str | None):
        self.token = token

    def answered(self, url: str) -> str:
        if self.token:
            FormSubmission.update(answer_url=url[:500]).where(
                FormSubmission.token == self.token
            ).execute()
        return url


def once_field() -> Markup:
    """The hidden field of a form to be saved once (a new token per render)."""
    return Markup('<input type="hidden" name="once" value="{}">').format(secrets.token_urlsafe(24))


def claim_key(form: Mapping | str | None) -> str | None:
    """What a send of ``form`` claims: its ``once`` token bound to its other fields (a hash,
    :data:`TOKEN_LENGTH` characters), or None when it carries no token. A plain string is a
    token on its own (for callers that have no form)."""
    if form is None or isinstance(form, str):
        token, fields = form, []
    else:
        token = form.get("once")
        pairs = form.items(multi=True) if hasattr(form, "getlist") else form.items()
        fields = sorted((k, str(v)) for k, v in pairs if k not in NOT_CONTENT)
    token = (token or "").strip()[:TOKEN_LENGTH]
    if not token:
        return None
    digest = hashlib.sha256(token.encode("utf-8", "surrogatepass"))
    for name, value in fields:
        digest.update(b"\0" + name.encode("utf-8", "surrogatepass"))
        digest.update(b"\1" + value.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@contextmanager
def submitted_once(form: Mapping | str | None, area: str | None = None):
    """Save a form once: claim ``form``'s token with its content (:func:`claim_key`; no token:
    no claim, as for an old page) in a write transaction around the caller's writes (``area``:
    that area's write lock first, as :func:`dmsu.core.db.write_transaction` takes it). Raises
    :class:`AlreadySubmitted` for a claim saved before; a refusal inside (an exception) rolls
    the claim back with the writes, so the form can be corrected and sent again."""
    token = claim_key(form)
    with write_transaction(area):
        if token is not None:
            try:
                with database.atomic():
                    FormSubmission.create(token=token)
            except IntegrityError:
                first = FormSubmission.get_or_none(FormSubmission.token == token)
                raise AlreadySubmitted(first.answer_url if first else "") from None
        yield Submission(token)
