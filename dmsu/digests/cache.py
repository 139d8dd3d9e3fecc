"""What the public digest pages and the feed serve, kept in the ``digests`` cache of the one
store (:mod:`dmsu.core.cache`) and emptied for a week on its publication.

A key always carries what its value was made from (the revision, the feed's stamp, the text
of a ticket's fields), so several worker processes never serve a stale value for longer than
one request; the database's generation keeps two databases (two tests) apart.
"""

from __future__ import annotations

import dmsu.core.cache.registry as registry
from dmsu.core.db import generation

MAX_ITEMS = 1024
_CACHE = registry.Cache("digests", max_entries=MAX_ITEMS)


def get(key: tuple):
    return _CACHE.get((generation(), *key))


def put(key: tuple, value) -> None:
    _CACHE.put((generation(), *key), value)


def forget(week: str | None = None) -> None:
    """Drop what was cached for ``week`` and every feed (``None``: everything)."""
    if week is None:
        _CACHE.clear()
        return
    _CACHE.store().discard_where(lambda key: key[1] == "feed" or week in key[1:])
