"""``GET /api/v1/tickets``: filters, pages with Link headers, ETag / If-None-Match and
Last-Modified / If-Modified-Since answering 304, one-sentence JSON errors for what cannot be,
and a fixed number of queries whatever the page's size (no N+1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.http import http_date, parse_date

from dmsu.api import tokens
from dmsu.tickets.catalogue import MAX_PER_PAGE
from dmsu.tickets.models import TicketEvent
from dmsu.tickets.units import SupportUnit
from tests.support.queries import QueryCounter


@pytest.fixture
def token(make_user):
    _, secret = tokens.create_token(make_user("admin", "boss"), "reader", make_user("tpm", "bot"))
    return secret


def assigned(day: int, unit: str) -> dict:
    return {"at": f"2013-03-{day:02d}T09:00:00+00:00", "type": "assigned", "support_unit": unit}


def status(day: int, value: str) -> dict:
    return {"at": f"2013-03-{day:02d}T10:00:00+00:00", "type": "status", "status": value}


@pytest.fixture
def world(app, make_ticket):
    """Six tickets: 1-3 in CREAM (3 solved), 4-5 in dCache, 6 new; 2 and 5 urgent."""
    SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2")
    SupportUnit.create(name="dCache", kind="third_line", sla_level="level1")
    for n in range(1, 7):
        unit = "CREAM" if n <= 3 else "dCache"
        events = [assigned(n, unit)] if n < 6 else []
        if n == 3:
            events.append(status(n, "solved"))
        make_ticket(
            1000 + n,
            events=events,
            priority="urgent" if n in (2, 5) else "less urgent",
            component="CREAM CE" if n <= 3 else None,
            category="incident" if n % 2 else "usage",
            created_at=f"2013-03-{n:02d}T08:00:00+00:00",
        )


def listing(client, secret, query="", **headers):
    return client.get(f"/api/v1/tickets{query}", headers={"Authorization": f"Bearer {secret}",
                                                           **headers})  # fmt: skip


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [row["ggus_id"] for row in response.get_json()["tickets"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [1006, 1005, 1004, 1003, 1002, 1001]),
        ("?state=open", [1006, 1005, 1004, 1002, 1001]),
        ("?state=closed", [1003]),
        ("?status=solved,new", [1006, 1003]),
        ("?unit=CREAM", [1003, 1002, 1001]),
        ("?unit=dCache&priority=urgent", [1005]),
        ("?component=CREAM+CE&state=open", [1002, 1001]),
        ("?category=usage", [1006, 1004, 1002]),
        ("?updated_since=2013-03-04T09:00:00Z", [1006, 1005, 1004]),
        ("?updated_since=2013-03-04T10:00:00%2B01:00", [1006, 1005, 1004]),
        ("?sort=ggus_id&order=asc", [1001, 1002, 1003, 1004, 1005, 1006]),
        ("?sort=updated&order=asc&state=open", [1001, 1002, 1004, 1005, 1006]),
    ],
)
def test_filters_and_order(client, token, world, query, expected):
    assert ids(listing(client, token, query)) == expected


def test_rows_carry_names_and_a_link_to_the_ticket(client, token, world):
    row = listing(client, token, "?unit=CREAM&status=solved").get_json()["tickets"][0]
    assert row["support_unit"] == "CREAM" and row["component"] == "CREAM CE"
    assert row["status"] == "solved" and row["url"] == "/api/v1/tickets/1003"
    assert client.get(row["url"], headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_pages_and_their_link_headers(client, token, world):
    first = listing(client, token, "?per_page=4&state=all")
    data = first.get_json()
    assert (data["total"], data["page"], data["pages"], len(data["tickets"])) == (6, 1, 2, 4)
    assert first.headers["X-Total-Count"] == "6"
    links = first.headers["Link"]
    assert '</api/v1/tickets?per_page=4>; rel="first"' in links
    assert '</api/v1/tickets?page=2&per_page=4>; rel="next"' in links
    assert '</api/v1/tickets?page=2&per_page=4>; rel="last"' in links
    assert 'rel="prev"' not in links
    second = listing(client, token, "?per_page=4&page=2")
    assert ids(second) == [1002, 1001]
    assert '</api/v1/tickets?per_page=4>; rel="prev"' in second.headers["Link"]
    assert 'rel="next"' not in second.headers["Link"]
    seen = ids(first) + ids(second)
    assert sorted(seen) == list(range(1001, 1007))  # every ticket once


def test_an_empty_list_is_one_empty_page(client, token, app):
    data = listing(client, token).get_json()
    assert (data["tickets"], data["total"], data["pages"]) == ([], 0, 1)


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("?status=done", 400, "status"),
        ("?status=new,done", 400, "status"),
        ("?state=sometimes", 400, "state"),
        ("?priority=soon", 400, "priority"),
        ("?category=x", 400, "category"),
        ("?unit=Nowhere", 400, "unit"),
        ("?component=Nothing", 400, "component"),
        ("?updated_since=yesterday", 400, "updated_since"),
        ("?updated_since=2013-03-04T09:00:00", 400, "updated_since"),  # no UTC offset
        ("?updated_since=2013-02-30T09:00:00Z", 400, "updated_since"),
        ("?updated_since=0001-01-01T00:00:00%2B01:00", 400, "updated_since"),
        ("?updated_since=9999-12-31T23:00:00-05:00", 400, "updated_since"),
        ("?component=CREAM%00", 400, "component"),
        ("?unit=" + "x" * 5000, 400, "unit"),
        ("?sort=colour", 400, "sort"),
        ("?order=up", 400, "order"),
        ("?page=0", 400, "page"),
        ("?page=-1", 400, "page"),
        ("?page=1.5", 400, "page"),
        ("?page=99999999999999999999", 400, "page"),
        (f"?page={2**64}", 400, "page"),
        ("?per_page=0", 400, "per_page"),
        (f"?per_page={MAX_PER_PAGE + 1}", 400, "per_page"),
        ("?per_page=%EF%BC%95", 400, "per_page"),  # a full-width digit five
        ("?colour=red", 400, "colour"),
        ("?page=3&per_page=4", 404, "page"),
        (f"?page={2**31 - 1}", 404, "page"),
    ],
)
def test_bad_input_is_one_sentence_naming_the_field(client, token, world, query, status, field):
    response = listing(client, token, query)
    assert response.status_code == status
    body = response.get_json()
    assert body["field"] == field
    assert body["error"].endswith(".") and body["error"].count(". ") == 0, body["error"]


def test_only_staff_tokens_read_the_list(client, world):
    response = client.get("/api/v1/tickets")
    assert response.status_code == 401 and response.get_json()["error"]
    assert (
        client.get("/api/v1/tickets", headers={"Authorization": "Bearer dmsu_x"}).status_code == 401
    )


def test_etag_answers_304_until_something_changes(client, token, world, make_ticket):
    first = listing(client, token, "?unit=CREAM")
    etag = first.headers["ETag"]
    again = listing(client, token, "?unit=CREAM", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag  # (Last-Modified may go: RFC 9110 15.4.5)
    assert listing(client, token, "?unit=dCache", **{"If-None-Match": etag}).status_code == 200
    assert (
        listing(client, token, "?unit=CREAM&page=1", **{"If-None-Match": etag}).status_code == 304
    )
    make_ticket(1007, events=[assigned(9, "CREAM")])
    changed = listing(client, token, "?unit=CREAM", **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert ids(changed)[0] == 1007


def test_if_modified_since_answers_304_until_a_ticket_changes(client, token, world, make_ticket):
    TicketEvent.update(recorded_at=datetime(2020, 1, 1, tzinfo=UTC)).execute()
    first = listing(client, token)
    stamp = first.headers["Last-Modified"]
    assert listing(client, token, **{"If-Modified-Since": stamp}).status_code == 304
    earlier = http_date(parse_date(stamp) - timedelta(seconds=1))
    assert listing(client, token, **{"If-Modified-Since": earlier}).status_code == 200
    assert listing(client, token, **{"If-Modified-Since": "not a date"}).status_code == 200
    # If-None-Match wins: a stale ETag with a fresh date is a full answer (RFC 9110 13.2.2)
    both = {"If-Modified-Since": stamp, "If-None-Match": '"stale"'}
    assert listing(client, token, **both).status_code == 200
    make_ticket(1007, events=[{"at": "2013-01-01T09:00:00+00:00", "type": "assigned",
                               "support_unit": "CREAM"}])  # fmt: skip
    # an event older than every ticket's last change still moves Last-Modified: it was
    # written now
    later = listing(client, token, **{"If-Modified-Since": stamp})
    assert later.status_code == 200
    assert parse_date(later.headers["Last-Modified"]) > parse_date(stamp)


def _statements(client, token, query) -> int:
    listing(client, token, query)  # warm
    with QueryCounter() as counter:
        response = listing(client, token, query)
    assert response.status_code == 200
    return len(counter)


def test_a_page_costs_the_same_queries_whatever_its_size(
    client, token, app, make_ticket, make_user
):
    SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2")
    people = [make_user("resolver", f"r{i}") for i in range(3)]
    for n in range(5):
        make_ticket(2000 + n, events=[assigned(1 + n % 20, "CREAM")], component=f"C{n % 4}",
                    assignee=people[n % 3])  # fmt: skip
    small = _statements(client, token, "?per_page=200&unit=CREAM")
    for n in range(5, 60):
        make_ticket(2000 + n, events=[assigned(1 + n % 20, "CREAM")], component=f"C{n % 4}",
                    assignee=people[n % 3])  # fmt: skip
    large = _statements(client, token, "?per_page=200&unit=CREAM")
    assert large == small
    assert small <= 7, small  # the token (2), the last change (2), the unit, the total, the rows


def walk(client, token, query, cursor=None):
    """Every row of the list (from ``cursor`` on), following next_cursor (and checking the
    Link header agrees)."""
    start = f"{query}&cursor={cursor}" if cursor else query
    seen, response = [], listing(client, token, start)
    while True:
        data = response.get_json()
        seen += ids(response)
        if data["next_cursor"] is None:
            assert 'rel="next"' not in response.headers["Link"]
            return seen
        if data["page"] is None:  # a numbered page's next link is the next number
            assert f"cursor={data['next_cursor']}" in response.headers["Link"]
        assert len(seen) < 100, seen
        response = listing(client, token, f"{query}&cursor={data['next_cursor']}")
        assert response.get_json()["page"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?per_page=2&sort=updated&order=asc", [1001, 1002, 1003, 1004, 1005, 1006]),
        ("?per_page=4", [1006, 1005, 1004, 1003, 1002, 1001]),
        ("?per_page=1&sort=ggus_id&state=open", [1006, 1005, 1004, 1002, 1001]),
        ("?per_page=2&sort=created&order=asc&unit=CREAM", [1001, 1002, 1003]),
    ],
)
def test_a_cursor_walks_the_list_once(client, token, world, query, expected):
    assert walk(client, token, query) == expected


def test_a_ticket_changing_mid_walk_is_neither_skipped_nor_lost(client, token, world, app):
    """Following changes oldest first, a ticket that changes while a tool reads moves to the
    end: by page number the row after it would slip onto the page already read; after a
    cursor, nothing is skipped, and the changed ticket comes again at the end."""
    from dmsu.tickets.models import Ticket
    from dmsu.tickets.workflow import steps

    query = "?per_page=2&sort=updated&order=asc"
    first = listing(client, token, query).get_json()
    assert ids_of(first) == [1001, 1002]
    steps.add_comment(Ticket.get(Ticket.ggus_id == 1001), _staff(), "Still looking.")
    by_number = ids(listing(client, token, query + "&page=2"))
    assert 1003 not in by_number  # the trap: 1003 moved onto page 1, already read
    rest = walk(client, token, query, first["next_cursor"])
    assert rest == [1003, 1004, 1005, 1006, 1001]


def ids_of(data) -> list[int]:
    return [row["ggus_id"] for row in data["tickets"]]


def _staff():
    from dmsu.auth.models import User

    return User.get(User.username == "bot")


@pytest.mark.parametrize(
    "cursor",
    ["x", "!!!", "W10", "WyJ1cGRhdGVkIiwiZGVzYyJd",  # [] and a list too short
     # ["ggus_id","desc",1,1] with the default sort (updated) of the request
     "WyJnZ3VzX2lkIiwiZGVzYyIsMSwxXQ",
     # ["updated","desc","yesterday",1] and ["updated","desc","2013-03-01T00:00:00Z",2**64]
     "WyJ1cGRhdGVkIiwiZGVzYyIsInllc3RlcmRheSIsMV0",
     "WyJ1cGRhdGVkIiwiZGVzYyIsIjIwMTMtMDMtMDFUMDA6MDA6MDBaIiwxODQ0Njc0NDA3MzcwOTU1MTYxNl0"],
)  # fmt: skip
def test_a_cursor_the_list_did_not_give_is_one_sentence(client, token, world, cursor):
    response = listing(client, token, f"?cursor={cursor}")
    assert response.status_code == 400
    assert response.get_json()["field"] == "cursor"


def test_page_and_cursor_together_are_refused(client, token, world):
    cursor = listing(client, token, "?per_page=2").get_json()["next_cursor"]
    response = listing(client, token, f"?per_page=2&page=2&cursor={cursor}")
    assert response.status_code == 400 and response.get_json()["error"] == (
        "Give page or cursor, not both."
    )
