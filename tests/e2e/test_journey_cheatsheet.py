"""Journey: a TPM member finds who handles CREAM by typing in the cheat sheet (rows filter in
without a reload, the URL follows), opens the component, and routes a pasted ticket."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dmsu import content
from dmsu.cheatsheet import routing
from dmsu.cheatsheet.sheet import forget

pytestmark = pytest.mark.e2e


@pytest.fixture
def sheet(app):
    forget()
    routing.forget()
    content.load_all()


def test_tpm_finds_cream_opens_it_and_routes_a_ticket(
    sheet, page, live_server, make_user, browser_login, console_errors
):
    browser_login(make_user("tpm", "tina", display_name="Tina TPM"))
    page.goto(f"{live_server.url}/cheatsheet/")
    expect(page.locator("#row-dcache")).to_be_visible()
    page.evaluate("window.journeyMarker = 'no reload'")

    page.get_by_label("Search components, aliases, partners, experts, units").press_sequentially(
        "CRE", delay=60
    )
    expect(page.locator("#row-dcache")).to_have_count(0)
    cream = page.locator("#row-cream-ce")
    expect(cream).to_be_visible()
    expect(cream).to_contain_text("INFN")
    expect(cream).to_contain_text("Marco Rossi")
    page.wait_for_url(re.compile(r"/cheatsheet/\?.*q=CRE"))
    assert page.evaluate("window.journeyMarker") == "no reload"

    cream.get_by_role("link", name="CREAM CE").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_contain_text("CREAM CE")
    expect(page.get_by_text("Response times declared by CREAM")).to_be_visible()

    page.get_by_role("link", name="Route a ticket").click()
    page.wait_for_load_state("load")  # htmx (a deferred script) has taken over the form
    page.get_by_label("Subject").fill("Jobs stuck in REALLY-RUNNING on our CREAM")
    page.get_by_label("Text").fill(
        "Since the update the cream-ce BLAH parser loses jobs submitted to torque."
    )
    page.evaluate("window.journeyMarker = 'still no reload'")
    page.get_by_role("button", name="Suggest").click()
    first = page.locator(".suggestion").first
    expect(first).to_contain_text("CREAM CE")
    expect(first).to_contain_text("Assign to INFN, CESNET")
    expect(first).to_contain_text("alias 'CREAM' in subject")
    assert page.evaluate("window.journeyMarker") == "still no reload"
    assert console_errors == []


def test_an_assigner_edits_a_row_inline_and_sees_a_clear_error(
    sheet, page, live_server, make_user, browser_login, console_errors
):
    browser_login(make_user("assigner", "alice"))
    page.goto(f"{live_server.url}/cheatsheet/?q=dcache")
    row = page.locator("#row-dcache")
    row.get_by_role("link", name="Edit dCache").click()
    form = page.locator("#row-dcache.edit-row")
    expect(form).to_be_visible()
    form.get_by_label("DMSU partners").fill("KIT; Atlantis")
    form.get_by_role("button", name="Save").click()
    expect(form.get_by_role("alert")).to_have_text(re.compile(r"^Unknown partner 'Atlantis'"))
    expect(form.get_by_label("DMSU partners")).to_have_value("KIT; Atlantis")
    form.get_by_label("DMSU partners").fill("KIT; LIP")
    form.get_by_role("button", name="Save").click()
    display = page.locator("#row-dcache.sheet-row")
    expect(display).to_contain_text("LIP")
    assert console_errors == []


def test_an_assigner_sees_a_screenful_of_rows_and_a_typo_is_corrected_by_one_click(
    sheet, page, live_server, make_user, browser_login, console_errors
):
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_login(make_user("assigner", "alice", display_name="Alice Assigner"))
    page.goto(f"{live_server.url}/cheatsheet/")
    rows = page.locator("tr.sheet-row")
    heights = rows.evaluate_all("rs => rs.map(r => r.getBoundingClientRect().height)")
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('tr.sheet-row td')).lineHeight)"
    )
    assert len(heights) > 20
    assert max(heights) < 2.8 * line, (heights, line)  # two lines, the buttons included
    assert 768 / (sum(heights) / len(heights)) >= 12  # rows per screen (about 4 before)
    wrap = page.locator(".table-wrap").first
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")  # nothing hidden to the right

    page.get_by_label("Search components, aliases, partners, experts, units").press_sequentially(
        "dcahce", delay=40
    )
    empty = page.locator("p.empty")
    expect(empty).to_contain_text("No component matches “dcahce”.")
    expect(empty).to_contain_text("Did you mean dCache?")
    # Leaving the box fires the form's "change" refresh, as a real click on the link would:
    # let it come back first, so the click lands on the link it shows, not on one being swapped
    # out (it missed so under load in a clean-clone run).
    page.get_by_label("Search components, aliases, partners, experts, units").blur()
    page.wait_for_load_state("networkidle")  # no as-you-type answer still on its way
    empty = page.locator("p.empty")
    empty.get_by_role("link", name="dCache").click()
    page.wait_for_url(re.compile(r"/cheatsheet/\?q=dCache$"))
    expect(page.locator("#row-dcache")).to_be_visible()
    expect(page.get_by_label("Search components, aliases, partners, experts, units")).to_have_value(
        "dCache"
    )
    assert console_errors == []
