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
  The split is one ``regexp_replace`` per column (issue 19's fifth run): it gives the text
  the three ``translate()`` calls of m1000 gave, about ten times faster per write; m1500
  turns a column made with ``translate()`` into this one (:func:`replace_legacy_vector`).

:func:`rebuild` drops and makes the index again from the documents (after a change of
tokenizer or configuration); the documents themselves are made again by
:func:`dmsu.search.rebuild.rebuild_all`.
"""

from __future__ import annotations

from dmsu.core.db import database, is_postgres

TOKENIZE = "porter unicode61 remove_diacritics 2"
CONFIGURATION = "english"
# The 32 ASCII punctuation characters (!-/ :-@ [-` {-~), each turned into a space before
# PostgreSQL's parser, as FTS5's unicode61 splits there. One regular expression per column:
# measured ten times cheaper per write than translate() with the same characters.
PUNCTUATION_CLASS = r"[!-/:-@\[-`{-~]"
# What m1000 made before m1500 (translate(), the same text): kept to recognise and test it
LEGACY_PUNCTUATION = "!\"#$%&''()*+,-./:;<=>?@[\\]^_`{|}~"
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


def punctuation_split(column: str) -> str:
    return f"regexp_replace(coalesce({column}, ''), '{PUNCTUATION_CLASS}', ' ', 'g')"


def legacy_punctuation_split(column: str) -> str:
    spaces = " " * 32
    # '%' doubled: psycopg2 reads the statement as a format string
    punctuation = LEGACY_PUNCTUATION.replace("%", "%%")
    return f"translate(coalesce({column}, ''), '{punctuation}', '{spaces}')"


def vector_expression(words=punctuation_split) -> str:
    """The ``tsvector`` of a document's title (A), body (B) and diary (C), its text split by
    ``words`` (this module's ``regexp_replace``, or m1000's former ``translate()``)."""
    return " || ".join(
        f"setweight(to_tsvector('{CONFIGURATION}', {words(column)}), '{weight}')"
        for column, weight in (("title", "A"), ("body", "B"), ("diary", "C"))
    )


def _index(words) -> tuple[str, str]:
    return (
        "ALTER TABLE search_document ADD COLUMN IF NOT EXISTS search_vector tsvector "
        f"GENERATED ALWAYS AS ({vector_expression(words)}) STORED",
        "CREATE INDEX IF NOT EXISTS search_document_vector ON search_document "
        "USING GIN (search_vector)",
    )


POSTGRES_INDEX = _index(punctuation_split)
# m1000's column before m1500: what m1500 replaces (its tests make it)
LEGACY_POSTGRES_INDEX = _index(legacy_punctuation_split)
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


def stored_vector_expression(db=database) -> str | None:
    """PostgreSQL's own text of the generated column's expression (None where it is missing)."""
    row = db.execute_sql(
        "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
        "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
        "WHERE d.adrelid = 'search_document'::regclass AND a.attname = 'search_vector'"
    ).fetchone()
    return row[0] if row else None


def replace_legacy_vector(db=database) -> bool:
    """Where the column still splits with m1000's ``translate()``, drop it and its GIN index
    and make both again with :data:`POSTGRES_INDEX` (the same vectors), in one transaction;
    True if it did. A no-op on SQLite and where the column is already this module's."""
    if not is_postgres():
        return False
    expression = stored_vector_expression(db)
    if expression is None or "translate(" not in expression:
        return False
    rebuild(db)
    return True
