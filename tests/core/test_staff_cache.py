"""Kept staff pages (dmsu/core/cache/staff.py): a supporter's second look at a page is answered
from a kept copy, and never once anything has been committed to the database since — by
this connection, another one, or raw SQL — nor to another user, nor with another session's
CSRF token. The second look hits at once, with no retry: the commit stamp is this database's
own, so other databases of a shared PostgreSQL server do not move it."""

from __future__ import annotations

import gzip
import re
import threading
from datetime import UTC, datetime

import pytest

from dmsu.core import clock
from dmsu.core.cache.staff import PAGES
from dmsu.core.cache.stamp import commit as data_stamp
from dmsu.core.db import database, make_database
from tests.support.queries import QueryCounter

URLS = ["/tickets/", "/tickets/70001", "/sweep", "/duty", "/tickets/mine"]
META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture
def ticket(make_ticket):
    return make_ticket(
        70001,
        subject="Original subject",
        events=[{"at": "2013-02-01T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
    )


@pytest.fixture
def assigner_client(clients):
    """The assigner, past the welcome message of the login (a flash is never kept)."""
    client = clients["assigner"]
    client.get("/")
    return client


@pytest.fixture
def resolver_client(clients):
    client = clients["resolver"]
    client.get("/")
    return client


def logged_in(login, user):
    client = login(user)
    client.get("/")
    return client


def same_page(one: bytes, two: bytes) -> bool:
    """Equal but for the CSRF token (signed with the time: it differs across a second)."""
    mask = re.compile(rb'(csrf-token" content="|X-CSRFToken": "|name="csrf_token" value=")[^"]+')
    return mask.sub(rb"\1", one) == mask.sub(rb"\1", two)


def kept(client):
    return PAGES.store(client.application)


def hits_of(client, url: str, **kwargs) -> tuple[int, object]:
    """(kept-page hits this request made, the response)."""
    before = kept(client).hits
    response = client.get(url, **kwargs)
    return kept(client).hits - before, response


@pytest.mark.parametrize("url", URLS)
def test_a_second_look_is_the_kept_page_at_the_cost_of_one_small_query(
    url, ticket, assigner_client
):
    first = assigner_client.get(url)
    assert first.status_code == 200
    with QueryCounter() as counter:
        hits, second = hits_of(assigner_client, url)
    assert hits == 1
    assert same_page(second.data, first.data)
    assert len(counter) == 1, counter.statements  # the data stamp (the user is kept under it)
    assert second.headers["Cache-Control"] == "private, no-store"
    assert "Content-Security-Policy" in second.headers


def test_a_write_through_the_site_shows_at_once(ticket, assigner_client, resolver_client):
    assigner_client.get("/tickets/70001")
    assert hits_of(assigner_client, "/tickets/70001")[0] == 1
    response = resolver_client.form("/tickets/70001/comment", {"text": "Checked the CE logs."})
    assert response.status_code in (200, 302), response.status_code
    hits, page = hits_of(assigner_client, "/tickets/70001")
    assert hits == 0
    assert "Checked the CE logs." in page.get_data(as_text=True)


def test_raw_sql_on_the_same_connection_shows_at_once(ticket, assigner_client):
    assigner_client.get("/tickets/70001")
    database.execute_sql("UPDATE ticket SET subject = 'Changed by hand' WHERE ggus_id = 70001")
    hits, page = hits_of(assigner_client, "/tickets/70001")
    assert hits == 0 and "Changed by hand" in page.get_data(as_text=True)


def test_a_commit_on_another_connection_shows_at_once(ticket, assigner_client):
    """Another worker process (or host) writes through its own connection."""
    assigner_client.get("/tickets/")
    stamp = data_stamp()

    def elsewhere():  # peewee keeps one connection per thread: this is a second connection
        with database.connection_context(), database.atomic():
            database.execute_sql("UPDATE ticket SET subject = 'Elsewhere' WHERE ggus_id = 70001")

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join()
    assert data_stamp() != stamp
    hits, page = hits_of(assigner_client, "/tickets/")
    assert hits == 0 and "Elsewhere" in page.get_data(as_text=True)


def test_a_page_kept_during_another_sessions_open_write_goes_when_it_commits(
    ticket, assigner_client, database_url
):
    """The writer's statement ran (and moved the sequence) before the page was kept; only
    its commit is left, and that alone must make the kept page go."""
    other = make_database(database_url)
    other.connect()
    try:
        with other.atomic():
            other.execute_sql("UPDATE ticket SET subject = 'Elsewhere' WHERE ggus_id = 70001")
            first = assigner_client.get("/tickets/70001").get_data(as_text=True)
            assert "Original subject" in first and "Elsewhere" not in first
            hits, page = hits_of(assigner_client, "/tickets/70001")
            assert hits == 1  # kept while the writer stays open: nothing new to see yet
        hits, page = hits_of(assigner_client, "/tickets/70001")
        assert hits == 0 and "Elsewhere" in page.get_data(as_text=True)
    finally:
        other.close()


def test_nothing_written_keeps_the_stamp(ticket, app):
    first = data_stamp()
    database.execute_sql("SELECT COUNT(*) FROM ticket")
    assert data_stamp() == first is not None


def test_each_session_gets_its_own_kept_page_whose_token_works(ticket, make_user, login):
    user = make_user("resolver", "rosa")
    one, two = logged_in(login, user), logged_in(login, user)
    token_one = META.search(one.get("/tickets/70001").get_data(as_text=True)).group(1)
    hits, page = hits_of(two, "/tickets/70001")
    assert hits == 0  # another session: another kept page
    assert token_one not in page.get_data(as_text=True)
    hits, page = hits_of(two, "/tickets/70001")
    assert hits == 1
    token_two = META.search(page.get_data(as_text=True)).group(1)
    assert token_two != token_one
    response = two.post("/tickets/70001/comment", data={"text": "Noted.", "csrf_token": token_two})
    assert response.status_code in (200, 302)
    assert "Noted." in two.get("/tickets/70001").get_data(as_text=True)


def test_a_kept_page_goes_compressed_to_browsers_that_accept_it(ticket, assigner_client):
    first = assigner_client.get("/sweep")
    hits, packed = hits_of(assigner_client, "/sweep", headers={"Accept-Encoding": "gzip"})
    assert hits == 1
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert same_page(gzip.decompress(packed.data), first.data)
    plain = assigner_client.get("/sweep")
    assert "Content-Encoding" not in plain.headers and same_page(plain.data, first.data)


def test_another_user_never_gets_someone_elses_page(ticket, make_user, login):
    rosa = logged_in(login, make_user("resolver", "rosa", display_name="Rosa Resolver"))
    adam = logged_in(login, make_user("admin", "adam", display_name="Adam Admin"))
    rosa.get("/tickets/mine")
    hits, page = hits_of(adam, "/tickets/mine")
    assert hits == 0
    assert "Adam Admin" in page.get_data(as_text=True)
    assert "Rosa Resolver" not in page.get_data(as_text=True)


def test_a_flash_message_is_shown_once_and_never_kept(ticket, assigner_client):
    assigner_client.get("/tickets/70001")
    response = assigner_client.form(
        "/tickets/70001/comment", {"text": "A note.", "visibility": "public"}
    )
    assert response.status_code == 302
    hits, with_flash = hits_of(assigner_client, response.headers["Location"])
    assert hits == 0
    assert "Public comment added." in with_flash.get_data(as_text=True)
    again = assigner_client.get("/tickets/70001").get_data(as_text=True)
    assert "Public comment added." not in again
    hits, kept_page = hits_of(assigner_client, "/tickets/70001")
    assert hits == 1 and "Public comment added." not in kept_page.get_data(as_text=True)


def test_a_pinned_clock_is_part_of_the_key(ticket, assigner_client):
    with clock.frozen(datetime(2013, 2, 4, 9, tzinfo=UTC)):
        assigner_client.get("/sweep")
        assert hits_of(assigner_client, "/sweep")[0] == 1
    with clock.frozen(datetime(2013, 3, 4, 9, tzinfo=UTC)):
        assert hits_of(assigner_client, "/sweep")[0] == 0


def test_a_kept_page_expires(ticket, assigner_client):
    assigner_client.get("/sweep")
    kept(assigner_client).expire_all()
    assert hits_of(assigner_client, "/sweep")[0] == 0


def test_anonymous_and_htmx_requests_are_kept_apart(ticket, assigner_client, client):
    assigner_client.get("/tickets/")
    hits, partial = hits_of(assigner_client, "/tickets/", headers={"HX-Request": "true"})
    assert hits == 0 and b"<html" not in partial.data
    assert client.get("/tickets/").status_code in (302, 401)


class TestSwitchedOff:
    @pytest.fixture
    def app_config(self):
        return {"DMSU_PAGE_CACHE": False}

    def test_the_switch_turns_kept_staff_pages_off(self, ticket, assigner_client):
        assigner_client.get("/tickets/")
        assert hits_of(assigner_client, "/tickets/")[0] == 0
