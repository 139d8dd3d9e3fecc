"""The one search index (:mod:`dmsu.core.search`): the ``search_document`` table and the
full-text index of each database over it, then every area's documents written into it.
A no-op where they exist (a fresh database gets the table from m0001)."""

from __future__ import annotations


def up(db, migrator):
    from dmsu.core.search import schema
    from dmsu.core.search.models import SearchDocument
    from dmsu.search.rebuild import rebuild_all

    db.create_tables([SearchDocument])
    schema.create(db)
    rebuild_all(index=False)
