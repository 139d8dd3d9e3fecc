"""Wiki journeys in the browser: a solution digest from a ticket made public and read
anonymously; two editors collide and neither loses text. No console errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dmsu.wiki.pages import Draft, create_page
from tests.support.client import PASSWORD

pytestmark = pytest.mark.e2e

SOLVED = [
    {"at": "2013-01-07T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
    {"at": "2013-01-08T09:00:00+00:00", "type": "assigned", "support_unit": "CREAM"},
    {"at": "2013-01-20T09:00:00+00:00", "type": "status", "status": "solved"},
]


def test_write_a_solution_digest_make_it_public_and_read_it_anonymously(
    page, live_server, make_user, make_ticket, browser_login, console_errors
):
    make_ticket(
        91039,
        events=SOLVED,
        subject="CREAM jobs fail after proxy renewal",
        description="Jobs abort with proxy expired.",
        workaround="Restart tomcat.",
        lack_of_expertise=True,
        component="CREAM CE",
    )
    browser_login(make_user("resolver", "rita", display_name="Rita Resolver"))
    page.goto(f"{live_server.url}/tickets/91039")
    link = page.get_by_role("link", name="Write a solution digest")
    if link.count():
        link.first.click()
    else:  # the ticket page may not include the partial yet
        page.goto(f"{live_server.url}/wiki/new?ticket=91039")
    title = page.get_by_label("Title")
    expect(title).to_have_value("Solution digest: CREAM jobs fail after proxy renewal (#91039)")
    text = page.get_by_role("textbox", name="Text")
    expect(text).to_have_value(re.compile(r"Ticket: #91039"))
    body = text.input_value().replace(
        "_How it was solved, so that DMSU can solve the next one._",
        "Renew the **delegation** after a certificate change.",
    )
    text.fill(body)
    expect(page.locator("#preview strong")).to_have_text("delegation")  # live preview (htmx)
    page.get_by_label("Public — anyone").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_text(
        "Solution digest: CREAM jobs fail after proxy renewal (#91039)"
    )
    expect(page.locator(".flash-success")).to_contain_text("created")
    url = page.url
    page.get_by_role("button", name="Log out").click()
    page.goto(url)
    expect(page.locator("h1")).to_have_text(
        "Solution digest: CREAM jobs fail after proxy renewal (#91039)"
    )
    expect(page.locator(".prose strong")).to_have_text("delegation")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    page.goto(f"{live_server.url}/wiki/")
    page.get_by_label("Search the wiki", exact=True).press_sequentially("delegat")
    expect(page.locator("#search-results mark").first).to_have_text(re.compile("delegation", re.I))
    assert console_errors == []


def _log_in(page, base, user):
    page.goto(f"{base}/login")
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def test_two_editors_collide_and_the_second_keeps_their_text(
    browser, page, live_server, make_user, browser_login, console_errors
):
    rita = make_user("resolver", "rita", display_name="Rita Resolver")
    alice = make_user("assigner", "alice", display_name="Alice Assigner")
    create_page(Draft(title="Shared notes", markdown="first line\nsecond line\n"), rita)
    browser_login(rita)
    other_context = browser.new_context()
    other = other_context.new_page()
    other_errors: list[str] = []
    other.on("console", lambda m: other_errors.append(m.text) if m.type == "error" else None)
    try:
        _log_in(other, live_server.url, alice)
        page.goto(f"{live_server.url}/wiki/shared-notes/edit")
        other.goto(f"{live_server.url}/wiki/shared-notes/edit")
        page.get_by_role("textbox", name="Text").fill("first line\nsecond line, fixed by Rita\n")
        other.get_by_role("textbox", name="Text").fill("first line\nAlice's own paragraph\n")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".flash-success")).to_contain_text("Saved revision 2")
        other.get_by_role("button", name="Save").click()
        expect(other.get_by_role("alert")).to_contain_text(
            "Rita Resolver saved this page (revision 2) after you started editing"
        )
        expect(other.locator(".wiki-conflict ins")).to_contain_text("fixed by Rita")
        expect(other.get_by_role("textbox", name="Text")).to_have_value(
            "first line\nAlice's own paragraph\n"
        )
        merged = "first line\nsecond line, fixed by Rita\nAlice's own paragraph\n"
        other.get_by_role("textbox", name="Text").fill(merged)
        other.get_by_role("button", name="Save").click()
        expect(other.locator(".flash-success")).to_contain_text("Saved revision 3")
        expect(other.locator(".prose")).to_contain_text("Alice's own paragraph")
        expect(other.locator(".prose")).to_contain_text("fixed by Rita")
    finally:
        other_context.close()
    # Chromium logs every non-2xx document load; the refused save answers 409 on purpose.
    expected = "Failed to load resource: the server responded with a status of 409 (CONFLICT)"
    assert console_errors == [] and [e for e in other_errors if e != expected] == []
    assert other_errors.count(expected) == 1


def test_a_reader_finds_a_components_pages_grouped_and_goes_to_its_cheat_sheet_row(
    page, live_server, make_user, make_ticket, console_errors
):
    from dmsu.cheatsheet.models import Component

    rita = make_user("resolver", "rita", display_name="Rita Resolver")
    make_ticket(91039, events=SOLVED, component="CREAM CE")
    cream = Component.get(Component.name == "CREAM CE")
    for title, tags in (
        ("Known issue: proxy renewal fails", "known-issue cream"),
        ("Solution digest: jobs abort (#91039)", "solution-digest"),
    ):
        draft = Draft(title, "x", "public", tags, "Loaded from content/pages/x.md", cream.id)
        create_page(draft, rita)
    create_page(Draft("How to route a ticket", "x", "public", "routing how-to"), rita)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/wiki/")
    group = page.get_by_role("region", name=re.compile(r"^CREAM CE"))
    expect(group.get_by_role("listitem")).to_have_count(2)
    expect(page.get_by_role("region", name=re.compile(r"^Other pages"))).to_contain_text(
        "How to route a ticket"
    )
    side = page.locator("aside")
    expect(side).not_to_contain_text("Loaded from")
    expect(side).not_to_contain_text("Rita Resolver")  # the editor's name is for staff
    expect(side.locator(".wiki-recent").get_by_role("link", name="how-to")).to_be_visible()
    page.get_by_role("link", name="tag", exact=True).click()
    expect(page.get_by_role("region", name=re.compile(r"^routing"))).to_contain_text(
        "How to route a ticket"
    )
    page.goto(f"{live_server.url}/wiki/")
    group.get_by_role("link", name=re.compile("on the cheat sheet")).click()
    expect(page.locator("h1")).to_have_text("CREAM CE")
    digests = page.locator(".wiki-component-pages")
    expect(digests.get_by_role("heading", name=re.compile("Solution digests"))).to_be_visible()
    expect(digests).to_contain_text("Solution digest: jobs abort (#91039)")
    assert console_errors == []
