"""The forums pages: staff only, the thread list with filters (plain GET and htmx), the thread
view with quotes folded, state and take (CSRF), link and spawn with the ticket page's box,
join and split, and the admin's sources page."""

from __future__ import annotations

import pytest

from dmsu.cheatsheet.models import Component
from dmsu.forums.ingest import take_in_all
from dmsu.forums.lists import ensure_list
from dmsu.forums.models import ForumMessage, ForumThread, ForumThreadEvent, ForumThreadTicket
from dmsu.tickets.models import Ticket
from tests.support.forum_mail import mail

REPLY = (
    "Hi Ann,\n\nOn Mon, 2 Mar 2026, Ann Example <ann@site.example.org> wrote:\n"
    "> our pool does not start after the upgrade.\n\nCheck the pool's setup file.\n"
)


@pytest.fixture
def thread(app):
    Component.create(name="dCache", slug="dcache", forums="user-forum@dcache.org")
    forum_list = ensure_list("user-forum@dcache.org")
    take_in_all(
        [
            ("1", mail(1, attachment=b"x" * 2048)),
            (
                "2",
                mail(
                    2,
                    subject="Re: dCache pool does not start",
                    body=REPLY,
                    in_reply_to="<m1@site.example.org>",
                ),
            ),
            ("3", mail(3, subject="APEL question", to="user-forum@dcache.org")),
        ],
        forum_list,
    )
    return ForumThread.get(ForumThread.subject == "dCache pool does not start")


@pytest.mark.parametrize("role, expected", [("anonymous", 302), ("tpm", 200), ("resolver", 200)])
def test_the_forums_are_for_staff_only(clients, thread, role, expected):
    for url in ("/forums/", f"/forums/threads/{thread.id}"):
        assert clients[role].get(url).status_code == expected, url
    assert clients["resolver"].get("/forums/sources").status_code == 403
    assert clients["admin"].get("/forums/sources").status_code == 200


def test_the_list_filters_without_and_with_htmx(clients, thread):
    page = clients["tpm"].get("/forums/").get_data(as_text=True)
    assert "2 threads, newest first." in page
    assert page.index("APEL question") < page.index("dCache pool does not start")  # newest first
    only = clients["tpm"].get("/forums/?q=setup+file").get_data(as_text=True)
    assert "1 thread, newest first." in only and "APEL question" not in only
    partial = clients["tpm"].hx("get", f"/forums/?component={thread.component_id}&q=setup")
    html = partial.get_data(as_text=True)
    assert "<html" not in html and "dCache pool does not start" in html and "APEL" not in html
    bad = clients["tpm"].get("/forums/?state=sleeping").get_data(as_text=True)
    assert "&#39;sleeping&#39; is not a thread state; that filter was left out." in bad


def test_the_thread_view_folds_quotes_and_keeps_attachments_out(clients, thread):
    html = clients["tpm"].get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert '<details class="forum-quote"><summary>Quoted text (2 lines)</summary>' in html
    assert "Check the pool&#39;s setup file." in html
    assert "Attachments, not kept here: pool.log.gz (application/octet-stream, 2.0 KB)" in html
    assert "xxxxxxxx" not in html
    assert "dCache" in html  # the component from the cheat sheet's forums field


def test_state_and_take_need_the_csrf_token(clients, thread):
    resolver = clients["resolver"]
    refused = resolver.post(f"/forums/threads/{thread.id}/take", data={})
    assert refused.status_code == 400 and ForumThread.get_by_id(thread.id).taken_by_id is None
    assert resolver.form(f"/forums/threads/{thread.id}/take").status_code == 303
    taken = ForumThread.get_by_id(thread.id)
    assert taken.taken_by_id == resolver.user.id and taken.state == "seen"
    resolver.form(f"/forums/threads/{thread.id}/state", {"state": "answered"})
    assert ForumThread.get_by_id(thread.id).state == "answered"
    bad = resolver.form(f"/forums/threads/{thread.id}/state", {"state": "gone"})
    assert bad.status_code == 400
    assert "&#39;gone&#39; is not a thread state" in bad.get_data(as_text=True)
    assert [e.kind for e in ForumThreadEvent.select().order_by(ForumThreadEvent.id)] == [
        "taken",
        "state",
    ]


