"""The totals of the ticket list, remembered per worker until tickets change.

Counting a filter visits every matching row (100,000 for the unfiltered list), while showing
a page reads 50. A total is kept with the ticket data's version — the newest event id (events
are append-only, and every workflow change writes one), the newest ticket id and the latest
``updated_at`` — read in one query of three index look-ups; any new event or ticket gives a
new version, so the next request counts again. The importer can change a field without an
event (a re-imported subject): :data:`MAX_AGE` bounds how long such a total can lag.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable

from dmsu.core.db import database

MAX_AGE = 60.0  # seconds
MAX_ENTRIES = 256

_stores: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def version() -> tuple:
    """What a ticket-list total is made from, in one cheap query."""
    row = database.execute_sql(
        "SELECT (SELECT MAX(id) FROM ticket_event), (SELECT MAX(id) FROM ticket),"
        " (SELECT MAX(updated_at) FROM ticket)"
    ).fetchone()
    return tuple(str(value) for value in row)


def _store() -> OrderedDict:
    with _lock:
        store = _stores.get(database.obj)
        if store is None:
            store = _stores[database.obj] = OrderedDict()
        return store


def remembered(key: Hashable, count: Callable[[], int]) -> int:
    """The total for ``key`` at the current version, counted once per version."""
    full_key = (key, version())
    store = _store()
    now = time.monotonic()
    with _lock:
        found = store.get(full_key)
        if found is not None and now - found[1] < MAX_AGE:
            store.move_to_end(full_key)
            return found[0]
    total = count()
    with _lock:
        store[full_key] = (total, now)
        while len(store) > MAX_ENTRIES:
            store.popitem(last=False)
    return total
