"""Wiki: the columns and tables added after the initial schema, and the full-text index.

SQLite: an external-content FTS5 table ``page_fts`` over ``page(title, body_text)`` kept in
step by triggers, so every save updates the index in the same transaction.
PostgreSQL: a stored generated ``tsvector`` column ``page.search_vector`` (title weighted A,
text B) with a GIN index. Both index the words as written (no stemming: ``unicode61`` and the
``simple`` configuration), because the search box matches word prefixes as-you-type and a
stemmed index cannot match a prefix like "delegat" against "delegation" (stored "deleg").
Every step is a no-op where the thing exists.
"""

from __future__ import annotations

import peewee

from dmsu.core import clock
from dmsu.core.db import UTCDateTimeField
from dmsu.core.schema import add_column_if_missing

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS page_fts USING fts5("
    "title, body_text, content='page', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS page_fts_insert AFTER INSERT ON page BEGIN "
    "INSERT INTO page_fts(rowid, title, body_text) VALUES (new.id, new.title, new.body_text); "
    "END",
    "CREATE TRIGGER IF NOT EXISTS page_fts_delete AFTER DELETE ON page BEGIN "
    "INSERT INTO page_fts(page_fts, rowid, title, body_text) "
    "VALUES ('delete', old.id, old.title, old.body_text); END",
    "CREATE TRIGGER IF NOT EXISTS page_fts_update AFTER UPDATE OF title, body_text ON page BEGIN "
    "INSERT INTO page_fts(page_fts, rowid, title, body_text) "
    "VALUES ('delete', old.id, old.title, old.body_text); "
    "INSERT INTO page_fts(rowid, title, body_text) VALUES (new.id, new.title, new.body_text); "
    "END",
    "INSERT INTO page_fts(page_fts) VALUES ('rebuild')",
)

POSTGRES_FTS = (
    "ALTER TABLE page ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(body_text, '')), 'B')) STORED",
    "CREATE INDEX IF NOT EXISTS page_search_vector ON page USING GIN (search_vector)",
)


def up(db, migrator):
    from dmsu.wiki.models import PageTag

    add_column_if_missing("page", "body_text", peewee.TextField(default=""))
    add_column_if_missing("page", "changed_at", UTCDateTimeField(default=clock.now))
    add_column_if_missing("page", "updated_by_id", peewee.IntegerField(null=True))
    add_column_if_missing("revision", "tags", peewee.TextField(default=""))
    db.create_tables([PageTag])
    db.execute_sql("CREATE INDEX IF NOT EXISTS revision_created_at ON revision (created_at)")
    statements = POSTGRES_FTS if isinstance(db.obj, peewee.PostgresqlDatabase) else SQLITE_FTS
    for statement in statements:
        db.execute_sql(statement)
