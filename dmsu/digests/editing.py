"""Saving the shift's edits of a digest without losing anyone's text.

"two people editing one draft (same no-lost-edits rule as the wiki): a clear message
and nothing lost." The edit form carries the digest's ``version``; a save is one atomic
compare-and-set ``UPDATE digest SET ..., version = version + 1 WHERE id = ? AND version = ?``.
A save based on an old version changes nothing and raises :class:`EditConflict`, which carries
the digest as the other person left it, so the page can show their change beside the user's
kept text. The entries' text is written in the same transaction, column by column, after the
digest's row is claimed, so a refresh or a drop at the same moment keeps what it wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dmsu.auth.permissions import require
from dmsu.core import clock
from dmsu.core.db import write_transaction
from dmsu.digests.drafting import DigestError, digest_html, entries_of, render_entry
from dmsu.digests.models import Digest, DigestEntry

ENTRY_FIELDS = ("title", "symptoms", "impact", "workaround", "status_text")
LIMITS = {"title": 500, "status_text": 120, "symptoms": 20000, "impact": 20000, "workaround": 20000}
INTRO_LIMIT = 20000


@dataclass
class DigestForm:
    """What the edit form sent: the version it was based on, the intro, the entries' text."""

    version: int
    intro: str
    entries: dict[int, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, form) -> DigestForm:
        """Read ``version``, ``intro`` and ``entry-<id>-<field>`` fields of a form mapping."""
        try:
            version = int(form.get("version", ""))
        except ValueError:
            version = -1
        entries: dict[int, dict[str, str]] = {}
        for key in form:
            parts = key.split("-", 2)
            if len(parts) == 3 and parts[0] == "entry" and parts[2] in ENTRY_FIELDS:
                try:
                    entry_id = int(parts[1])
                except ValueError:
                    continue
                entries.setdefault(entry_id, {})[parts[2]] = form.get(key, "")
        return cls(version=version, intro=form.get("intro", ""), entries=entries)

    def entry_text(self, entry: DigestEntry, name: str) -> str:
        return self.entries.get(entry.id, {}).get(name, getattr(entry, name))


class EditConflict(Exception):
    """Someone saved the digest since the form was loaded; nothing was written."""

    def __init__(self, current: Digest) -> None:
        who = current.updated_by.name if current.updated_by_id and current.updated_by else None
        when = f"{current.updated_at:%Y-%m-%d %H:%M} UTC"
        super().__init__(
            f"{who or 'Someone'} saved this digest at {when} while you were editing; nothing of "
            "yours was saved. Your text is kept below beside their version: merge and save again."
        )
        self.current = current


def _clean(name: str, value: str) -> str:
    value = (value or "").replace("\r\n", "\n")
    if name in ("title", "status_text"):
        value = " ".join(value.split())
    if len(value) > LIMITS[name]:
        raise DigestError(f"The {name.replace('_', ' ')} is longer than {LIMITS[name]} characters.")
    return value


def save_digest(digest: Digest, form: DigestForm, actor) -> Digest:
    """Save the intro and the entries' text of ``digest`` if nobody saved since
    ``form.version``; raise :class:`EditConflict` otherwise. Returns the fresh digest."""
    require(actor, "digest.edit", "edit a weekly digest")
    intro = (form.intro or "").replace("\r\n", "\n")
    if len(intro) > INTRO_LIMIT:
        raise DigestError(f"The introduction is longer than {INTRO_LIMIT} characters.")
    cleaned = {
        entry_id: {name: _clean(name, value) for name, value in values.items()}
        for entry_id, values in form.entries.items()
    }
    now = clock.now()
    with write_transaction("digests"):
        changed = (
            Digest.update(
                intro=intro,
                intro_html=digest_html(intro),
                version=Digest.version + 1,
                updated_by=actor.id,
                updated_at=now,
            )
            .where((Digest.id == digest.id) & (Digest.version == form.version))
            .execute()
        )
        if changed != 1:
            raise EditConflict(Digest.get_by_id(digest.id))
        edited = DigestEntry.select().where(
            (DigestEntry.digest == digest) & DigestEntry.id.in_(list(cleaned) or [0])
        )
        for entry in edited:
            _save_entry(entry, cleaned[entry.id])
    return Digest.get_by_id(digest.id)


def _save_entry(entry: DigestEntry, values: dict[str, str]) -> None:
    """Write the text the form changed in one entry (a dropped one too: its text is kept
    should it come back), and only that: the ``dropped`` flag is the drop's to write."""
    if all(getattr(entry, name) == value for name, value in values.items()):
        return
    for name, value in values.items():
        setattr(entry, name, value)
    DigestEntry.update(**values, edited=True, html=render_entry(entry)).where(
        DigestEntry.id == entry.id
    ).execute()


def preview_entries(digest: Digest, form: DigestForm) -> list[DigestEntry]:
    """The digest's entries with the form's (unsaved) text, rendered for a preview."""
    shown = []
    for entry in entries_of(digest):
        for name in ENTRY_FIELDS:
            setattr(entry, name, form.entry_text(entry, name))
        entry.html = render_entry(entry)
        shown.append(entry)
    return shown


def conflicting_fields(current: Digest, form: DigestForm) -> dict[str, str]:
    """The other person's text wherever it differs from what the user sent:
    ``{"intro": ..., "entry-12-impact": ...}`` (entries dropped meanwhile included)."""
    differences: dict[str, str] = {}
    if current.intro != (form.intro or "").replace("\r\n", "\n"):
        differences["intro"] = current.intro
    for entry in DigestEntry.select().where(DigestEntry.digest == current):
        for name, value in form.entries.get(entry.id, {}).items():
            if getattr(entry, name) != value.replace("\r\n", "\n"):
                differences[f"entry-{entry.id}-{name}"] = getattr(entry, name)
    return differences
