"""Journey: log in, visit every section, log out — with no console errors or CSP violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SECTIONS = ["Cheat sheet", "Tickets", "Sweep", "Wiki", "Digests", "Requirements", "Metrics"]


def test_log_in_visit_every_section_log_out(
    page, live_server, make_user, browser_login, console_errors
):
    user = make_user("assigner", "alice", display_name="Alice Assigner")
    browser_login(user)
    assert page.locator(".who").inner_text().startswith("Alice Assigner")
    nav = page.get_by_role("navigation", name="Main")
    for label in SECTIONS:
        nav.get_by_role("link", name=label, exact=True).click()
        page.wait_for_load_state()
        assert page.locator("h1").first.is_visible()
        assert (
            nav.get_by_role("link", name=label, exact=True).get_attribute("aria-current") == "page"
        )
        assert "Server error" not in page.content()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()  # waits for the answer
    assert not page.get_by_role("link", name="Sweep").count()
    assert console_errors == []


def test_wrong_password_in_the_browser(page, live_server, make_user):
    make_user("tpm", "tom")
    page.goto(f"{live_server.url}/login")
    page.get_by_label("User name").fill("tom")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text().startswith("Wrong user name or password")
    assert page.get_by_label("User name").input_value() == "tom"
