"""The search page and "seen before?" (dmsu/search/views.py, finding.py, similar.py): one box
for everything staff may read, public content only for everyone else (planted markers, as the
crawl tests plant them), GGUS numbers jump, bad filters get one sentence with the input kept,
htmx gets the results alone."""

from __future__ import annotations

import pytest

from dmsu.tickets import workflow
from dmsu.wiki.pages import Draft, create_page

PUBLIC_MARK = "quokkapublic"
INTERNAL_PAGE_MARK = "quokkainternalpage"
INTERNAL_COMMENT_MARK = "quokkainternalcomment"


@pytest.fixture
def world(app, make_user, make_ticket):
    editor = make_user("resolver")
    create_page(Draft(f"Public note {PUBLIC_MARK}", "Open text.", "public"), editor)
    create_page(Draft("Internal note", f"Secret {INTERNAL_PAGE_MARK}.", "internal"), editor)
    tpm = make_user("tpm")
    ticket = workflow.create_ticket(
        tpm, ggus_id=97001, subject="VOMS proxy init fails with expired CRL"
    )
    workflow.route_to_dmsu(ticket, tpm)
    workflow.add_comment(ticket, editor, f"Seen on {INTERNAL_COMMENT_MARK}", public=False)
    workflow.change_status(ticket, editor, "in progress")
    workflow.change_status(ticket, editor, "solved", note="Refresh the CRLs with fetch-crl.")
    other = workflow.create_ticket(tpm, ggus_id=97002, subject="voms-proxy-init: expired CRL again")
    return {"ticket": ticket, "other": other}


def test_the_public_finds_public_pages_and_never_internal_text(world, client):
    page = client.get(f"/search?q={PUBLIC_MARK}")
    assert page.status_code == 200 and PUBLIC_MARK in page.text
    for mark in (INTERNAL_PAGE_MARK, INTERNAL_COMMENT_MARK, "VOMS"):
        answer = client.get(f"/search?q={mark}")
        assert answer.status_code == 200
        assert "0 results" in answer.text and "/tickets/97001" not in answer.text
        assert '<ol class="search-results"' not in answer.text
    assert "/tickets/97001" not in client.get("/search?q=97001").text  # no jump for the public


def test_staff_find_a_ticket_by_its_internal_diary_with_the_match_marked(world, clients):
    page = clients["resolver"].get(f"/search?q={INTERNAL_COMMENT_MARK}")
    assert "/tickets/97001" in page.text
    assert f"<mark>{INTERNAL_COMMENT_MARK}</mark>" in page.text
    inside = clients["tpm"].get(f"/search?q={INTERNAL_PAGE_MARK}")
    assert "Internal note" in inside.text


def test_a_ggus_number_jumps_to_its_ticket(world, clients):
    page = clients["tpm"].get("/search?q=GGUS+97001")
    assert 'class="search-jump"' in page.text and "/tickets/97001" in page.text


def test_filters_by_area_and_status(world, clients):
    client = clients["resolver"]
    assert "/tickets/97001" in client.get("/search?q=expired+CRL&status=solved").text
    assert "/tickets/97001" not in client.get("/search?q=expired+CRL&status=new").text
    assert (
        "/tickets/"
        not in client.get("/search?q=expired+CRL&area=wiki").text.split("search-results")[-1]
    )


@pytest.mark.parametrize(
    "query, sentence",
    [
        ("since=2013-13-01", "The from date must look like 2013-02-11."),
        ("since=2013-03-01&until=2013-02-01", "The “from” date is after the “to” date."),
        ("component=no-such-thing", "There is no component “no-such-thing” in the cheat sheet."),
    ],
)
def test_a_bad_filter_gets_one_sentence_and_keeps_the_input(world, clients, query, sentence):
    page = clients["resolver"].get(f"/search?q=crl+typed&{query}")
    assert page.status_code == 400
    assert sentence.replace("“", "&ldquo;") in page.text or sentence in page.text
    assert 'value="crl typed"' in page.text


def test_htmx_gets_the_results_alone(world, clients):
    partial = clients["resolver"].get("/search?q=CRL", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.text and "97001" in partial.text


def test_seen_before_finds_the_solved_ticket_with_its_outcome(world, clients):
    page = clients["resolver"].get("/tickets/97002/seen-before")
    assert page.status_code == 200
    assert "/tickets/97001" in page.text and "solved" in page.text
    assert "#97002 " not in page.text.split("<section")[1]  # never the ticket itself
    routed = clients["tpm"].get("/search/seen-before?text=voms+proxy+expired+CRL")
    assert "/tickets/97001" in routed.text


def test_seen_before_is_for_staff(world, client):
    assert client.get("/tickets/97002/seen-before").status_code in (302, 401)
    assert client.get("/search/seen-before?text=voms").status_code in (302, 401)


def test_the_ticket_page_offers_seen_before_and_every_page_the_search_box(world, clients, client):
    page = clients["resolver"].get("/tickets/97002")
    assert 'data-hx-get="/tickets/97002/seen-before"' in page.text
    assert 'href="/tickets/97002/seen-before"' in page.text  # without JavaScript too
    for answer in (page, client.get("/")):
        assert 'class="header-search"' in answer.text and 'action="/search"' in answer.text
