"""The fetch job: new mail of the IMAP mailbox subscribed to the lists, read incrementally.

RFC 3501, 2.3.1.1: a message's UID is fixed within the mailbox's UIDVALIDITY, and a new
UIDVALIDITY means the old UIDs mean nothing. So :class:`ForumMailbox` stores the UIDVALIDITY
and the highest UID whose message is stored; a run asks for ``UID FETCH last+1:*`` and commits
each batch of messages together with the new highest UID in one transaction. A run that dies
midway (the server drops the connection, the job is killed) has committed whole batches only:
the next run starts after the last committed UID, so nothing is lost and nothing read twice
(and a message read again anyway, after a UIDVALIDITY change, is recognised by its key).

The standard library's :mod:`imaplib` is enough (LOGIN, SELECT, UID FETCH); no client library
is added. Messages are only read (``BODY.PEEK``), never flagged or moved.
"""

from __future__ import annotations

import imaplib
import re
import socket
from dataclasses import dataclass

from dmsu.core import clock
from dmsu.core.db import write_transaction
from dmsu.forums.ingest import Result, index_threads, take_in
from dmsu.forums.lists import ensure_list, known_lists
from dmsu.forums.models import ForumMailbox

_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_COMMAND_ERROR = re.compile(r"command error: (?:BAD|NO) \[b?['\"](.*)['\"]\]$")


class FetchError(Exception):
    """The mailbox could not be read; the message is one sentence."""


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    password: str
    mailboxes: tuple[str, ...]
    ssl: bool
    timeout: float
    batch: int
    max_bytes: int
    lists: tuple[str, ...]

    @classmethod
    def from_config(cls, config) -> ImapSettings:
        split = [m.strip() for m in str(config.get("DMSU_FORUMS_IMAP_MAILBOXES") or "").split(",")]
        lists = str(config.get("DMSU_FORUMS_LISTS") or "").replace(",", ";").split(";")
        return cls(
            host=str(config.get("DMSU_FORUMS_IMAP_HOST") or ""),
            port=int(config.get("DMSU_FORUMS_IMAP_PORT") or 993),
            user=str(config.get("DMSU_FORUMS_IMAP_USER") or ""),
            password=str(config.get("DMSU_FORUMS_IMAP_PASSWORD") or ""),
            mailboxes=tuple(m for m in split if m) or ("INBOX",),
            ssl=bool(config.get("DMSU_FORUMS_IMAP_SSL", True)),
            timeout=float(config.get("DMSU_FORUMS_IMAP_TIMEOUT") or 30),
            batch=max(1, int(config.get("DMSU_FORUMS_BATCH") or 50)),
            max_bytes=int(config.get("DMSU_FORUMS_MAX_MESSAGE_BYTES") or 25 * 1024 * 1024),
            lists=tuple(a.strip() for a in lists if a.strip()),
        )

    @property
    def configured(self) -> bool:
        return bool(self.host and self.user)

    def name_of(self, mailbox: str) -> str:
        return f"{self.user}@{self.host}/{mailbox}"


def _text(data) -> str:
    if isinstance(data, list | tuple):
        data = b" ".join(d if isinstance(d, bytes) else str(d).encode() for d in data if d)
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    return text.rstrip(".")  # the sentence around it ends with its own full stop


def connect(settings: ImapSettings) -> imaplib.IMAP4:
    kind = imaplib.IMAP4_SSL if settings.ssl else imaplib.IMAP4
    try:
        client = kind(settings.host, settings.port, timeout=settings.timeout)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise FetchError(
            f"The IMAP server {settings.host}:{settings.port} could not be reached ({exc})."
        ) from None
    try:
        client.login(settings.user, settings.password)
    except (OSError, imaplib.IMAP4.abort) as exc:  # cut, stalled or garbage: not a refusal
        _drop(client)
        raise FetchError(_sentence(exc, "", during="during the login")) from None
    except imaplib.IMAP4.error as exc:
        _close(client)
        raise FetchError(
            f"The IMAP server {settings.host} refused the login of {settings.user}: {_said(exc)}."
        ) from None
    return client


def _close(client: imaplib.IMAP4) -> None:
    if client.state == "LOGOUT":  # dropped already (_drop)
        return
    try:
        client.logout()
    except (OSError, imaplib.IMAP4.error):
        pass


def fetch_all(settings: ImapSettings) -> Result:
    """Every configured mailbox, each recorded on its :class:`ForumMailbox` row."""
    if not settings.configured:
        raise FetchError("No IMAP mailbox is configured (DMSU_FORUMS_IMAP_HOST and _USER).")
    for address in settings.lists:
        with write_transaction("forums"):
            ensure_list(address)
    try:
        client = connect(settings)
    except FetchError as exc:
        for mailbox in settings.mailboxes:
            _record(settings.name_of(mailbox), last_error=str(exc), error_at=clock.now())
        raise
    total = Result()
    try:
        for mailbox in settings.mailboxes:
            total.add(fetch_mailbox(client, settings, mailbox))
    finally:
        _close(client)
    return total


def _record(name: str, **values) -> None:
    with write_transaction("forums"):
        row, _ = ForumMailbox.get_or_create(name=name)
        ForumMailbox.update(**values).where(ForumMailbox.id == row.id).execute()


