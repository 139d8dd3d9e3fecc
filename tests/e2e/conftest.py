"""Browser journeys: Playwright drives Debian's Chromium against a live server per test
(``live_server`` of ``tests/conftest.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    assert CHROMIUM.exists(), (
        "Chromium is missing: the test command installs it (apt-get install chromium)"
    )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM)}


@pytest.fixture
def console_errors(page):
    """Console errors and CSP violations seen by the page; a journey asserts it stays empty."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.fixture
def browser_login(page, live_server):
    from tests.support.client import PASSWORD

    def log_in(user):
        page.goto(f"{live_server.url}/login")
        page.get_by_label("User name").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return log_in
