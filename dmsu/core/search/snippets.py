"""Snippets with the matches marked: the database puts control characters around each match
(stored text holds none), the text is escaped, and only then do the markers become
``<mark>`` — balanced, so a cut snippet never leaves an element open."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

START, STOP = "\x02", "\x03"
_SPLIT = re.compile(f"([{START}{STOP}])")


def marked_html(text: str | None) -> Markup:
    """Escape a database snippet and turn its match markers into ``<mark>`` (balanced)."""
    html, open_mark = Markup(""), False
    for part in _SPLIT.split(text or ""):
        if part == START and not open_mark:
            html, open_mark = html + Markup("<mark>"), True
        elif part == STOP and open_mark:
            html, open_mark = html + Markup("</mark>"), False
        elif part not in (START, STOP):
            html += escape(part)
    return html + Markup("</mark>") if open_mark else html
