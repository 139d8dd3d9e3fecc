"""Journey: a ticket at the 3rd line with an ETA; after the ETA passes the sweep shows it under
"ETA expired"; the assigner records a progress note inline and the row updates in place."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dmsu.core import clock
from dmsu.tickets.models import TicketEvent

pytestmark = pytest.mark.e2e


@pytest.fixture
def after_the_eta():
    clock.set_now(datetime(2013, 3, 5, 10, 0, tzinfo=UTC))
    yield
    clock.set_now(None)


def test_the_sweep_shows_an_expired_eta_and_takes_a_progress_note_inline(
    page, live_server, make_user, make_ticket, browser_login, console_errors, after_the_eta
):
    make_ticket(
        91039,
        subject="CREAM loses jobs after restart",
        component="CREAM CE",
        events=[
            {"at": "2013-02-11T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
            {"at": "2013-02-12T09:00:00+00:00", "type": "assigned", "support_unit": "CREAM"},
            {"at": "2013-02-13T09:00:00+00:00", "type": "eta", "due": "2013-03-01"},
        ],
    )
    browser_login(make_user("assigner", "alice", display_name="Alice Assigner"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sweep").click()
    page.wait_for_load_state()

    section = page.locator("section#eta-expired")
    row = section.locator("tr#row-eta-expired-91039")
    assert row.is_visible()
    assert "ETA 2013-03-01 expired" in row.inner_text()
    assert "CREAM loses jobs after restart" in row.inner_text()

    page.evaluate("window.__sameDocument = true")  # survives only if nothing reloads the page
    note = row.get_by_label("Progress note on ticket 91039 (internal)")
    assert not note.is_visible()  # one folded "Update" control per row
    row.locator("summary", has_text="Update").click()
    assert note.is_visible()
    note.fill("Pinged the CREAM team; new ETA expected this week")
    row.get_by_role("button", name="Save").click()
    page.locator("tr#row-eta-expired-91039.sweep-updated").wait_for()
    assert not page.locator("tr#row-eta-expired-91039 .sweep-form").is_visible()  # folded again

    updated = page.locator("tr#row-eta-expired-91039")
    assert "Saved" in updated.inner_text()
    assert updated.get_by_label("Progress note on ticket 91039 (internal)").input_value() == ""
    assert page.evaluate("window.__sameDocument") is True
    note = TicketEvent.get(TicketEvent.kind == "comment")
    assert note.text == "Pinged the CREAM team; new ETA expected this week"
    assert not note.public and note.actor_role == "dmsu"
    assert console_errors == []


ROW_HEIGHTS = """() => [...document.querySelectorAll('table.sweep-table tbody tr')].map(row => {
  const cell = row.querySelector('td');
  return [row.getBoundingClientRect().height, parseFloat(getComputedStyle(cell).lineHeight)];
})"""


def test_sweep_rows_take_one_line_at_desktop_width(
    page, live_server, make_user, make_ticket, browser_login, after_the_eta
):
    """Issue 18: ages and dates wrapped ("225" / "d"); each row is one line at 1366 px, also
    with long subjects, and a row's "Update" unfolds its form."""
    for n in range(8):
        make_ticket(
            91100 + n,
            subject="Jobs stay in REALLY-RUNNING after the CREAM CE restarts " * 3,
            component="CREAM CE",
            priority="top priority" if n == 0 else "urgent",
            events=[
                {"at": "2012-06-11T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
                {"at": "2012-06-12T09:00:00+00:00", "type": "assigned", "support_unit": "CREAM"},
                {"at": "2012-06-13T09:00:00+00:00", "type": "eta", "due": "2013-03-01"},
            ],
        )
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(make_user("assigner", "alice", display_name="Alice Assigner"))
    page.goto(f"{live_server.url}/sweep")
    heights = page.evaluate(ROW_HEIGHTS)
    assert len(heights) >= 8
    assert all(height < 2 * line for height, line in heights), heights
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    row = page.locator("tr#row-eta-expired-91100")
    assert "267\xa0d" in row.inner_text()  # the age stays one piece
    assert not row.locator("form").is_visible()
    row.locator("summary", has_text="Update").click()
    assert row.locator("form").is_visible()
    assert row.get_by_role("button", name="Save").is_visible()
    page.set_viewport_size({"width": 390, "height": 800})  # a phone: the table scrolls in its box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
