"""Accessibility: axe-core (from the npm registry) on every main page; no serious or critical
violations. The axe script is evaluated in a context that bypasses the CSP (the page's own
scripts still run under it; see shared/notes/browser-tests-and-csp.md)."""

from __future__ import annotations

import pytest

from tests.support.axe import AXE, serious_violations

pytestmark = pytest.mark.e2e

PUBLIC_PAGES = ["/", "/login", "/cheatsheet/", "/wiki/", "/digests/", "/metrics/"]
STAFF_PAGES = ["/tickets/", "/sweep", "/requirements/", "/wiki/", "/cheatsheet/"]


@pytest.fixture
def axe_page(browser, live_server):
    assert AXE.exists(), "axe-core is missing: the set-up step runs npm install"
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_no_serious_violations(axe_page, live_server, path):
    axe_page.goto(live_server.url + path)
    assert serious_violations(axe_page) == []


def test_staff_pages_have_no_serious_violations(axe_page, live_server, make_user):
    from tests.support.client import PASSWORD

    user = make_user("assigner", "alice")
    axe_page.goto(f"{live_server.url}/login")
    axe_page.get_by_label("User name").fill(user.username)
    axe_page.get_by_label("Password").fill(PASSWORD)
    axe_page.get_by_role("button", name="Log in").click()
    axe_page.wait_for_url(f"{live_server.url}/")
    problems = {}
    for path in STAFF_PAGES:
        axe_page.goto(live_server.url + path)
        found = serious_violations(axe_page)
        if found:
            problems[path] = found
    assert problems == {}
