"""Journey (issue 18 point 1): the assigner on shift logs in and lands on their work (the
banner, the new ticket nobody took, the stalled one, the ETA of the week, last week's digest
due) and follows the digest link into the editor; TPM lands on what waits to be routed; on a
390 px phone the home is no wider than the screen."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dmsu.core import clock
from dmsu.digests import rota
from dmsu.digests.drafting import draft_digest
from dmsu.digests.models import Shift
from tests.support.axe import serious_violations

pytestmark = pytest.mark.e2e


def _iso(moment) -> str:
    return moment.isoformat()


def test_staff_land_on_their_work(page, live_server, make_user, make_ticket, browser_login,
                                  console_errors, browser):  # fmt: skip
    now = clock.now()
    week = rota.week_of(now)
    anna = make_user("assigner", "anna", display_name="Anna Shift")
    tess = make_user("tpm", "tess", display_name="Tess Router")
    Shift.create(week=week, user=anna)
    make_ticket(97001, subject="Fresh ticket nobody took",
                events=[{"at": _iso(now - timedelta(hours=2)), "type": "assigned",
                         "support_unit": "DMSU"}])  # fmt: skip
    make_ticket(97002, subject="Stalled for two weeks", assignee=anna,
                events=[{"at": _iso(now - timedelta(days=14)), "type": "assigned",
                         "support_unit": "DMSU"}])  # fmt: skip
    today = now.date()
    make_ticket(97003, subject="Fix promised soon",
                events=[
                    {"at": _iso(now - timedelta(days=5)), "type": "assigned", "support_unit": "DMSU"},
                    {"at": _iso(now - timedelta(days=4)), "type": "assigned", "support_unit": "CREAM"},
                    {"at": _iso(now - timedelta(days=3)), "type": "eta", "support_unit": "CREAM",
                     "due": (today + timedelta(days=3)).isoformat()},
                ])  # fmt: skip
    make_ticket(97004, subject="Waiting at the first line",
                events=[{"at": _iso(now - timedelta(hours=5)), "type": "assigned",
                         "support_unit": "TPM"}])  # fmt: skip
    last_week = rota.add_weeks(week, -1)
    draft_digest(last_week)

    browser_login(anna)
    assert page.get_by_role("heading", level=1).inner_text() == "Your work, Anna Shift"
    assert page.get_by_role(
        "heading", name=f"You are on DMSU shift this week ({week})"
    ).is_visible()
    assert "Fresh ticket nobody took" in page.locator("#home-new").locator("xpath=..").inner_text()
    reaction = page.locator("#home-reaction").locator("xpath=..").inner_text()
    assert "Stalled for two weeks" in reaction
    assert "Stalled for two weeks" in page.locator("#home-mine").locator("xpath=..").inner_text()
    deadlines = page.locator("#home-deadlines").locator("xpath=..").inner_text()
    assert "Fix promised soon" in deadlines and (today + timedelta(days=3)).isoformat() in deadlines

    page.get_by_role("link", name="Edit and publish it").click()
    page.wait_for_url(f"**/digests/{last_week}/edit")
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith(f"Edit DMSU digest {last_week}")
    )

    # On a phone the home keeps to the screen (tables scroll inside their box).
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # TPM: what waits to be routed, one click from the ticket.
    context = browser.new_context()
    tpm = context.new_page()
    tpm_errors: list[str] = []
    tpm.on("console", lambda m: tpm_errors.append(m.text) if m.type == "error" else None)
    from tests.support.client import PASSWORD

    tpm.goto(f"{live_server.url}/login")
    tpm.get_by_label("User name").fill(tess.username)
    tpm.get_by_label("Password").fill(PASSWORD)
    tpm.get_by_role("button", name="Log in").click()
    tpm.wait_for_url(f"{live_server.url}/")
    waiting = tpm.locator("#home-tpm").locator("xpath=..")
    assert "Waiting at the first line" in waiting.inner_text()
    assert tpm.locator("#home-reaction").count() == 0
    assert "On DMSU shift this week" in tpm.content() and "Anna Shift" in tpm.content()
    waiting.get_by_role("link", name="97004").click()
    tpm.wait_for_url("**/tickets/97004")
    context.close()
    assert console_errors == [] and tpm_errors == []


def test_the_staff_home_has_no_serious_accessibility_violations(browser, live_server, make_user,
                                                                 make_ticket):  # fmt: skip
    """axe-core on the home of the assigner on shift (every section filled) and of TPM."""

    from tests.support.client import PASSWORD

    now = clock.now()
    anna = make_user("assigner", "anna")
    tess = make_user("tpm", "tess")
    Shift.create(week=rota.week_of(now), user=anna)
    make_ticket(97011, assignee=anna, events=[{"at": _iso(now - timedelta(days=9)),
                                               "type": "assigned", "support_unit": "DMSU"}])  # fmt: skip
    make_ticket(97012, events=[{"at": _iso(now - timedelta(hours=3)), "type": "assigned",
                                "support_unit": "TPM"}])  # fmt: skip
    problems = {}
    for user in (anna, tess):
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        page.goto(f"{live_server.url}/login")
        page.get_by_label("User name").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        found = serious_violations(page)
        if found:
            problems[user.username] = found
        context.close()
    assert problems == {}
