"""Computed metrics, kept in the ``metrics`` cache of the one store (:mod:`dmsu.core.cache`)
and invalidated by new events.

Every entry is stored under its key plus a fingerprint of the data it was made from: the
largest ticket-event id (events are append-only, so any new event changes it), the number of
tickets (a deleted ticket takes its events along), and the support units and components
(a unit's kind or a component's deployment size changes what is counted). One cheap query
reads the fingerprint; an entry made from another fingerprint is simply never found again.
The database's generation is part of the key, so two databases (two tests) never share
entries; each app (each worker process) has its own store.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import dmsu.core.cache.registry as registry
from dmsu.core.db import database, generation

T = TypeVar("T")
MAX_ENTRIES = 128
_CACHE = registry.Cache("metrics", max_entries=MAX_ENTRIES)


def fingerprint() -> tuple:
    """What the metrics are made from, in one query."""
    counts = database.execute_sql(
        "SELECT (SELECT MAX(id) FROM ticket_event), (SELECT COUNT(*) FROM ticket),"
        " (SELECT COUNT(*) FROM component), (SELECT MAX(updated_at) FROM component)"
    ).fetchone()
    units = database.execute_sql("SELECT id, kind, sla_level FROM support_unit ORDER BY id")
    return (*(str(value) for value in counts), hash(tuple(units.fetchall())))


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """The value for ``key`` made from the current data, computed once."""
    return _CACHE.cached((generation(), key, fingerprint()), compute)
