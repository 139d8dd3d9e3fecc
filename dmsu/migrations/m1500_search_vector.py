"""The PostgreSQL search column split by one ``regexp_replace`` per column instead of three
``translate()`` calls (issue 19, fifth run): the same text, so the same vectors, for about
half of the index's upkeep on every write. Where ``search_document.search_vector`` still
has m1000's former expression, it and its GIN index are dropped and made again (the table is
rewritten, locked, in this migration's transaction). A no-op on SQLite and on a database
whose m1000 already made the new column."""

from __future__ import annotations

from dmsu.core.search import schema


def up(db, migrator):
    schema.replace_legacy_vector(db)
