"""Full-text search: ranking, prefixes, highlighted and escaped snippets, visibility in the
query, the htmx partial and the plain form (SQLite FTS5 and PostgreSQL tsvector alike)."""

from __future__ import annotations

import pytest

from dmsu.wiki import search
from dmsu.wiki.models import Page
from dmsu.wiki.pages import Draft, create_page, save_page


@pytest.fixture
def editor(make_user):
    return make_user("resolver", "rita")


@pytest.fixture
def pages(editor):
    create_page(
        Draft(
            title="CREAM proxy renewal",
            markdown="The delegation service of CREAM loses the proxy after renewal.",
            visibility="public",
        ),
        editor,
    )
    create_page(
        Draft(
            title="dCache pools",
            markdown="Pools fill up; mention of cream only once in passing.",
            visibility="public",
        ),
        editor,
    )
    create_page(
        Draft(title="Internal cream gossip", markdown="cream cream cream secret internal notes"),
        editor,
    )


def test_title_matches_rank_first_and_prefixes_match(pages, editor):
    results = search.search("crea", editor)
    titles = [hit.title for hit in results.hits]
    assert results.total == 3
    assert titles[0] in {"CREAM proxy renewal", "Internal cream gossip"}
    assert titles[-1] == "dCache pools"


def test_every_word_is_required(pages, editor):
    assert [h.title for h in search.search("cream delegation", editor).hits] == [
        "CREAM proxy renewal"
    ]
    assert search.search("cream zebra", editor).total == 0


def test_anonymous_search_never_sees_internal_pages_not_even_in_counts(pages, client):
    results = search.search("cream", None)
    assert results.total == 2
    assert all(hit.visibility == "public" for hit in results.hits)
    html = client.get("/wiki/search?q=gossip").get_data(as_text=True)
    assert "Internal cream gossip" not in html and "secret internal notes" not in html
    assert "0 pages found" in html


def test_snippets_highlight_matches_and_escape_the_text(editor):
    create_page(
        Draft(
            title="Markup <b>title</b>",
            markdown="Text about `<script>alert(1)</script>` and the proxy service.",
            visibility="public",
        ),
        editor,
    )
    results = search.search("proxy", None)
    hit = results.hits[0]
    assert "<mark>" in str(hit.snippet_html).lower()
    assert "proxy</mark>" in str(hit.snippet_html).lower()
    assert "<script" not in str(hit.snippet_html)
    # SQLite keeps the text and it is escaped; PostgreSQL's ts_headline drops tags itself.
    assert "&lt;script&gt;" in str(hit.snippet_html) or "script" not in str(hit.snippet_html)
    assert "<b>" not in str(hit.title_html) and "&lt;b&gt;" in str(hit.title_html)


def test_query_syntax_is_not_passed_through(pages, editor):
    for text in ['"unbalanced', "cream OR", "NEAR(", "*", "a:*|b", "' or 1=1 --", "\\"]:
        results = search.search(text, editor)
        assert results.total >= 0  # no error


def test_the_index_follows_every_save(editor):
    page = create_page(Draft(title="Evolving", markdown="alpha", visibility="public"), editor)
    assert search.search("alpha", None).total == 1
    save_page(page, Draft(title="Evolving", markdown="omega", visibility="public"), editor, 1)
    assert search.search("alpha", None).total == 0
    assert search.search("omega", None).total == 1
    save_page(Page.get_by_id(page.id), Draft(title="Evolving", markdown="omega"), editor, 2)
    assert search.search("omega", None).total == 0
    assert search.search("omega", editor).total == 1


def test_htmx_gets_the_results_partial_and_the_plain_form_the_page(pages, client):
    partial = client.get("/wiki/search?q=cream", headers={"HX-Request": "true"})
    body = partial.get_data(as_text=True)
    assert partial.status_code == 200 and "<html" not in body
    assert "2 pages found" in body and "<mark>" in body
    page = client.get("/wiki/search?q=cream").get_data(as_text=True)
    assert "<html" in page and 'data-hx-trigger="search, keyup changed delay:200ms"' in page
    assert "2 pages found" in page


def test_an_empty_query_shows_no_results(client):
    assert client.get("/wiki/search?q=").status_code == 200
    assert "found" not in client.get("/wiki/search?q=%21%21").get_data(as_text=True)


def test_a_word_prefix_finds_the_whole_word_as_you_type(editor):
    create_page(
        Draft(
            title="Renewal", markdown="Renew the delegation after a change.", visibility="public"
        ),
        editor,
    )
    for typed in ("d", "del", "delegat", "delegation", "REN DELEG"):
        assert search.search(typed, None).total == 1, typed
    assert "<mark>delegation</mark>" in str(search.search("delegat", None).hits[0].snippet_html)
