"""The full-text index over ``search_document``, one per database, kept in step by the
database itself (every insert, update and delete of a document, in the writer's transaction).

- SQLite: an external-content FTS5 table ``search_fts(title, body, diary)`` with triggers,
  tokenized by ``porter unicode61``: words split at every character that is not a letter or a
  digit, diacritics folded, English stems ("failing" finds "failed"). What supporters paste
  becomes a run of words: "CREAM-CE" is ``cream ce``, "glite-wms-wmproxy" is ``glite wms
  wmproxy``, "/var/log/messages" and "1.2.3-4" likewise, so :mod:`.query` matches each pasted
  chunk as a phrase (those words, adjacent, in order).
- PostgreSQL: a stored generated ``tsvector`` column ``search_document.search_vector`` (title
  weighted A, body B, diary C) in the ``english`` configuration, with a GIN index. The text is
  split at punctuation first, as FTS5 splits it: PostgreSQL's own parser would keep
  "/opt/glite/etc/x.conf" or "3.2.1-4" as one token that a pasted part of it never matches,
  and both databases should answer alike. ``phraseto_tsquery`` then reads each chunk's words.

:func:`rebuild` drops and makes the index again from the documents (after a change of
tokenizer or configuration); the documents themselves are made again by
:func:`dmsu.search.rebuild.rebuild_all`.
"""

from __future__ import annotations

from dmsu.core.db import database, is_postgres

TOKENIZE = "porter unicode61 remove_diacritics 2"
CONFIGURATION = "english"
# ASCII punctuation, each turned into a space before PostgreSQL's parser (as FTS5's unicode61
# splits there); translate() is several times cheaper than a regular expression per write
PUNCTUATION = "!\"#$%&''()*+,-./:;<=>?@[\\]^_`{|}~"
DIARY_LIMIT = 200_000  # characters of a diary indexed (PostgreSQL's tsvector holds 1 MB)

_COLUMNS = "title, body, diary"
_NEW = "new.id, new.title, new.body, new.diary"
_OLD = "'delete', old.id, old.title, old.body, old.diary"

SQLITE_INDEX = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    f"{_COLUMNS}, content='search_document', content_rowid='id', tokenize='{TOKENIZE}')",
    "CREATE TRIGGER IF NOT EXISTS search_fts_insert AFTER INSERT ON search_document BEGIN "
    f"INSERT INTO search_fts(rowid, {_COLUMNS}) VALUES ({_NEW}); END",
    "CREATE TRIGGER IF NOT EXISTS search_fts_delete AFTER DELETE ON search_document BEGIN "
    f"INSERT INTO search_fts(search_fts, rowid, {_COLUMNS}) VALUES ({_OLD}); END",
    "CREATE TRIGGER IF NOT EXISTS search_fts_update AFTER UPDATE OF title, body, diary "
    "ON search_document BEGIN "
    f"INSERT INTO search_fts(search_fts, rowid, {_COLUMNS}) VALUES ({_OLD}); "
    f"INSERT INTO search_fts(rowid, {_COLUMNS}) VALUES ({_NEW}); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TABLE IF EXISTS search_fts",
)


def _weighted(column: str, weight: str) -> str:
    spaces = " " * 32
    # '%' doubled: psycopg2 reads the statement as a format string
    words = f"translate(coalesce({column}, ''), '{PUNCTUATION.replace('%', '%%')}', '{spaces}')"
    return f"setweight(to_tsvector('{CONFIGURATION}', {words}), '{weight}')"


POSTGRES_INDEX = (
    "ALTER TABLE search_document ADD COLUMN IF NOT EXISTS search_vector tsvector "
    f"GENERATED ALWAYS AS ({_weighted('title', 'A')} || {_weighted('body', 'B')} || "
    f"{_weighted('diary', 'C')}) STORED",
    "CREATE INDEX IF NOT EXISTS search_document_vector ON search_document "
    "USING GIN (search_vector)",
)
POSTGRES_DROP = (
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS search_vector",
)


def create(db=database) -> None:
    """Make the index where it is missing (a no-op where it exists)."""
    for statement in POSTGRES_INDEX if is_postgres() else SQLITE_INDEX:
        db.execute_sql(statement)


def rebuild(db=database) -> None:
    """Drop the index and make it again from the stored documents, in one transaction."""
    with db.atomic():
        for statement in POSTGRES_DROP if is_postgres() else SQLITE_DROP:
            db.execute_sql(statement)
        create(db)
