"""The ticket page as people work on it (issue 18, points 2 and 4): routing suggestions for a
ticket waiting in TPM with one button each, the comment box by the timeline and internal by
default, selects that start empty, no empty heading, roles in words, why a form is missing,
and an ETA before today asked to be confirmed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from dmsu import content
from dmsu.cheatsheet.models import Component
from dmsu.core import clock
from dmsu.tickets import workflow
from dmsu.tickets.models import Ticket, TicketEvent
from dmsu.tickets.pages.role_words import role_words
from dmsu.tickets.units import SupportUnit

ONCE = re.compile(r'name="once" value="([^"]+)"')


@pytest.fixture
def sheet(app):
    """The seed content: the cheat sheet's components, partners and 3rd-line units."""
    content.load_all()
    return app


def html(response) -> str:
    return response.get_data(as_text=True)


def section(page: str, element_id: str) -> str:
    start = page.index(f'id="{element_id}"')
    return page[start : page.index("</section>", start)]


def fresh(ticket) -> Ticket:
    return Ticket.get_by_id(ticket.id)


def in_dmsu(client, ggus_id=5, **fields):
    fields.setdefault("subject", "Jobs stuck in REALLY-RUNNING")
    ticket = workflow.create_ticket(client.user, ggus_id=ggus_id, **fields)
    workflow.route_to_dmsu(ticket, client.user)
    return ticket


# --- routing on the ticket -------------------------------------------------------------------


def test_tpm_sees_the_top_three_suggestions_with_a_label_and_reasons(sheet, tpm_client):
    workflow.create_ticket(
        tpm_client.user,
        ggus_id=91039,
        subject="CREAM CE: jobs stuck after the BDII top update",
        description="Our FTS and VOMS look fine; the CREAM CE keeps jobs in REALLY-RUNNING.",
    )
    box = section(html(tpm_client.get("/tickets/91039")), "routing-help")
    suggestions = box.split('<li class="suggestion">')[1:]
    assert len(suggestions) == 3
    first = suggestions[0]
    assert "<strong>CREAM CE</strong>" in first
    assert '<span class="badge confidence-strong-match">strong match</span>' in first
    assert "<li>name &#39;CREAM CE&#39; in subject</li>" in first
    assert "score" not in box
    cream = Component.get(Component.name == "CREAM CE")
    assert f'<input type="hidden" name="component" value="{cream.id}">' in first
    assert 'name="csrf_token"' in first and ONCE.search(first)
    assert '<button type="submit">Route to DMSU as CREAM CE</button>' in first


def test_one_click_routes_the_ticket_to_dmsu_with_the_suggested_component(sheet, tpm_client):
    ticket = workflow.create_ticket(tpm_client.user, ggus_id=91039, subject="VOMS proxy expired")
    voms = Component.get(Component.name == "VOMS")
    response = tpm_client.form(
        "/tickets/91039/route", {"component": str(voms.id), "once": "t-91039"}
    )
    assert response.status_code == 302
    ticket = fresh(ticket)
    assert (ticket.support_unit.name, ticket.status, ticket.component_id) == (
        "DMSU",
        "assigned",
        voms.id,
    )
    kinds = [e.kind for e in TicketEvent.select().where(TicketEvent.ticket == ticket)]
    assert kinds == ["assigned", "field", "assigned", "status"]
    page = html(tpm_client.get("/tickets/91039"))
    assert "Ticket 91039 routed to DMSU as a VOMS ticket." in page
    assert 'id="routing-help"' not in page  # in DMSU now: nothing left to route


def test_a_route_with_an_unknown_component_changes_nothing(sheet, tpm_client):
    ticket = workflow.create_ticket(tpm_client.user, ggus_id=5, subject="VOMS proxy expired")
    for value in ("424242", "VOMS", "-1"):
        response = tpm_client.form("/tickets/5/route", {"component": value})
        assert response.status_code == 400
        assert "Choose one of the suggested components." in html(response)
    assert fresh(ticket).support_unit.name == "TPM" and fresh(ticket).component_id is None


def test_a_refused_route_does_not_set_the_component_either(sheet, tpm_client):
    """The component and the move are one step: a ticket already in DMSU keeps its component."""
    ticket = in_dmsu(tpm_client, subject="VOMS proxy expired")
    voms = Component.get(Component.name == "VOMS")
    with pytest.raises(workflow.WorkflowError, match="already with DMSU"):
        workflow.route_to_dmsu(fresh(ticket), tpm_client.user, component=voms)
    assert fresh(ticket).component_id is None
    assert TicketEvent.select().where(TicketEvent.kind == "field").count() == 0


def test_no_suggestions_once_the_ticket_left_tpm(sheet, clients):
    ticket = workflow.create_ticket(clients["tpm"].user, ggus_id=5, subject="VOMS proxy expired")
    assert 'id="routing-help"' in html(clients["resolver"].get("/tickets/5"))  # staff may route
    workflow.route_to_dmsu(ticket, clients["tpm"].user)
    for role in ("tpm", "resolver", "assigner"):
        assert 'id="routing-help"' not in html(clients[role].get("/tickets/5")), role


