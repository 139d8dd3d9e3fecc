"""JSON from outside the site, checked for text no database can store.

JSON may carry an escaped lone surrogate (``"\\ud800"``): Python's parser accepts it and makes
a string that cannot be encoded as UTF-8, so SQLite's driver raises ``UnicodeEncodeError``
and PostgreSQL's COPY refuses the row. Every reader of JSON that is stored (the API's bodies,
the import file's lines) asks :func:`lone_surrogate_at` for the field to name in its one
sentence (hardening round 2: import-tickets answered such a line with a traceback). What the
site reads from another system it does not refuse but mends (:func:`with_lone_surrogates_replaced`:
U+FFFD, as a decoder marks what it could not read), so one odd mail cannot stop a poll for ever.
"""

from __future__ import annotations

import re

MESSAGE = "holds text that is not Unicode (a lone surrogate like \\ud800)"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a parsed pair is one character already


def may_hold_lone_surrogate(raw: str) -> bool:
    """Whether JSON text ``raw`` escapes a surrogate at all (a cheap test before the walk; a
    pair, like an emoji's, is fine and makes the walk find nothing)."""
    return _SURROGATE_ESCAPE.search(raw) is not None


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def lone_surrogate_at(value) -> str | None:
    """The path (``subject``, ``events[3].text``) of the first string of the parsed JSON
    ``value``, key or value, that is not Unicode; ``""`` for the value itself; None if none."""
    stack = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if not _is_unicode(item):
                return path
        elif isinstance(item, dict):
            for key, inner in item.items():
                if isinstance(key, str) and not _is_unicode(key):
                    return f"{path}.<key>" if path else "<key>"
                stack.append((inner, f"{path}.{key}" if path else str(key)))
        elif isinstance(item, list):
            stack.extend((inner, f"{path}[{n}]") for n, inner in enumerate(item))
    return None


def with_lone_surrogates_replaced(value):
    """The parsed JSON ``value`` with every lone surrogate in its strings (keys too) replaced
    by U+FFFD; the same object when it holds none."""
    if lone_surrogate_at(value) is None:
        return value
    return _replaced(value)


def _replaced(value):
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replaced(item) for item in value]
    if isinstance(value, dict):
        return {_replaced(key): _replaced(item) for key, item in value.items()}
    return value
