"""What a person types becomes a query nothing can break (dmsu/core/search/query.py): pasted
error lines, host names, paths, versions and operator characters, on both databases."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dmsu.core.search import engine
from dmsu.core.search.documents import Document, put
from dmsu.core.search.query import parse


def test_each_pasted_chunk_is_a_phrase_of_its_words():
    query = parse('glite-wms-wmproxy "proxy renewal" CREAM-CE /opt/glite/etc 3.2.1-4')
    assert query.phrases == (
        ("proxy", "renewal"),
        ("glite", "wms", "wmproxy"),
        ("cream", "ce"),
        ("opt", "glite", "etc"),
        ("3", "2", "1", "4"),
    )


def test_operators_and_stray_characters_are_never_operators():
    query = parse('NEAR ( NOT -x : * ^ "unbalanced')
    assert query.phrases == (("near",), ("x",), ("unbalanced",))  # "not": a stop word
    assert query.fts5() == '"near" AND "x" AND "unbalanced"'
    assert parse("OR AND").fts5() == '"or" AND "and"'  # words, never operators


def test_lone_stop_words_are_left_out_unless_nothing_else_is_typed():
    assert parse("error for valid proxies").phrases == (("error",), ("valid",), ("proxies",))
    assert parse("not for").phrases == (("not",), ("for",))
    assert parse('"error for valid"').phrases == (("error", "for", "valid"),)


def test_a_query_of_punctuation_only_is_empty():
    assert not parse(' -- : () "" * ')
    assert engine.find(parse("--"), ("public", "staff")).total == 0


@pytest.mark.parametrize(
    "text, numbers",
    [("91039", (91039,)), ("#91039 crash", (91039,)), ("GGUS 91039", (91039,)),
     ("ggus#91039", (91039,)), ("port 443", ()), ("3.2.1", ()), ("v1234x", ())],
)  # fmt: skip
def test_ticket_numbers_are_recognised(text, numbers):
    assert parse(text).ticket_numbers == numbers


@pytest.fixture
def indexed(app):
    put(
        [
            Document("wiki", "a", "CREAM-CE proxy renewal fails", "see /opt/glite/etc/x.conf"),
            Document("wiki", "b", "glite-wms-wmproxy 3.2.1-4 released", "Connection refused: yes"),
        ]
    )


@pytest.mark.parametrize(
    "text, keys",
    [
        ("CREAM-CE", ["a"]),
        ("cream ce", ["a"]),
        ("glite-wms-wmproxy", ["b"]),
        ("/opt/glite/etc", ["a"]),
        ("3.2.1-4", ["b"]),
        ('"Connection refused:"', ["b"]),
        ("renewals failing", ["a"]),  # English stems on both databases
        ("ce-cream", []),  # a chunk is a phrase: its words in order
    ],
)
def test_pasted_text_finds_what_holds_it_on_both_databases(indexed, text, keys):
    found = engine.find(parse(text), ("staff", "public"))
    assert sorted(hit.key for hit in found.hits) == keys


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=80))
def test_no_input_breaks_the_query(indexed, text):
    found = engine.find(parse(text), ("staff", "public"))
    assert found.total >= 0