def test_linking_shows_on_both_pages(clients, thread, make_ticket):
    make_ticket(91039, subject="dCache pool does not start after upgrade")
    tpm = clients["tpm"]
    suggested = tpm.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    assert 'data-link-ticket="91039"' in suggested and "Matched on: " in suggested
    missing = tpm.form(f"/forums/threads/{thread.id}/link", {"ggus_id": "12"})
    assert "There is no ticket 12 on this site." in missing.get_data(as_text=True)
    assert tpm.form(f"/forums/threads/{thread.id}/link", {"ggus_id": "91039"}).status_code == 303
    assert ForumThread.get_by_id(thread.id).state == "linked"
    assert "#91039" in tpm.get(f"/forums/threads/{thread.id}").get_data(as_text=True)
    ticket_page = tpm.get("/tickets/91039").get_data(as_text=True)
    assert "Forum threads" in ticket_page and f"/forums/threads/{thread.id}" in ticket_page
    tpm.form(f"/forums/threads/{thread.id}/unlink", {"ggus_id": "91039"})
    assert ForumThreadTicket.select().count() == 0


def test_spawning_records_a_ticket_through_the_workflow(clients, thread):
    tpm = clients["tpm"]
    response = tpm.form(
        f"/forums/threads/{thread.id}/spawn",
        {
            "ggus_id": "170001",
            "subject": "dCache pool does not start",
            "component": str(thread.component_id),
        },
    )
    assert response.status_code == 303
    ticket = Ticket.get(Ticket.ggus_id == 170001)
    assert ticket.status == "new" and ticket.component.name == "dCache"
    assert ticket.submitter == "Ann Example" and ticket.submitter_email == "ann@site.example.org"
    assert "our pool does not start after the upgrade." in ticket.description
    assert "From the thread" in ticket.description
    link = ForumThreadTicket.get()
    assert link.spawned == 1 and ForumThread.get_by_id(thread.id).state == "spawned"
    twice = tpm.form(f"/forums/threads/{thread.id}/spawn", {"ggus_id": "170001"})
    assert twice.status_code == 400
    assert "Ticket 170001 is already recorded." in twice.get_data(as_text=True)


def test_join_and_split_from_the_page(clients, thread):
    other = ForumThread.get(ForumThread.subject == "APEL question")
    resolver = clients["resolver"]
    joined = resolver.form(f"/forums/threads/{other.id}/join", {"into": str(thread.id)})
    assert joined.status_code == 303 and ForumThread.select().count() == 1
    reply = ForumMessage.get(ForumMessage.message_id == "m3@site.example.org")
    split = resolver.form(f"/forums/threads/{thread.id}/split", {"message": str(reply.id)})
    assert split.status_code == 303 and ForumThread.select().count() == 2


def test_the_sources_page_adds_a_list_and_shows_mailboxes(clients, thread):
    admin = clients["admin"]
    page = admin.get("/forums/sources").get_data(as_text=True)
    assert "user-forum@dcache.org" in page and "No mailbox is configured" in page
    assert '<a href="/components/dcache">dCache</a>' in page
    bad = admin.form("/forums/sources/lists", {"address": "not-an-address"})
    assert bad.status_code == 400 and 'value="not-an-address"' in bad.get_data(as_text=True)
    assert (
        admin.form("/forums/sources/lists", {"address": "dpm-users-forum@cern.ch"}).status_code
        == 303
    )
    assert "dpm-users-forum@cern.ch" in admin.get("/forums/sources").get_data(as_text=True)


def test_bad_forms_get_one_sentence_and_change_nothing(clients, thread):
    resolver = clients["resolver"]
    cases = [
        ("join", {"into": ""}, "Choose the thread to join this one into."),
        ("join", {"into": str(thread.id)}, "A thread cannot be joined with itself."),
        ("split", {"message": "999999"}, "That message is not in this thread."),
        ("spawn", {"ggus_id": "abc"}, "The GGUS id must be a whole number."),
        ("link", {"ggus_id": ""}, "There is no ticket (none given) on this site."),
    ]
    for action, data, sentence in cases:
        response = resolver.form(f"/forums/threads/{thread.id}/{action}", data)
        assert response.status_code == 400, action
        assert sentence in response.get_data(as_text=True).replace("&#39;", "'"), action
    assert ForumThread.select().count() == 2 and Ticket.select().count() == 0
    assert ForumThreadEvent.select().count() == 0
    assert resolver.form(f"/forums/threads/{thread.id}/nothing").status_code == 404