def test_a_ticket_no_component_fits_shows_no_empty_suggestion_box(sheet, tpm_client):
    workflow.create_ticket(tpm_client.user, ggus_id=5, subject="zzz qqq")
    page = html(tpm_client.get("/tickets/5"))
    assert 'id="routing-help"' not in page and 'id="action-route"' in page


# --- the comment box -------------------------------------------------------------------------


def test_the_comment_box_is_above_the_timeline_and_internal_by_default(resolver_client):
    ticket = in_dmsu(resolver_client)
    page = html(resolver_client.get("/tickets/5"))
    assert page.index('id="action-comment"') < page.index('id="timeline"')
    box = section(page, "action-comment")
    assert re.search(r'id="comment-internal"[^>]*checked', box)
    assert not re.search(r'id="comment-public"[^>]*checked', box)
    # a comment sent without a choice stays internal
    assert resolver_client.form("/tickets/5/comment", {"text": "checking"}).status_code == 302
    assert (
        TicketEvent.get(TicketEvent.ticket == ticket, TicketEvent.kind == "comment").public is False
    )
    refused = resolver_client.form("/tickets/5/comment", {"text": " ", "visibility": "public"})
    assert re.search(r'id="comment-public"[^>]*checked', section(html(refused), "action-comment"))


# --- selects start empty ---------------------------------------------------------------------


def test_the_status_select_starts_empty_and_nothing_chosen_is_one_sentence(resolver_client):
    ticket = in_dmsu(resolver_client)
    workflow.take(ticket, resolver_client.user)  # in progress: "assigned" came first before
    page = html(resolver_client.get("/tickets/5"))
    select = page[
        page.index('<select id="status-status"') : page.index(
            "</select>", page.index('<select id="status-status"')
        )
    ]
    assert 'name="status" required>' in select
    assert re.search(r'<option value="">[^<]+</option>\s*<option value="assigned">', select)
    assert "selected" not in select
    response = resolver_client.form("/tickets/5/status", {"status": "", "note": "my words"})
    assert response.status_code == 400
    assert "Choose the new status." in html(response)
    assert "my words</textarea>" in html(response)
    assert fresh(ticket).status == "in progress"


def test_the_involve_select_starts_empty_and_keeps_the_choice_on_refusal(resolver_client):
    ticket = in_dmsu(resolver_client)
    SupportUnit.create(name="CREAM", kind="third_line")
    page = html(resolver_client.get("/tickets/5"))
    start = page.index('<select id="involve-unit"')
    select = page[start : page.index("</select>", start)]
    assert 'required>\n        <option value="">choose a unit</option>' in select
    assert "selected" not in select
    response = resolver_client.form("/tickets/5/involve", {"unit": ""})
    assert response.status_code == 400
    assert "Choose a support unit from the list." in html(response)
    assert (
        TicketEvent.select()
        .where(TicketEvent.ticket == ticket, TicketEvent.kind == "involved")
        .count()
        == 0
    )


# --- headings, roles, why a form is missing --------------------------------------------------


def test_the_actions_heading_comes_with_forms_only(resolver_client):
    in_dmsu(resolver_client)
    page = html(resolver_client.get("/tickets/5"))
    aside = page[page.index('<aside class="ticket-actions"') :]
    after = aside[aside.index("<h2>Actions</h2>") + len("<h2>Actions</h2>") :]
    assert after.index('class="ticket-action"') < after.index("<h2")  # a form before the next


def test_no_actions_heading_when_nothing_is_offered(resolver_client):
    in_dmsu(resolver_client)
    allowed = workflow.allowed_actions(Ticket.get(Ticket.ggus_id == 5), None)
    assert not allowed.any_form and allowed.why_not == ()
    from flask import render_template

    ticket = Ticket.get(Ticket.ggus_id == 5)
    with resolver_client.application.test_request_context("/tickets/5"):
        page = render_template(
            "tickets/show.html",
            ticket=ticket,
            allowed=allowed,
            events=[],
            involved=[],
            third_line_units=[],
            components=[],
            categories=[],
            priorities=[],
            deadlines=[],
            suggestions=[],
            ggus_url="https://ggus.example/5",
            failed=None,
            error=None,
            typed={},
            personal=None,
            past_eta=False,
        )
    assert "<h2>Actions</h2>" not in page


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("third_line", "3rd line"),
        ("tpm", "TPM"),
        ("dmsu", "DMSU"),
        ("submitter", "submitter"),
        ("first_line", "1st line"),
        ("umd_release", "UMD release"),
        ("some_new_role", "some new role"),
        (None, ""),
    ],
)
def test_roles_read_as_words(code, words):
    assert role_words(code) == words


