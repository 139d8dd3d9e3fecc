"""Making the whole index again: every area's documents from what the database holds now
(after a change of tokenizer, or to check that the index is what the writers made of it)."""

from __future__ import annotations

from dmsu.core.db import database
from dmsu.core.search import schema
from dmsu.core.search.documents import clear
from dmsu.search.areas import AREAS

BATCH = 2000


def rebuild_all(*, index: bool = True) -> dict[str, int]:
    """Write every document again, area by area, each in one transaction; with ``index``
    the full-text index is dropped and made again first. Returns documents per area."""
    if index:
        schema.rebuild()
    written = {}
    for name, area in AREAS.items():
        with database.atomic():
            clear(name)
            ids = area.all_ids()
            written[name] = sum(
                area.reindex(ids[start : start + BATCH]) for start in range(0, len(ids), BATCH)
            )
    return written
