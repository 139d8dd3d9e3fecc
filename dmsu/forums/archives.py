"""Back-filling a list from its archive files (issue 21, item 1): mbox (Mailman's pipermail,
HyperKitty's ``export/<name>.mbox.gz``, public-inbox's ``t.mbox.gz``), read by the standard
library's :mod:`mailbox`, and LISTSERV "notebook" archives (``LIST.LOGyymm``, as JISCMail
serves lcg-rollout), whose messages are separated by lines of '=' signs.

Both go through :func:`dmsu.forums.ingest.take_in_all`, so importing a file twice, or a file
overlapping what the IMAP job fetched, stores nothing twice.
"""

from __future__ import annotations

import gzip
import mailbox
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dmsu.forums.ingest import Result, take_in_all
from dmsu.forums.models import ForumList

_MBOX_FROM = re.compile(rb"^From \S+")
_NOTEBOOK_RULE = re.compile(rb"^={20,}\s*$", re.M)
_HEADER = re.compile(rb"^[!-9;-~]+:", re.M)


class ArchiveError(ValueError):
    """The file cannot be read as the archive it should be; one sentence."""


def kind_of(path: Path) -> str:
    """``mbox`` or ``listserv``, by the file's first bytes (not its name)."""
    head = _open(path).read(4096)
    if _MBOX_FROM.match(head):
        return "mbox"
    if _NOTEBOOK_RULE.search(head):
        return "listserv"
    if _HEADER.match(head):
        return "mbox"  # an mbox whose first separator is missing: read, with a sentence
    raise ArchiveError(f"{path.name} is neither an mbox file nor a LISTSERV notebook.")


def _open(path: Path):
    if not path.is_file():
        raise ArchiveError(f"{path} is not a file.")
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else path.open("rb")


def import_file(path: Path, forum_list: ForumList, *, kind: str | None = None) -> Result:
    """Every message of the archive at ``path`` into ``forum_list``'s threads."""
    kind = kind or kind_of(path)
    if kind == "listserv":
        with _open(path) as stream:
            data = stream.read()
        return take_in_all(notebook_messages(data, path.name), forum_list)
    return _import_mbox(path, forum_list)


def _import_mbox(path: Path, forum_list: ForumList) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "archive.mbox"
        with _open(path) as source, plain.open("wb") as target:
            shutil.copyfileobj(source, target)
        with plain.open("rb") as probe:
            first = probe.readline()
        notes: list[str] = []
        if not _MBOX_FROM.match(first):
            data = plain.read_bytes()
            notes.append(
                f"{path.name} does not begin with an mbox 'From ' line; the text before the first "
                "separator was read as one message."
            )
            plain.write_bytes(b"From unknown  Thu Jan  1 00:00:00 1970\n" + data)
        box = mailbox.mbox(plain, create=False)
        try:
            result = take_in_all(_mbox_messages(box, path.name), forum_list)
        finally:
            box.close()
    for note in notes:
        result.problem(note)
    return result


def _mbox_messages(box: mailbox.mbox, name: str) -> Iterator[tuple[str, bytes]]:
    for number, key in enumerate(box.iterkeys(), start=1):
        yield f"{name} message {number}", box.get_bytes(key)


def notebook_messages(data: bytes, name: str) -> Iterator[tuple[str, bytes]]:
    """The messages of a LISTSERV notebook: the parts between lines of '=' signs that hold a
    header (the rule before the first message and after the last leave empty parts)."""
    number = 0
    for part in _NOTEBOOK_RULE.split(data):
        text = part.lstrip(b"\r\n")
        if not text.strip():
            continue
        number += 1
        yield f"{name} message {number}", text
