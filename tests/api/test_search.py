"""``GET /api/v1/search`` (dmsu/api/search.py): the search page's function in JSON, under the
one visibility rule (planted markers, as tests/search/test_pages.py plants them), with bad
filters answered in one sentence naming the parameter, and answers that match the OpenAPI
description."""

from __future__ import annotations

import pytest

from dmsu.api import tokens
from dmsu.tickets import workflow
from dmsu.wiki.pages import Draft, create_page
from tests.support.openapi_check import check_answer

PUBLIC_MARK = "wombatpublic"
INTERNAL_PAGE_MARK = "wombatinternalpage"
INTERNAL_COMMENT_MARK = "wombatinternalcomment"


@pytest.fixture
def world(app, make_user):
    editor = make_user("resolver")
    create_page(Draft(f"Public note {PUBLIC_MARK}", "Open text.", "public"), editor)
    create_page(Draft("Internal note", f"Secret {INTERNAL_PAGE_MARK}.", "internal"), editor)
    tpm = make_user("tpm")
    ticket = workflow.create_ticket(tpm, ggus_id=97001, subject="VOMS proxy init fails")
    workflow.route_to_dmsu(ticket, tpm)
    workflow.add_comment(ticket, editor, f"Seen on {INTERNAL_COMMENT_MARK}", public=False)
    workflow.change_status(ticket, editor, "in progress")
    workflow.change_status(ticket, editor, "solved", note="Refresh the CRLs with fetch-crl.")
    return ticket


@pytest.fixture
def staff(make_user):
    _, secret = tokens.create_token(make_user("admin", "boss"), "search", make_user("tpm", "bot"))
    return {"Authorization": f"Bearer {secret}"}


def test_the_public_finds_public_pages_only(world, client):
    found = client.get(f"/api/v1/search?q={PUBLIC_MARK}").get_json()
    assert [r["area"] for r in found["results"]] == ["wiki"] and found["total"] == 1
    assert found["results"][0]["title"] == f"Public note {PUBLIC_MARK}"  # text: marks dropped
    for mark in (INTERNAL_PAGE_MARK, INTERNAL_COMMENT_MARK, "VOMS", "97001"):
        answer = client.get(f"/api/v1/search?q={mark}").get_json()
        assert answer["total"] == 0 and answer["results"] == [] and answer["jumps"] == []


def test_a_staff_token_finds_the_ticket_by_its_internal_diary_with_its_outcome(
    world, client, staff
):
    answer = client.get(f"/api/v1/search?q={INTERNAL_COMMENT_MARK}", headers=staff)
    assert answer.status_code == 200
    check_answer(client.get("/api/v1/openapi.json").get_json(), "/api/v1/search", "get", answer)
    (hit,) = answer.get_json()["results"]
    assert hit["area"] == "tickets" and hit["key"] == "97001" and hit["url"] == "/tickets/97001"
    assert f"<mark>{INTERNAL_COMMENT_MARK}</mark>" in hit["snippet_html"]
    assert hit["outcome"]["status"] == "solved"
    jump = client.get("/api/v1/search?q=GGUS+97001", headers=staff).get_json()
    assert [j["key"] for j in jump["jumps"]] == ["97001"]


def test_a_bad_token_is_refused_not_read_as_anonymous(world, client):
    answer = client.get("/api/v1/search?q=x", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401 and answer.get_json()["error"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("q=x&area=mail", "area"),
        ("q=x&status=lost", "status"),
        ("q=x&component=no-such", "component"),
        ("q=x&since=yesterday", "since"),
        ("q=x&since=2013-03-01&until=2013-02-01", "until"),
        ("q=x&page=0", "page"),
        ("q=x&page=99999999999999999999999", "page"),
        ("q=" + "x" * 501, "q"),
    ],
)
def test_bad_input_is_one_sentence_naming_the_parameter(world, client, staff, query, field):
    answer = client.get(f"/api/v1/search?{query}", headers=staff)
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["field"] == field and body["error"].endswith(".")
    check_answer(client.get("/api/v1/openapi.json").get_json(), "/api/v1/search", "get", answer)


def test_what_no_query_parser_should_see_never_breaks_it(world, client, staff):
    for text in ('"unbalanced', "a AND (", "NOT -", "::", "*", "\x00"):
        assert (
            client.get("/api/v1/search", query_string={"q": text}, headers=staff).status_code == 200
        )
