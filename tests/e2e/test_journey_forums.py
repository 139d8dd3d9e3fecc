"""Journey: list mail arrives in a real Dovecot and is fetched; a supporter finds the thread with
the live filter, reads it with the quote folded, links it to the ticket the site suggests (the
ticket page shows the thread), then spawns a new ticket from another thread — no console errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dmsu.cheatsheet.models import Component
from dmsu.forums.imap_fetch import ImapSettings, fetch_all
from dmsu.tickets.models import Ticket
from tests.support import imap_server
from tests.support.forum_mail import mail

pytestmark = pytest.mark.e2e

dovecot = imap_server.dovecot

QUESTION = "Hello,\nthe dCache pool refuses transfers with a checksum mismatch after the upgrade.\n"
REPLY = (
    "On Mon, 2 Mar 2026, Ann Example <ann@site.example.org> wrote:\n"
    "> the dCache pool refuses transfers with a checksum mismatch\n\n"
    "We see it too; a ticket is open.\n"
)


def test_link_a_thread_and_spawn_a_ticket(
    page, live_server, app, make_user, make_ticket, browser_login, console_errors, dovecot
):
    dcache = Component.create(name="dCache", slug="dcache", forums="user-forum@dcache.org")
    make_ticket(91039, subject="dCache pool refuses transfers: checksum mismatch", component=dcache)
    dovecot.append(mail(1, subject="Pool refuses transfers: checksum mismatch", body=QUESTION))
    dovecot.append(
        mail(
            2,
            subject="Re: Pool refuses transfers: checksum mismatch",
            body=REPLY,
            in_reply_to="<m1@site.example.org>",
        )
    )
    dovecot.append(mail(3, subject="Tape restore hangs on staging", body="Staging never ends.\n"))
    assert fetch_all(ImapSettings.from_config({**app.config, **dovecot.settings()})).new == 3

    browser_login(make_user("resolver", "rita", display_name="Rita Resolver"))
    page.goto(f"{live_server.url}/forums/")
    expect(page.locator(".result-count")).to_have_text("2 threads, newest first.")
    page.get_by_label("Search subjects, mail and senders").fill("checksum")
    expect(page.locator(".result-count")).to_have_text("1 thread, newest first.")  # htmx
    page.get_by_role("link", name="Pool refuses transfers: checksum mismatch").click()

    quote = page.locator("details.forum-quote").first
    expect(quote.locator("pre")).not_to_be_visible()
    quote.locator("summary").click()
    expect(quote.locator("pre")).to_be_visible()

    page.get_by_role("button", name="Take it").click()
    expect(page.locator("#thread-taken")).to_have_text("Rita Resolver")
    page.locator('[data-link-ticket="91039"]').click()
    expect(page.locator(".flash-success")).to_contain_text("linked to ticket 91039")
    expect(page.locator("#thread-state")).to_have_text("linked to a ticket")
    page.get_by_role("link", name="#91039", exact=True).click()
    page.wait_for_url(re.compile(r"/tickets/91039$"))
    expect(page.locator(".ticket-forum-threads")).to_contain_text("Pool refuses transfers")

    page.goto(f"{live_server.url}/forums/")
    page.get_by_role("link", name="Tape restore hangs on staging").click()
    page.get_by_label("GGUS id of the new ticket").fill("170100")
    page.get_by_role("button", name="Spawn ticket").click()
    expect(page.locator(".flash-success")).to_contain_text("Ticket 170100 was recorded")
    spawned = Ticket.get(Ticket.ggus_id == 170100)
    assert spawned.status == "new" and spawned.submitter_email == "ann@site.example.org"
    assert spawned.component_id == dcache.id
    page.get_by_role("link", name="#170100", exact=True).click()
    expect(page.locator(".ticket-forum-threads")).to_contain_text("this ticket was spawned from it")
    assert console_errors == []


@pytest.fixture
def axe_page(browser):
    from tests.support.axe import AXE

    assert AXE.exists(), "axe-core is missing: the set-up step runs npm install"
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


def test_the_forums_pages_have_no_serious_violations(axe_page, live_server, make_user, make_ticket):
    from dmsu.forums.ingest import take_in_all
    from dmsu.forums.lists import ensure_list
    from dmsu.forums.models import ForumThread
    from tests.support.axe import serious_violations
    from tests.support.client import PASSWORD

    make_ticket(91039, subject="dCache pool refuses transfers: checksum mismatch")
    take_in_all(
        [
            ("1", mail(1, body=QUESTION)),
            ("2", mail(2, body=REPLY, in_reply_to="<m1@site.example.org>")),
        ],
        ensure_list("user-forum@dcache.org"),
    )
    user = make_user("admin", "ada")
    axe_page.goto(f"{live_server.url}/login")
    axe_page.get_by_label("User name").fill(user.username)
    axe_page.get_by_label("Password").fill(PASSWORD)
    axe_page.get_by_role("button", name="Log in").click()
    axe_page.wait_for_url(f"{live_server.url}/")
    problems = {}
    thread = ForumThread.get()
    for path in ("/forums/", f"/forums/threads/{thread.id}", "/forums/sources", "/forums/counts"):
        axe_page.goto(live_server.url + path)
        found = serious_violations(axe_page)
        if found:
            problems[path] = found
    assert problems == {}
