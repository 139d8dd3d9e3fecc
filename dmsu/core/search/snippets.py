"""Snippets with the matches marked: the database puts control characters around each match
(stored text holds none), the text is escaped, and only then do the markers become
``<mark>`` — balanced, so a cut snippet never leaves an element open."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

START, STOP = "\x02", "\x03"
_OPEN, _CLOSE = Markup("<mark>"), Markup("</mark>")
_SPLIT = re.compile(f"([{START}{STOP}])")


def marked_html(text: str | None) -> Markup:
    """Escape a database snippet and turn its match markers into ``<mark>`` (balanced)."""
    parts, open_mark = [], False
    for part in _SPLIT.split(text or ""):
        if part == START:
            if not open_mark:
                parts.append(_OPEN)
                open_mark = True
        elif part == STOP:
            if open_mark:
                parts.append(_CLOSE)
                open_mark = False
        elif part:
            parts.append(escape(part))
    if open_mark:
        parts.append(_CLOSE)
    return Markup("").join(parts)  # one join, not a new Markup per part
