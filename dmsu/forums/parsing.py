"""One mail as the forums area keeps it, read from the raw bytes of real-world mail.

The traps of issue 21, item 2, and how each is met here:

- ``policy.default`` raises on some real-world Message-IDs (an Outlook-style ``<[anu10]...>``
  raised IndexError on Python 3.11): every header is read through :func:`_header`, which falls
  back to the ``compat32`` parse of the same bytes (the raw string, decoded by hand) rather
  than dropping the message.
- Broken In-Reply-To values such as ``Your message of "Tue, 3 Mar" <id@host>`` (ponymail #124):
  :func:`message_ids` takes the ``<...@...>`` tokens wherever they stand.
- Any charset and encoding: an unknown charset is read as UTF-8 with replacement characters and
  one sentence says so in :attr:`Mail.notes`; so are undecodable bytes of a known one.
- HTML-only mail: its text through the site's one HTML letter reader
  (:func:`dmsu.core.publictext.letter.html_letter_text`).
- Auto-replies and loops (RFC 3834 ``Auto-Submitted``, ``Precedence``): :attr:`Mail.skip` says
  why; ``Precedence: list`` is what lists send and is normal, and ``bulk`` is only an
  auto-reply when the mail came through no list (LISTSERV and Mailman 2 send ``bulk`` with
  every post).
- Attachments are kept out: only their names, types and sizes are noted.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from dmsu.core.publictext.letter import html_letter_text

MAX_BODY = 200_000  # characters of text kept of one mail
_ID = re.compile(r"<([^<>\s]+@[^<>\s]+)>")
_BARE_ID = re.compile(r"^[^\s<>\"]+@[^\s<>\"]+$")
_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|aw|sv|vs|odp|r|wg|tr|antw)\s*(?:\[\d+\])?\s*:\s*)", re.I)
_TAG = re.compile(r"^\s*\[[^\]]{1,60}\]\s*")
_SPACE = re.compile(r"\s+")
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
AUTO_PRECEDENCE = {"junk", "auto_reply", "auto-reply"}


@dataclass
class Mail:
    message_id: str
    parent_id: str  # In-Reply-To, else the last References entry (HyperKitty's rule)
    references: list[str]
    subject: str
    norm_subject: str
    is_reply: bool
    sender_name: str
    sender_address: str
    sent_at: datetime | None
    body: str
    attachments: list[dict] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)  # list addresses named by its headers
    notes: list[str] = field(default_factory=list)
    skip: str = ""  # why the mail is not a forum post (auto-reply, bounce); empty if it is

    @property
    def content_hash(self) -> str:
        """What says two copies are the same mail: sender, date and subject without list tags
        (lists add tags and footers, so neither the raw subject nor the body will do)."""
        when = self.sent_at.isoformat() if self.sent_at else ""
        text = f"{self.sender_address.lower()}|{when}|{self.norm_subject}"
        if not self.message_id:
            text += "|" + self.body[:2000]
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def key(self) -> str:
        return f"{self.message_id or '-'}|{self.content_hash[:20]}"


class MailError(Exception):
    """The bytes are not a mail at all; the message is one sentence."""


def message_ids(value: str) -> list[str]:
    """The message ids in a header value, in order, wherever they stand in it."""
    found = _ID.findall(value or "")
    if found:
        return list(dict.fromkeys(found))
    bare = (value or "").strip()
    return [bare] if _BARE_ID.match(bare) else []


def normal_subject(subject: str) -> str:
    """The subject without reply/forward prefixes and list tags, lower case, one space."""
    text = subject or ""
    while True:
        stripped = _TAG.sub("", _PREFIX.sub("", text))
        if stripped == text:
            break
        text = stripped
    return _SPACE.sub(" ", text).strip().lower()[:500]


def _decoded_words(raw: str) -> str:
    try:
        return str(make_header(decode_header(raw)))
    except Exception:  # noqa: BLE001 - a header that will not decode is kept as it came
        return raw


def _header(modern: Message, legacy: Message, name: str) -> str:
    """A header as text: ``policy.default``'s reading, else ``compat32``'s raw value decoded."""
    try:
        value = modern.get(name)
        return "" if value is None else str(value)
    except Exception:  # noqa: BLE001 - policy.default raises on real-world values
        raw = legacy.get(name)
        return "" if raw is None else _decoded_words(str(raw))


def _text_of(part: Message, notes: list[str]) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = str(part.get_payload() or "").encode("utf-8", "replace")
    charset = (part.get_content_charset() or "us-ascii").strip().strip('"')
    try:
        codecs.lookup(charset)
    except LookupError:
        notes.append(
            f"The charset '{charset[:40]}' is unknown; the text was read as UTF-8 with "
            "replacement characters."
        )
        return payload.decode("utf-8", "replace")
    if charset.lower() in ("us-ascii", "ascii"):
        charset = "utf-8"  # mail labelled ASCII often is not; UTF-8 reads ASCII the same
    try:
        return payload.decode(charset)
    except UnicodeDecodeError:
        notes.append(f"Some bytes were not {charset}; they were replaced.")
        return payload.decode(charset, "replace")


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    return disposition == "attachment" or (bool(part.get_filename()) and disposition != "inline")


def _body_and_attachments(legacy: Message, notes: list[str]) -> tuple[str, list[dict]]:
    plain: str | None = None
    html: str | None = None
    attachments: list[dict] = []
    for part in legacy.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        if _is_attachment(part) or not kind.startswith("text/"):
            if kind == "message/rfc822" or part.get_content_maintype() == "multipart":
                continue
            data = part.get_payload(decode=True) or b""
            name = _decoded_words(part.get_filename() or "") or "(unnamed)"
            attachments.append({"name": name[:200], "type": kind, "size": len(data)})
            continue
        if kind == "text/plain" and plain is None:
            plain = _text_of(part, notes)
        elif kind == "text/html" and html is None:
            html = _text_of(part, notes)
    if plain is not None and plain.strip():
        body = plain
    elif html is not None:
        body = html_letter_text(html)
    else:
        body = plain or ""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    if len(body) > MAX_BODY:
        notes.append(f"The text was cut at {MAX_BODY:,} characters.")
        body = body[:MAX_BODY]
    return body, attachments


def _skip_reason(legacy: Message, subject: str, lists: list[str], sender: str) -> str:
    auto = (legacy.get("Auto-Submitted") or "").split(";")[0].strip().lower()
    if auto and auto != "no":
        return f"an automatic mail (Auto-Submitted: {auto[:40]})"
    precedence = (legacy.get("Precedence") or "").strip().lower()
    if precedence in AUTO_PRECEDENCE:
        return f"an automatic mail (Precedence: {precedence})"
    if precedence == "bulk" and not lists:
        return "an automatic mail (Precedence: bulk, through no list)"
    if legacy.get("X-Autoreply") or legacy.get("X-Autorespond"):
        return "an auto-reply (X-Autoreply)"
    if legacy.get_content_type() == "multipart/report" or sender.lower().startswith(
        ("mailer-daemon@", "postmaster@")
    ):
        return "a delivery report"
    return ""


def _date(value: str, notes: list[str]) -> datetime | None:
    if not value.strip():
        return None
    try:
        sent_at = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        notes.append("The Date header could not be read; the time it was fetched is used.")
        return None
    sent_at = sent_at.replace(tzinfo=UTC) if sent_at.tzinfo is None else sent_at
    return sent_at.astimezone(UTC)


def list_addresses(legacy: Message) -> list[str]:
    """The list addresses a mail names: its List-Post and List-Id, then To and Cc."""
    found: list[str] = []
    post = str(legacy.get("List-Post") or "")
    found += [a.lower() for a in _ADDRESS.findall(post.replace("mailto:", " "))]
    list_id = str(legacy.get("List-Id") or "")
    inner = re.search(r"<([^<>]+)>", list_id)
    if inner:  # RFC 2919: dpm-users-forum.cern.ch -> a hint, matched against known lists
        found.append(inner.group(1).lower())
    for header in ("To", "Cc"):
        found += [
            a.lower() for _, a in getaddresses([str(v) for v in legacy.get_all(header) or []])
        ]
    return list(dict.fromkeys(a for a in found if a))


def parse(raw: bytes) -> Mail:
    """The mail of ``raw`` (its bytes as stored or fetched)."""
    if not raw or not raw.strip():
        raise MailError("The message is empty.")
    legacy = BytesParser(policy=policy.compat32).parsebytes(raw)
    try:
        modern = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    except Exception:  # noqa: BLE001 - fall back to the legacy reading, never drop the mail
        modern = legacy
    if not legacy.keys():
        raise MailError("The message has no headers.")
    notes: list[str] = []
    subject = _SPACE.sub(" ", _header(modern, legacy, "Subject")).strip()[:500]
    name, address = parseaddr(_header(modern, legacy, "From"))
    own_ids = message_ids(str(legacy.get("Message-ID") or ""))
    references = message_ids(str(legacy.get("References") or ""))
    in_reply_to = message_ids(str(legacy.get("In-Reply-To") or ""))
    parent = in_reply_to[-1] if in_reply_to else (references[-1] if references else "")
    sent_at = _date(str(legacy.get("Date") or ""), notes)
    body, attachments = _body_and_attachments(legacy, notes)
    lists = list_addresses(legacy)
    prefixed = bool(_PREFIX.match(_TAG.sub("", subject)))
    return Mail(
        message_id=own_ids[0][:300] if own_ids else "",
        parent_id=parent[:300],
        references=[r[:300] for r in references],
        subject=subject,
        norm_subject=normal_subject(subject),
        is_reply=bool(parent) or prefixed,
        sender_name=_decoded_words(name)[:200],
        sender_address=address[:200],
        sent_at=sent_at,
        body=body,
        attachments=attachments,
        lists=lists,
        notes=notes,
        skip=_skip_reason(legacy, subject, lists if legacy.get("List-Id") else [], address),
    )
