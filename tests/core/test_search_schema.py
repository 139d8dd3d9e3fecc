"""The PostgreSQL column's split of the text at punctuation (dmsu/core/search/schema.py) and
migration m1500: one ``regexp_replace`` gives, for every string, the text and the vectors
m1000's three ``translate()`` calls gave; m1500 brings a column made with ``translate()`` to
the new expression with the same vectors and its GIN index; elsewhere it changes nothing."""

from __future__ import annotations

import string

import pytest

from dmsu.core.db import database, is_postgres
from dmsu.core.search import engine, schema
from dmsu.core.search.documents import Document, put
from dmsu.core.search.query import parse
from dmsu.migrations import m1500_search_vector

TRICKY = [
    *string.punctuation,  # every ASCII punctuation character alone
    *(f"left{c}right" for c in string.punctuation),  # ... and between two words
    string.punctuation,
    string.printable,
    "CREAM-CE",
    "glite-wms-wmproxy",
    "/opt/glite/etc/glite-wms/wms.conf",
    "C:\\Program Files\\dCache\\log.txt",
    "3.2.1-4",
    "v1.2.3_rc4",
    "storm-backend-server-1.11.22-1.el7.x86_64",
    "user.name+tag@example.org",
    "https://ggus.eu/?mode=ticket_info&ticket_id=98001#top",
    "100% done; 50%s left %(x)s %%",
    "'quoted' \"double\" `back`",
    "Ünïcödé façade naïve café Größe",
    "Ελληνικά κείμενα и русский текст",
    "日本語のテキスト 中文",
    "em—dash «guillemets» … ‘curly’ “quotes” ！fullwidth？",
    "non\u00a0breaking\u2009thin space",
    "emoji 🚀 rocket",
    "tabs\tand\nnew\r\nlines",
    "failing failed fails",
    "",
    "   ",
    None,
]


@pytest.fixture
def postgres_only(app):
    if not is_postgres():
        pytest.skip("the generated tsvector column is PostgreSQL's; SQLite has FTS5")


def both(sql_of_new: str, sql_of_legacy: str, title, body, diary):
    return database.execute_sql(
        f"SELECT {sql_of_new}, {sql_of_legacy} "
        "FROM (VALUES (%s::text, %s::text, %s::text)) AS d(title, body, diary)",
        (title, body, diary),
    ).fetchone()


def test_the_split_gives_translates_text_and_vectors(postgres_only):
    """Every tricky string, each in title, body and diary: one test (on SQLite one skip, not
    ninety), every difference listed."""
    differ = []
    for text in TRICKY:
        new, legacy = both(
            schema.punctuation_split("title"), schema.legacy_punctuation_split("title"), text, 0, 0
        )
        if new != legacy:
            differ.append((text, "split", new, legacy))
        for row in ((text, text, text), (text, None, None), (None, text, None), (None, None, text)):
            new, legacy = both(
                f"({schema.vector_expression()})::text",
                f"({schema.vector_expression(schema.legacy_punctuation_split)})::text",
                *row,
            )
            if new != legacy:
                differ.append((row, "vector", new, legacy))
    assert differ == []


def test_the_split_does_split(postgres_only):
    split = schema.punctuation_split("title")
    new, vector = both(split, f"({schema.vector_expression()})::text", "CREAM-CE/x.conf", "", "")
    assert new == "CREAM CE x conf"
    assert vector == "'ce':2A 'conf':4A 'cream':1A 'x':3A"


def test_a_written_document_gets_the_new_vector(postgres_only):
    put([Document("tickets", "1", "CREAM-CE fails", "see /var/log/x.log", "v1.2.3")])
    stored, legacy = database.execute_sql(
        "SELECT search_vector::text, "
        f"({schema.vector_expression(schema.legacy_punctuation_split)})::text "
        "FROM search_document"
    ).fetchone()
    assert stored == legacy
    assert "translate(" not in schema.stored_vector_expression()
    assert "regexp_replace(" in schema.stored_vector_expression()


def make_legacy_column() -> None:
    for statement in (*schema.POSTGRES_DROP, *schema.LEGACY_POSTGRES_INDEX):
        database.execute_sql(statement)


def index_of_the_column():
    return database.execute_sql(
        "SELECT i.indexrelid, a.attnum FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE c.relname = 'search_document_vector' AND a.attname = 'search_vector'"
    ).fetchone()


def test_m1500_brings_a_translate_column_to_the_new_one(postgres_only):
    try:
        make_legacy_column()
        assert "translate(" in schema.stored_vector_expression()
        put(
            Document("tickets", str(n), text or "", text or "", text or "")
            for n, text in enumerate(TRICKY)
        )
        before = dict(database.execute_sql("SELECT key, search_vector::text FROM search_document"))
        with database.atomic():
            m1500_search_vector.up(database, None)
        expression = schema.stored_vector_expression()
        assert "translate(" not in expression and "regexp_replace(" in expression
        after = dict(database.execute_sql("SELECT key, search_vector::text FROM search_document"))
        assert after == before and len(after) == len(TRICKY)
        assert index_of_the_column() is not None
        hits = engine.find(parse("glite-wms wmproxy"), ("staff",)).hits
        assert [hit.key for hit in hits] == [str(TRICKY.index("glite-wms-wmproxy"))]
    finally:
        schema.replace_legacy_vector(database)  # the next tests get the new column either way


def test_m1500_changes_nothing_on_a_fresh_database(app):
    if is_postgres():
        before = (schema.stored_vector_expression(), index_of_the_column())
        assert "translate(" not in before[0]
        assert schema.replace_legacy_vector(database) is False
        m1500_search_vector.up(database, None)
        assert (schema.stored_vector_expression(), index_of_the_column()) == before
    else:
        read = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
        before = database.execute_sql(read).fetchall()
        assert schema.replace_legacy_vector(database) is False
        m1500_search_vector.up(database, None)
        assert database.execute_sql(read).fetchall() == before
