"""Ranking, visibility, filters and snippets of the one index (dmsu/core/search/engine.py),
the same answers on SQLite FTS5 and PostgreSQL tsvector."""

from __future__ import annotations

from datetime import UTC, datetime

from dmsu.core.db import database, is_postgres
from dmsu.core.search import engine
from dmsu.core.search.documents import Document, put, remove
from dmsu.core.search.engine import Filters
from dmsu.core.search.query import parse

BOTH = ("public", "staff")


def keys(found) -> list[str]:
    return [hit.key for hit in found.hits]


def test_title_ranks_above_body_above_diary(app):
    put(
        [
            Document("tickets", "3", "Other", "nothing", "the dcache pool filled up"),
            Document("tickets", "1", "dcache pool full", "nothing", "nothing"),
            Document("tickets", "2", "Other", "the dcache pool filled up", "nothing"),
        ]
    )
    assert keys(engine.find(parse("dcache pool"), BOTH)) == ["1", "2", "3"]


def test_a_boost_lifts_an_equal_match(app):
    put(
        [
            Document("tickets", "1", "dcache pool full", "x"),
            Document("tickets", "2", "dcache pool full", "x", boost=1.6),
        ]
    )
    assert keys(engine.find(parse("dcache pool"), BOTH)) == ["2", "1"]


def test_the_public_never_finds_a_staff_document_not_even_in_the_count(app):
    put(
        [
            Document("wiki", "open", "zeppelin marker", audience="public"),
            Document("wiki", "inside", "zeppelin marker", audience="staff"),
        ]
    )
    public = engine.find(parse("zeppelin"), ("public",))
    assert (public.total, keys(public)) == (1, ["open"])
    assert engine.find(parse("zeppelin"), BOTH).total == 2


def test_filters_by_area_component_status_and_date(app):
    day = datetime(2013, 2, 11, tzinfo=UTC)
    later = datetime(2013, 5, 1, tzinfo=UTC)
    put(
        [
            Document("tickets", "1", "argus crash", component_id=7, status="solved", at=day),
            Document("tickets", "2", "argus crash", component_id=8, status="new", at=later),
            Document("wiki", "w", "argus crash", component_id=7, at=day),
        ]
    )
    query = parse("argus")
    assert keys(engine.find(query, BOTH, Filters(areas=("wiki",)))) == ["w"]
    assert sorted(keys(engine.find(query, BOTH, Filters(component_id=7)))) == ["1", "w"]
    assert keys(engine.find(query, BOTH, Filters(statuses=("new",)))) == ["2"]
    assert keys(engine.find(query, BOTH, Filters(since=later))) == ["2"]
    assert sorted(keys(engine.find(query, BOTH, Filters(until=later)))) == ["1", "w"]
    assert keys(
        engine.find(query, BOTH, Filters(areas=("tickets",), exclude=(("tickets", "1"),)))
    ) == ["2"]


def test_snippets_mark_the_match_and_escape_the_text(app):
    put([Document("wiki", "x", "A <b>title</b>", "before <script>alert(1)</script> quasar after")])
    hit = engine.find(parse("quasar"), BOTH).hits[0]
    assert "<mark>quasar</mark>" in hit.snippet_html
    assert "<script" not in hit.snippet_html  # escaped (SQLite) or dropped as a tag (PostgreSQL)
    assert "&lt;b&gt;" in hit.title_html


def test_paging_and_any_phrase(app):
    put([Document("tickets", str(n), f"nebula {n}") for n in range(1, 8)])
    first = engine.find(parse("nebula"), BOTH, limit=3)
    second = engine.find(parse("nebula"), BOTH, offset=3, limit=3)
    assert first.total == second.total == 7
    assert len(first.hits) == len(second.hits) == 3 and not set(keys(first)) & set(keys(second))
    assert engine.find(parse("nebula nothinghere"), BOTH).total == 0
    assert engine.find(parse("nebula nothinghere"), BOTH, any_phrase=True).total == 7


def test_a_document_put_again_replaces_the_old_and_remove_takes_it_out(app):
    put([Document("wiki", "x", "first words")])
    put([Document("wiki", "x", "second words")])
    assert engine.find(parse("first"), BOTH).total == 0
    assert engine.find(parse("second"), BOTH).total == 1
    remove("wiki", ["x"])
    assert engine.find(parse("second"), BOTH).total == 0


def test_counting_and_ranking_stop_at_the_limit_newest_first(app, monkeypatch):
    monkeypatch.setattr(engine, "COUNT_LIMIT", 4)
    monkeypatch.setattr(engine, "RANK_LIMIT", 3)
    put([Document("tickets", str(n), f"galaxy {n}") for n in range(1, 8)])
    put([Document("wiki", "w", "galaxy page")])
    found = engine.find(parse("galaxy"), BOTH, limit=10)
    assert found.capped and found.total == 5  # the limit and one more: "more than 4"
    assert len(found.hits) == 3  # ranked: the newest 3 of the counted matches
    if not is_postgres():  # FTS5 reads newest first; PostgreSQL as its GIN index yields
        assert set(keys(found)) == {"w", "7", "6"}
    in_tickets = engine.find(parse("galaxy"), BOTH, Filters(areas=("tickets",)), limit=10)
    assert len(in_tickets.hits) == 3 and {h.area for h in in_tickets.hits} == {"tickets"}


def test_document_frequencies_stop_past_the_limit(app, monkeypatch):
    monkeypatch.setattr(engine, "DF_LIMIT", 3)
    put([Document("tickets", str(n), f"zinc failure {n}") for n in range(1, 41)])
    put([Document("wiki", "a", "cobalt notes"), Document("wiki", "b", "cobalt zinc")])
    expected = {"zinc": 4, "cobalt": 2, "argon": 0, "failures": 4}
    assert engine.document_frequencies(("zinc", "cobalt", "argon", "failures")) == expected
    if is_postgres():  # with the planner's statistics: the common words not counted
        database.execute_sql("ANALYZE search_document")
        assert engine.document_frequencies(tuple(expected)) == expected
        remove("tickets", [str(n) for n in range(1, 41)])  # the statistics still say common
        assert engine.document_frequencies(("zinc", "failures")) == {"zinc": 4, "failures": 4}


def test_one_pass_counts_and_ranks_as_the_two_passes_do(app, monkeypatch):
    """Without an area filter the ranks come from the counting pass itself
    (engine._one_pass): the same counts, hits and ranks as the two passes, at a limit that
    cuts the matches and at one that does not."""
    put(
        [
            Document("tickets", str(n), f"pulsar {'drift ' * (n % 4)}", f"pulsar body {n}",
                     "pulsar" if n % 3 else "", boost=1.6 if n % 5 == 0 else 1.0)
            for n in range(1, 31)
        ]
    )  # fmt: skip
    put([Document("wiki", "p", "pulsar drift notes", audience="public")])

    def found(limit: int):
        monkeypatch.setattr(engine, "COUNT_LIMIT", limit)
        monkeypatch.setattr(engine, "RANK_LIMIT", limit)
        result = engine.find(parse("pulsar drift"), BOTH, limit=40)
        return result.total, result.by_area, [(h.key, round(h.rank, 9)) for h in result.hits]

    for limit in (8, 100):
        one = found(limit)
        monkeypatch.setattr(engine, "_one_pass", lambda *_: False)
        assert found(limit) == one
        monkeypatch.undo()
        assert one[0] == (9 if limit == 8 else 24)  # "more than 8" counts the 9th
    assert len(found(8)[2]) == 8
