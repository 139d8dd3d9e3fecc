"""The search in the browser, as a supporter uses it: the header's box, live results as they
type (htmx, the URL kept in step), a filter, a GGUS number that jumps, and "seen before?"
loaded into a new ticket's page with the solved ticket it resembles. No console errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dmsu.tickets import workflow

pytestmark = pytest.mark.e2e


def test_a_supporter_finds_the_solved_ticket_a_new_one_resembles(
    page, live_server, make_user, browser_login, console_errors
):
    tpm, resolver = make_user("tpm"), make_user("resolver", "rita")
    old = workflow.create_ticket(
        tpm, ggus_id=99101, subject="BDII publishes stale GlueCE values after restart"
    )
    workflow.route_to_dmsu(old, tpm)
    workflow.add_comment(old, resolver, "The slapd cache kept the stale entries.", public=False)
    workflow.change_status(old, resolver, "in progress")
    workflow.change_status(old, resolver, "solved", note="Clear the slapd cache, then restart.")
    workflow.create_ticket(tpm, ggus_id=99102, subject="Stale GlueCE values in the site BDII")

    browser_login(resolver)
    page.get_by_role("searchbox", name="Search everything").fill("slapd cache")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=slapd\+cache"))
    expect(page.locator("#search-results mark").first).to_have_text(re.compile("slapd", re.I))

    box = page.locator("#search-q")  # live: the results change as the supporter types
    box.fill("GlueCE")
    expect(page.locator("#search-results")).to_contain_text("#99102")
    expect(page).to_have_url(re.compile(r"q=GlueCE"))
    page.get_by_text("Filters").click()
    page.locator("#search-status").select_option("solved")
    expect(page.locator("#search-results")).not_to_contain_text("#99102")
    expect(page.locator("#search-results")).to_contain_text("#99101")

    box.fill("99101")
    expect(page.locator(".search-jump")).to_contain_text("#99101")

    page.goto(f"{live_server.url}/tickets/99102")
    seen = page.locator("#seen-before")
    expect(seen.get_by_role("link", name=re.compile("#99101"))).to_be_visible()
    expect(seen).to_contain_text("solved")
    assert console_errors == []