def test_the_timeline_names_actor_roles_in_words(resolver_client, make_ticket):
    make_ticket(
        91040,
        events=[
            {"at": "2013-02-11T09:00:00+00:00", "type": "assigned", "support_unit": "CREAM"},
            {"at": "2013-02-12T10:00:00+00:00", "type": "comment", "author_role": "third_line",
             "text": "We reproduced it."},
        ],
    )  # fmt: skip
    timeline = html(resolver_client.get("/tickets/91040"))
    timeline = timeline[timeline.index('<ol class="timeline') :]
    assert "· 3rd line" in timeline and "third_line" not in timeline
    assert "DMSU desk (automatic)" in timeline  # the import's own events


def test_a_resolver_reads_why_the_eta_form_is_missing(resolver_client, tpm_client):
    in_dmsu(resolver_client)
    page = html(resolver_client.get("/tickets/5"))
    assert 'id="action-eta"' not in page
    assert (
        "An ETA is a 3rd-line unit&#39;s promise: it can be set once the ticket is with a "
        "3rd-line unit; it is in DMSU now."
    ) in page
    assert "3rd-line unit&#39;s promise" not in html(tpm_client.get("/tickets/5"))  # not TPM's


def test_a_resolver_reads_who_may_reassign_to_the_third_line(clients):
    in_dmsu(clients["resolver"])
    SupportUnit.create(name="CREAM", kind="third_line")
    sentence = (
        "Only these roles may assign a ticket to a 3rd-line unit: admin, assigner. "
        "Ask one of them to reassign it."
    )
    pages = {
        role: html(clients[role].get("/tickets/5")) for role in ("resolver", "assigner", "tpm")
    }
    assert sentence in pages["resolver"] and 'id="action-third-line"' not in pages["resolver"]
    assert sentence not in pages["assigner"] and 'id="action-third-line"' in pages["assigner"]
    assert sentence not in pages["tpm"]  # TPM's people do not work the ticket in DMSU


# --- an ETA before today ---------------------------------------------------------------------


@pytest.fixture
def with_cream(assigner_client):
    ticket = in_dmsu(assigner_client)
    cream = SupportUnit.create(name="CREAM", kind="third_line")
    workflow.reassign_to_third_line(ticket, assigner_client.user, cream, note="reproduce")
    return ticket


def test_an_eta_before_today_needs_a_confirmation(assigner_client, with_cream):
    past = clock.now().date() - timedelta(days=31)
    response = assigner_client.form("/tickets/5/eta", {"due": past.isoformat(), "note": "kept"})
    assert response.status_code == 400
    page = html(response)
    assert (
        f"The ETA {past.isoformat()} is before today ({clock.now().date().isoformat()}); "
        "correct it, or tick that the date is in the past on purpose."
    ) in page
    assert 'id="eta-confirm-past" name="confirm_past"' in page and 'value="kept"' in page
    assert fresh(with_cream).eta_due is None
    confirmed = {"due": past.isoformat(), "confirm_past": "1"}
    assert assigner_client.form("/tickets/5/eta", confirmed).status_code == 302
    assert fresh(with_cream).eta_due == past
    today = clock.now().date().isoformat()
    assert assigner_client.form("/tickets/5/eta", {"due": today}).status_code == 302


def test_the_eta_of_a_reassignment_is_checked_the_same_way(assigner_client, cream_unit_ticket):
    past = (clock.now().date() - timedelta(days=2)).isoformat()
    form = {"unit": str(SupportUnit.named("CREAM").id), "note": "reproduce", "eta": past}
    response = assigner_client.form("/tickets/6/third-line", form)
    assert response.status_code == 400 and "is before today" in html(response)
    assert 'id="third-line-confirm-past"' in html(response)
    assert fresh(cream_unit_ticket).support_unit.name == "DMSU"
    assert (
        assigner_client.form("/tickets/6/third-line", {**form, "confirm_past": "1"}).status_code
        == 302
    )


@pytest.fixture
def cream_unit_ticket(assigner_client):
    SupportUnit.create(name="CREAM", kind="third_line")
    return in_dmsu(assigner_client, ggus_id=6)


def test_the_workflow_itself_takes_a_past_eta(assigner_client, with_cream):
    """Imports and jobs record what was promised back then: only the form asks."""
    past = clock.now().date() - timedelta(days=400)
    workflow.record_eta(fresh(with_cream), assigner_client.user, past)
    assert fresh(with_cream).eta_due == past


# --- the status and priority marks -----------------------------------------------------------


def test_the_status_reads_with_its_meaning_as_in_the_lists(resolver_client):
    ticket = in_dmsu(resolver_client, priority="top priority")
    page = html(resolver_client.get("/tickets/5"))
    assert re.search(r'class="badge status-waiting-for-us" id="ticket-status"', page)
    assert "waiting for DMSU or the 1st line" in page  # in words, not by colour alone
    assert 'class="priority priority-top">top priority<' in page
    workflow.change_status(fresh(ticket), resolver_client.user, "unsolved")
    page = html(resolver_client.get("/tickets/5"))
    assert 'class="badge status-closed-unsolved" id="ticket-status"' in page
