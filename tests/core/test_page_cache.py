"""The page cache (dmsu/core/cache/pages.py): anonymous public pages are answered from a kept copy
after one query, and never once anything they show has changed — whichever code changed it,
in whichever worker process — nor to anyone with a login."""

from __future__ import annotations

import pytest

from dmsu import create_app
from dmsu.cheatsheet.models import Component
from dmsu.core.db import database
from dmsu.wiki.models import Page
from dmsu.wiki.pages import Draft, create_page
from tests.support.client import DmsuClient
from tests.support.queries import QueryCounter

STAMP_QUERY = 'SELECT area, version FROM "page_cache_stamp"'


def queries_of(client, url: str, method: str = "GET", **kwargs):
    with QueryCounter(at="execute_sql") as counter:
        response = client.open(url, method=method, **kwargs)
    return response, counter.statements


@pytest.fixture
def writer(make_user):
    return make_user("resolver", "rita", display_name="Rita Resolver")


@pytest.fixture
def page(writer):
    return create_page(
        Draft(title="Known issue", markdown="The first text.", visibility="public"), writer
    )


def cached(client, url: str, **kwargs) -> bool:
    """True when ``url`` was answered from the page cache (the stamps query only)."""
    _, queries = queries_of(client, url, **kwargs)
    return queries == [STAMP_QUERY]


def test_a_second_anonymous_view_is_the_same_page_from_one_query(client, page):
    first = client.get("/wiki/known-issue")
    assert first.status_code == 200 and "The first text." in first.get_data(as_text=True)
    assert "Set-Cookie" not in first.headers
    second, queries = queries_of(client, "/wiki/known-issue")
    assert queries == [STAMP_QUERY]
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert "Cookie" in second.headers["Vary"] and "no-cache" in second.headers["Cache-Control"]


def test_any_write_to_a_shown_table_renews_the_page_even_raw_sql(client, page):
    client.get("/wiki/known-issue")
    Page.update(html="<p>Changed behind the views' back.</p>").where(Page.id == page.id).execute()
    assert "Changed behind" in client.get("/wiki/known-issue").get_data(as_text=True)
    database.execute_sql("UPDATE page SET html = '<p>Raw SQL.</p>'")
    assert "Raw SQL." in client.get("/wiki/known-issue").get_data(as_text=True)


def test_another_worker_sees_a_change_made_through_a_third(app, page, login, writer):
    """Two apps stand for two worker processes with their own caches on one database."""
    other = create_app(dict(app.config), instance_path=app.instance_path)
    other.test_client_class = DmsuClient
    reader_a, reader_b = app.test_client(), other.test_client()
    for reader in (reader_a, reader_b):
        assert "The first text." in reader.get("/wiki/known-issue").get_data(as_text=True)
        assert cached(reader, "/wiki/known-issue")
    editor = login(writer)
    html = editor.get("/wiki/known-issue/edit").get_data(as_text=True)
    base = html.split('name="base_revision" value="', 1)[1].split('"', 1)[0]
    response = editor.form(
        "/wiki/known-issue/edit",
        {
            "title": "Known issue",
            "markdown": "The second text.",
            "visibility": "public",
            "base_revision": base,
        },
    )
    assert response.status_code == 302
    for reader in (reader_a, reader_b):
        assert "The second text." in reader.get("/wiki/known-issue").get_data(as_text=True)


def test_logged_in_readers_neither_get_nor_leave_a_kept_page(client, page, login, writer):
    anonymous = client.get("/wiki/known-issue").get_data(as_text=True)
    assert ">Edit</a>" not in anonymous
    editor = login(writer)
    staff = editor.get("/wiki/known-issue")
    assert ">Edit</a>" in staff.get_data(as_text=True)
    assert "no-store" in staff.headers["Cache-Control"]
    fresh = DmsuClient(client.application)
    assert ">Edit</a>" not in fresh.get("/wiki/known-issue").get_data(as_text=True)


def test_a_reader_with_a_session_cookie_is_served_by_the_views(client, page):
    client.get("/wiki/known-issue")
    client.get("/login")  # the login form puts a CSRF token in a session cookie
    assert client.get_cookie("session") is not None
    assert not cached(client, "/wiki/known-issue")


