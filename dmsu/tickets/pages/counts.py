"""The totals of the ticket list, remembered per worker (the ``tickets.counts`` cache of the
one store, :mod:`dmsu.core.cache`) until tickets change.

Counting a filter visits every matching row (100,000 for the unfiltered list), while showing
a page reads 50. The same holds for the per-word counts a sort by status or priority pages by
(``queries._ranked_rows``): they are kept here too, under their own key. A total is kept with the ticket data's version — the newest event id (events
are append-only, and every workflow change writes one), the newest ticket id and the latest
``updated_at`` — read in one query of three index look-ups; any new event or ticket gives a
new version, so the next request counts again. The importer can change a field without an
event (a re-imported subject): :data:`MAX_AGE` bounds how long such a total can lag. The
database's generation is part of the key, so two databases (two tests) never share totals.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import dmsu.core.cache.registry as registry
from dmsu.core.db import database, generation

MAX_AGE = 60.0  # seconds
MAX_ENTRIES = 256
_CACHE = registry.Cache("tickets.counts", max_entries=MAX_ENTRIES)


def version() -> tuple:
    """What a ticket-list total is made from, in one cheap query."""
    row = database.execute_sql(
        "SELECT (SELECT MAX(id) FROM ticket_event), (SELECT MAX(id) FROM ticket),"
        " (SELECT MAX(updated_at) FROM ticket)"
    ).fetchone()
    return tuple(str(value) for value in row)


def remembered(key: Hashable, count: Callable[[], int]) -> int:
    """The total for ``key`` at the current version, counted once per version."""
    return _CACHE.cached((generation(), key, version()), count, seconds=MAX_AGE)