def fetch_mailbox(client: imaplib.IMAP4, settings: ImapSettings, mailbox: str) -> Result:
    name = settings.name_of(mailbox)
    result = Result()
    try:
        _fetch(client, settings, mailbox, name, result)
    except (OSError, imaplib.IMAP4.error, imaplib.IMAP4.abort, FetchError) as exc:
        sentence = _sentence(exc, mailbox)
        if isinstance(exc, OSError | imaplib.IMAP4.abort):
            _drop(client)
        result.problem(sentence)
        _record(name, last_error=sentence, error_at=clock.now(), last_result=result.summary())
        return result
    _record(name, fetched_at=clock.now(), last_result=result.summary(), last_error="")
    return result


def _drop(client: imaplib.IMAP4) -> None:
    """A connection that broke is closed, not logged out of: after garbage or a cut the
    stream is out of step, and a LOGOUT on it waits a whole timeout for an answer."""
    client.state = "LOGOUT"
    try:
        client.shutdown()
    except OSError:
        pass


def _sentence(exc: Exception, mailbox: str, during: str = "") -> str:
    if isinstance(exc, FetchError):
        return str(exc)
    during = during or f"while {mailbox} was read"
    if isinstance(exc, socket.timeout | TimeoutError):
        return f"The IMAP server stopped answering {during}; the run stopped."
    kept = "what was stored before is kept and the next run goes on from there."
    if isinstance(exc, imaplib.IMAP4.abort) and "unexpected response" in _text(exc.args[:1]):
        return f"The IMAP server answered with something that is not IMAP {during}; {kept}"
    if isinstance(exc, imaplib.IMAP4.abort | OSError):
        return (
            f"The connection to the IMAP server was lost {during} "
            f"({_text(exc.args[0]) if exc.args else type(exc).__name__}); {kept}"
        )
    return f"The IMAP server refused a command on {mailbox}: {_said(exc)}."


def _said(exc: Exception) -> str:
    """The server's own words of imaplib's "UID command error: BAD [b'...']"."""
    text = _text(exc.args[0] if exc.args else exc)
    match = _COMMAND_ERROR.search(text)
    return _text(match.group(1)) if match else text


def _fetch(client, settings: ImapSettings, mailbox: str, name: str, result: Result) -> None:
    status, data = client.select(_quoted(mailbox), readonly=True)
    if status != "OK":
        raise FetchError(f"The mailbox {mailbox} could not be opened: {_text(data)}.")
    status, data = client.response("UIDVALIDITY")
    match = _UIDVALIDITY.search(b"UIDVALIDITY " + (data[0] if data and data[0] else b""))
    if not match:
        raise FetchError(f"The IMAP server gave no UIDVALIDITY for {mailbox}.")
    uidvalidity = int(match.group(1))
    with write_transaction("forums"):
        row, _ = ForumMailbox.get_or_create(name=name)
    last_uid = row.last_uid
    if row.uidvalidity is not None and row.uidvalidity != uidvalidity:
        result.problem(
            f"The UIDVALIDITY of {mailbox} changed from {row.uidvalidity} to {uidvalidity}; it "
            "was read again from the start, and messages already stored were recognised."
        )
        last_uid = 0
    sizes = _sizes(client, last_uid)
    known = known_lists()
    uids = sorted(sizes)
    for start in range(0, len(uids), settings.batch):
        batch = uids[start : start + settings.batch]
        fetched = [(uid, _body(client, uid, sizes[uid], settings.max_bytes)) for uid in batch]
        with write_transaction("forums"):
            done = Result()
            for uid, (raw, note) in fetched:
                where = f"{mailbox} UID {uid}"
                if note:
                    done.problem(f"{where}: {note}")
                done.add(take_in(raw, None, known, where))
            index_threads(done)
            ForumMailbox.update(uidvalidity=uidvalidity, last_uid=batch[-1]).where(
                ForumMailbox.id == row.id
            ).execute()
        result.add(done)
    if not uids:
        ForumMailbox.update(uidvalidity=uidvalidity, last_uid=last_uid).where(
            ForumMailbox.id == row.id
        ).execute()


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _sizes(client, last_uid: int) -> dict[int, int]:
    status, data = client.uid("FETCH", f"{last_uid + 1}:*", "(RFC822.SIZE)")
    if status != "OK":
        raise FetchError(f"The IMAP server refused to list new messages: {_text(data)}.")
    sizes: dict[int, int] = {}
    for item in data or []:
        line = item[0] if isinstance(item, tuple) else item
        if not line:
            continue
        uid, size = _UID.search(line), _SIZE.search(line)
        if uid and size and int(uid.group(1)) > last_uid:  # "n:*" gives the last one when none
            sizes[int(uid.group(1))] = int(size.group(1))
    return sizes


def _body(client, uid: int, size: int, max_bytes: int) -> tuple[bytes, str]:
    """The raw message; over ``max_bytes`` only its first ``max_bytes`` (a partial fetch), so
    its headers and text are kept and only the tail of its attachments is not read."""
    part = "BODY.PEEK[]" if size <= max_bytes else f"BODY.PEEK[]<0.{max_bytes}>"
    status, data = client.uid("FETCH", str(uid), f"({part})")
    if status != "OK":
        raise FetchError(f"The IMAP server refused to give message UID {uid}: {_text(data)}.")
    pieces = [item[1] for item in data or [] if isinstance(item, tuple)]
    if not pieces:  # taken as an empty message, it was refused and the cursor went past it
        raise FetchError(
            f"The IMAP server answered the fetch of message UID {uid} without the message; "
            "the run stopped and the next run asks for it again."
        )
    raw = b"".join(pieces)
    note = ""
    if size > max_bytes:
        note = (
            f"the message is {size / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.1f} MB; "
            "its first part was read, so its attachments are incomplete."
        )
    return raw, note
