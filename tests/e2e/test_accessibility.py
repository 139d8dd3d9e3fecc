"""Accessibility: axe-core (from the npm registry) on every main page; no serious or critical
violations. The axe script is evaluated in a context that bypasses the CSP (the page's own
scripts still run under it; see shared/notes/browser-tests-and-csp.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

AXE = Path("node_modules/axe-core/axe.min.js")
PUBLIC_PAGES = ["/", "/login", "/cheatsheet/", "/wiki/", "/digests/", "/metrics/"]
STAFF_PAGES = ["/tickets/", "/sweep", "/requirements/", "/wiki/", "/cheatsheet/"]


@pytest.fixture
def axe_page(browser, live_server):
    assert AXE.exists(), "axe-core is missing: the set-up step runs npm install"
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def serious_violations(page) -> list[str]:
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


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