def test_conditional_get_and_head_are_answered_from_the_kept_page(client, page):
    first = client.get("/wiki/known-issue")
    response, queries = queries_of(
        client, "/wiki/known-issue", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert response.status_code == 304 and queries == [STAMP_QUERY] and response.data == b""
    response = client.get(
        "/wiki/known-issue", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert response.status_code == 304
    head, queries = queries_of(client, "/wiki/known-issue", method="HEAD")
    assert head.status_code == 200 and head.data == b"" and queries == [STAMP_QUERY]
    assert head.headers["Content-Length"] == first.headers["Content-Length"]


def test_pages_without_their_own_etag_get_one_and_answer_304(client):
    first = client.get("/cheatsheet/")
    assert first.headers.get("ETag")
    again = client.get("/cheatsheet/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    client.application.extensions["dmsu_page_cache"].clear()
    rendered = client.get("/cheatsheet/", headers={"If-None-Match": first.headers["ETag"]})
    assert rendered.status_code == 304  # the views answer it too


def test_the_htmx_partial_and_the_full_page_are_kept_apart(client, app):
    from dmsu import content

    content.load_all()
    full = client.get("/cheatsheet/?q=cream").get_data(as_text=True)
    partial = client.get("/cheatsheet/?q=cream", headers={"HX-Request": "true"})
    assert "<html" in full and "<html" not in partial.get_data(as_text=True)
    assert cached(client, "/cheatsheet/?q=cream", headers={"HX-Request": "true"})
    assert "<html" in client.get("/cheatsheet/?q=cream").get_data(as_text=True)


def test_a_component_rename_renews_the_cheat_sheet_and_the_wiki_page(client, app, writer):
    from dmsu import content

    content.load_all()
    component = Component.get(Component.slug == "cream-ce")
    create_page(
        Draft(
            title="CREAM notes",
            markdown="Notes.",
            visibility="public",
            component_id=component.id,
        ),
        writer,
    )
    assert "CREAM CE" in client.get("/wiki/cream-notes").get_data(as_text=True)
    assert "CREAM CE" in client.get("/cheatsheet/").get_data(as_text=True)
    Component.update(name="CREAM Computing Element").where(Component.id == component.id).execute()
    assert "CREAM Computing Element" in client.get("/wiki/cream-notes").get_data(as_text=True)
    assert "CREAM Computing Element" in client.get("/cheatsheet/").get_data(as_text=True)


def test_an_editors_new_name_renews_pages_but_a_login_does_not(client, page, writer, login):
    assert "Rita Resolver" in client.get("/wiki/known-issue").get_data(as_text=True)
    login(writer)  # writes last_login_at
    assert cached(client, "/wiki/known-issue")
    writer.display_name = "Rita R."
    writer.save()
    assert "Rita R." in client.get("/wiki/known-issue").get_data(as_text=True)


def test_without_its_stamp_an_area_is_not_kept(client, page):
    database.execute_sql("DELETE FROM page_cache_stamp WHERE area = 'wiki'")
    client.get("/wiki/known-issue")
    assert not cached(client, "/wiki/known-issue")
    Page.update(html="<p>Back.</p>").where(Page.id == page.id).execute()  # writes the stamp
    assert "Back." in client.get("/wiki/known-issue").get_data(as_text=True)
    assert cached(client, "/wiki/known-issue")


def test_a_kept_page_expires(client, page):
    client.get("/wiki/known-issue")
    client.application.extensions["dmsu_page_cache"].entries.expire_all()
    assert not cached(client, "/wiki/known-issue")
    assert cached(client, "/wiki/known-issue")


def test_missing_pages_and_internal_pages_are_not_kept(client, writer):
    create_page(Draft(title="Internal", markdown="Secret.", visibility="internal"), writer)
    for _ in range(2):
        assert client.get("/wiki/internal").status_code == 404
        assert client.get("/wiki/no-such-page").status_code == 404
    assert not client.application.extensions["dmsu_page_cache"].entries


def test_kept_search_results_and_history_follow_new_pages(client, page, writer):
    assert "/wiki/known-issue" in client.get("/wiki/search?q=known").get_data(as_text=True)
    assert "/wiki/known-problem" not in client.get("/wiki/search?q=known").get_data(as_text=True)
    assert cached(client, "/wiki/search?q=known")
    create_page(Draft(title="Known problem", markdown="Text.", visibility="public"), writer)
    assert "/wiki/known-problem" in client.get("/wiki/search?q=known").get_data(as_text=True)
    history = client.get("/wiki/known-issue/history").get_data(as_text=True)
    assert cached(client, "/wiki/known-issue/history")
    assert "Rita Resolver" in history


def test_kept_text_pages_go_gzip_compressed_to_clients_that_accept_it(client, app):
    import gzip

    from dmsu import content

    content.load_all()
    plain = client.get("/cheatsheet/", headers={"Accept-Encoding": "gzip"})
    assert "Accept-Encoding" in plain.headers["Vary"]
    packed = client.get("/cheatsheet/", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 3
    assert packed.headers["ETag"] != plain.headers["ETag"]
    for etag in (plain.headers["ETag"], packed.headers["ETag"]):
        headers = {"Accept-Encoding": "gzip", "If-None-Match": etag}
        assert client.get("/cheatsheet/", headers=headers).status_code == 304
    refused = client.get("/cheatsheet/", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and refused.data == plain.data
    assert "Content-Encoding" not in client.get("/cheatsheet/").headers


def test_kept_cheat_sheet_rows_follow_what_each_reader_may_see(app, clients):
    from dmsu import content

    content.load_all()
    for _ in range(2):
        for who in ("anonymous", "tpm", "admin", "tpm", "anonymous"):
            html = clients[who].get("/cheatsheet/?q=cream").get_data(as_text=True)
            assert ("mailto:" in html) == (who != "anonymous"), who
            assert ('action="/components/cream-ce/retire"' in html) == (who == "admin"), who
            if who == "admin":
                # A signed token carries a timestamp; its payload (before the first dot) is the
                # session's own secret, the same for every token of that session.
                payload = clients["admin"].csrf_token().split(".")[0]
                assert f'name="csrf_token" value="{payload}.' in html
