"""A small in-process cache for computed metrics, invalidated by new events.

Every entry is stored under its key plus a fingerprint of the data it was made from: the
largest ticket-event id (events are append-only, so any new event changes it), the number of
tickets (a deleted ticket takes its events along), and the support units and components
(a unit's kind or a component's deployment size changes what is counted). One cheap query
reads the fingerprint; an entry made from another fingerprint is simply never found again.

The cache belongs to the database connection object, so two apps (or two tests) never share
entries. Each worker process keeps its own.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from dmsu.core.db import database

T = TypeVar("T")
MAX_ENTRIES = 128

_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def fingerprint() -> tuple:
    """What the metrics are made from, in one query."""
    counts = database.execute_sql(
        "SELECT (SELECT MAX(id) FROM ticket_event), (SELECT COUNT(*) FROM ticket),"
        " (SELECT COUNT(*) FROM component), (SELECT MAX(updated_at) FROM component)"
    ).fetchone()
    units = database.execute_sql("SELECT id, kind, sla_level FROM support_unit ORDER BY id")
    return (*(str(value) for value in counts), hash(tuple(units.fetchall())))


def _store() -> OrderedDict:
    target = database.obj
    with _lock:
        store = _caches.get(target)
        if store is None:
            store = OrderedDict()
            _caches[target] = store
        return store


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """The value for ``key`` made from the current data, computed once."""
    full_key = (key, fingerprint())
    store = _store()
    with _lock:
        if full_key in store:
            store.move_to_end(full_key)
            return store[full_key]
    value = compute()
    with _lock:
        store[full_key] = value
        while len(store) > MAX_ENTRIES:
            store.popitem(last=False)
    return value


def clear() -> None:
    """Forget every entry of the current database."""
    with _lock:
        _caches.pop(database.obj, None)
