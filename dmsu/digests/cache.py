"""A small in-process cache of what the public digest pages and the feed serve, emptied on
publication (and checked against the database's own stamp on each request, so that several
worker processes never serve a stale page for longer than one request: a key always carries
the revision or the feed's last-modified instant it was made from)."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

MAX_ITEMS = 1024

_items: OrderedDict[tuple, object] = OrderedDict()
_lock = Lock()


def get(key: tuple):
    with _lock:
        if key in _items:
            _items.move_to_end(key)
            return _items[key]
    return None


def put(key: tuple, value) -> None:
    with _lock:
        _items[key] = value
        _items.move_to_end(key)
        while len(_items) > MAX_ITEMS:
            _items.popitem(last=False)


def forget(week: str | None = None) -> None:
    """Drop what was cached for ``week`` and every feed (``None``: everything)."""
    with _lock:
        for key in list(_items):
            if week is None or key[0] == "feed" or week in key:
                del _items[key]
