"""A big ticket import on PostgreSQL builds the search index's GIN index once at its end
(dmsu/tickets/exchange/bulk.SearchIndexUpkeep): dropped past the threshold, built again before
the commit, left as it was by an import that fails; a small import keeps it."""

from __future__ import annotations

import json

import pytest

from dmsu.core.db import database, is_postgres
from dmsu.core.search import engine, schema
from dmsu.core.search.query import parse
from dmsu.tickets.exchange import bulk, importer
from dmsu.tickets.exchange.import_file import import_lines
from tests.support.records import history, ticket

INDEX = "search_document_vector"


@pytest.fixture(autouse=True)
def _postgres_only(app):
    if not is_postgres():
        pytest.skip("SQLite's FTS5 index is kept by triggers, never set aside")


def lines(first: int, n: int, *, subject="quasar pump") -> list[str]:
    return [
        json.dumps(ticket(first + k, events=history(), subject=f"{subject} {first + k}"))
        for k in range(n)
    ]


def index_oid():
    return database.execute_sql("SELECT to_regclass(%s)::oid", (INDEX,)).fetchone()[0]


def index_state() -> tuple:
    """The index's definition and whether it is valid and ready."""
    return database.execute_sql(
        "SELECT pg_get_indexdef(i.indexrelid), i.indisvalid, i.indisready FROM pg_index i "
        "WHERE i.indexrelid = to_regclass(%s)",
        (INDEX,),
    ).fetchone()


def through_index(word: str) -> list[str]:
    """The keys the GIN index finds for ``word`` (sequential scans off)."""
    with database.atomic():
        database.execute_sql("SET LOCAL enable_seqscan = off")
        rows = database.execute_sql(
            "SELECT key FROM search_document WHERE search_vector @@ "
            "phraseto_tsquery('english', %s) ORDER BY key",
            (word,),
        ).fetchall()
    return [key for (key,) in rows]


@pytest.fixture
def watched(monkeypatch):
    """Whether the index existed after each batch the writer wrote."""
    seen: list[bool] = []
    write = importer.TicketWriter.write

    def recording(self, records):
        write(self, records)
        seen.append(index_oid() is not None)

    monkeypatch.setattr(importer.TicketWriter, "write", recording)
    monkeypatch.setattr(bulk, "BIG_IMPORT", 4)
    return seen


def test_a_big_import_drops_the_index_and_leaves_one_equal_to_a_rebuild(watched):
    before = index_state()
    assert import_lines(lines(95000, 9), batch_size=2).written
    assert watched == [True, True, False, False, False]  # dropped once 4 were written
    assert index_state() == before
    found = through_index("quasar")
    assert len(found) == 9
    assert engine.find(parse("quasar pump"), ("staff",)).total == 9
    schema.rebuild()
    assert index_state() == before and through_index("quasar") == found


def test_a_failed_big_import_leaves_the_index_as_it_was(watched):
    import_lines(lines(95100, 1), batch_size=2)  # one document there before
    oid, state = index_oid(), index_state()
    bad = [*lines(95200, 6), "{not json", *lines(95300, 2)]
    result = import_lines(bad, batch_size=2)
    assert not result.written and result.problems
    assert watched[1:] == [True, True, False]  # dropped before the bad line was read ...
    assert index_oid() == oid and index_state() == state  # ... and back as it was
    assert through_index("quasar") == ["95100"]


def test_a_small_import_keeps_the_index(watched):
    oid = index_oid()
    assert import_lines(lines(95400, 3), batch_size=2).written
    assert watched == [True, True] and index_oid() == oid


def test_an_import_smaller_than_the_index_keeps_it(watched):
    import_lines(lines(95500, 8, subject="nebula"), batch_size=8)  # 8 documents there, kept
    oid = index_oid()
    assert import_lines(lines(95600, 6), batch_size=2).written  # 6 < the 8 before it
    assert all(watched) and index_oid() == oid
