"""Ticket text to stored HTML, fast enough for bulk imports.

Every text goes through the one markdown path, :func:`dmsu.core.markdown.render_markdown`
(the one-markdown-path rule). Parsing every text of a large import through it would alone
take minutes. Two shortcuts keep
the result byte-for-byte the same (pinned by ``tests/tickets/test_import_html.py``):

- plain prose — lines that start with a letter and hold only letters, digits, spaces and
  punctuation that markdown, wiki links and ticket refs leave alone — renders as paragraphs
  split at blank lines, with nothing to escape;
- anything else is rendered by ``render_markdown`` and remembered for the rest of the run
  (ticket diaries repeat a lot of boilerplate text).

Imported text comes from another system (the helpdesk), so a text the markdown path refuses
(too complex to render within its budget) is kept and shown as plain escaped paragraphs
(``render_plain``) instead of failing the import; the lengths were checked by the format
(``dmsu.tickets.exchange.records``), which names the line and field.
"""

from __future__ import annotations

import re
from functools import lru_cache

from dmsu.core.markdown import MarkdownRefused, render_markdown, render_plain

_PLAIN_LINE = re.compile(r"[A-Za-z][A-Za-z0-9 .,;:!?()'/%=+@-]*")


def _plain_paragraphs(text: str) -> list[str] | None:
    paragraphs, current = [], []
    for line in text.split("\n"):
        if not line:
            if current:
                paragraphs.append("\n".join(current))
                current = []
            continue
        if not _PLAIN_LINE.fullmatch(line) or line.endswith(" "):
            return None
        current.append(line)
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


@lru_cache(maxsize=20000)
def _rendered(text: str) -> str:
    try:
        return render_markdown(text)
    except MarkdownRefused:
        return render_plain(text)


def ticket_html(text: str) -> str:
    """The sanitised HTML of a description or comment (what ``render_markdown`` gives)."""
    if not text:
        return ""
    paragraphs = _plain_paragraphs(text.strip("\n"))
    if paragraphs is not None:
        return "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return _rendered(text)
