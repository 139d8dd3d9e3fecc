"""Journey: a TPM records a ticket and routes it to DMSU; an assigner finds it with the live
search, reassigns it to the product team's 3rd-line unit with an ETA, records the delivered
fix, and a release verified in UMD closes it. (The sweep part of the journey is the sweep's.)"""

from __future__ import annotations

import pytest

from dmsu.cheatsheet.models import Component
from dmsu.tickets import workflow
from dmsu.tickets.models import Ticket
from dmsu.tickets.units import SupportUnit
from tests.support.axe import serious_violations

pytestmark = pytest.mark.e2e


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()


def test_ticket_from_tpm_to_third_line_to_release(
    page, live_server, make_user, browser_login, console_errors
):
    unit = SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2")
    Component.create(name="CREAM CE", slug="cream-ce", support_unit=unit)
    SupportUnit.create(name="dCache", kind="third_line")
    tom = make_user("tpm", "tom", display_name="Tom TPM")
    ann = make_user("assigner", "ann", display_name="Ann Assigner")

    # 1st line records the ticket from GGUS and routes it to DMSU
    browser_login(tom)
    page.goto(f"{live_server.url}/tickets/new")
    page.get_by_label("GGUS id").fill("91039")
    page.get_by_label("Subject").fill("Jobs stuck in REALLY-RUNNING")
    page.locator("#t-description").fill("The CREAM CE keeps jobs in *REALLY-RUNNING*.")
    page.get_by_label("Component").select_option(label="CREAM CE")
    page.get_by_label("Priority").select_option("urgent")
    page.get_by_role("button", name="Record ticket").click()
    page.wait_for_url(f"{live_server.url}/tickets/91039")
    assert page.locator("#ticket-status").inner_text() == "new"
    assert page.locator("#ticket-unit").inner_text().startswith("TPM")
    page.locator("#route-note").fill("middleware issue")
    page.get_by_role("button", name="Route to DMSU", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#ticket-unit").inner_text().startswith("DMSU")
    assert page.locator("#ticket-status").inner_text() == "assigned"
    assert "Moved from TPM to DMSU" in page.locator(".ticket-timeline").inner_text()
    log_out(page)

    # the assigner finds it with the live search (htmx) and reassigns it to the 3rd line
    browser_login(ann)
    page.goto(f"{live_server.url}/tickets/")
    with page.expect_response(lambda r: "/tickets/?" in r.url and "q=REALLY" in r.url):
        page.get_by_label("Search subject and description").fill("REALLY")
    page.wait_for_function(
        "document.querySelector('#ticket-results').innerText.includes('1 open ticket')"
    )
    assert "q=REALLY" in page.url
    page.locator("#ticket-results").get_by_role("link", name="91039").click()
    page.wait_for_url(f"{live_server.url}/tickets/91039")
    page.locator("#action-third-line summary").click()
    assert "(suggested for CREAM CE)" in page.locator("#third-unit").inner_text()
    page.locator("#third-note").fill("Reproduce: submit 100 jobs and restart tomcat.")
    page.locator("#third-eta").fill("2013-03-01")
    page.get_by_role("button", name="Reassign to 3rd line").click()
    page.wait_for_load_state()
    # an ETA before today is asked to be confirmed; the form keeps what was typed
    assert "is before today" in page.get_by_role("alert").first.inner_text()
    assert page.locator("#third-note").input_value().startswith("Reproduce: submit 100 jobs")
    page.get_by_label("the ETA is in the past on purpose").check()
    page.get_by_role("button", name="Reassign to 3rd line").click()
    page.wait_for_load_state()
    assert page.locator("#ticket-unit").inner_text().startswith("CREAM")
    assert page.locator("#ticket-eta").inner_text() == "2013-03-01"
    timeline = page.locator(".ticket-timeline").inner_text()
    assert "Moved from DMSU to CREAM" in timeline and "ETA 2013-03-01 from CREAM" in timeline

    # a refused step keeps what was typed
    page.locator("#action-escalate summary").click()
    page.locator("#escalate-reason").fill("   ")
    page.get_by_role("button", name="Escalate").click()
    page.wait_for_load_state()
    assert "Say why the ticket is escalated." in page.get_by_role("alert").first.inner_text()
    # the browser reports the refusal's 400 status itself; nothing else may be logged
    assert [e for e in console_errors if "status of 400" not in e] == []
    console_errors.clear()

    # the product team delivers the fix; the ticket waits in UMD release
    assert page.locator("#escalate-reason").is_visible()  # the refused form is open again
    page.locator("#action-deliver-fix summary").click()
    page.locator("#fix-version").fill("1.4.3")
    page.get_by_role("button", name="Pass to UMD release").click()
    page.wait_for_load_state()
    assert page.locator("#ticket-unit").inner_text().startswith("UMD release")
    assert page.locator("#ticket-status").inner_text() == "assigned"

    # the release passes UMD verification: the ticket is closed
    page.goto(f"{live_server.url}/tickets/releases")
    page.get_by_label("Component").select_option(label="CREAM CE")
    page.get_by_label("Version").fill("1.4.10")
    page.get_by_label("UMD says").select_option("verified")
    page.get_by_role("button", name="Record release").click()
    page.wait_for_load_state()
    result = page.locator(".release-result").inner_text()
    assert "CREAM CE 1.4.10 verified" in result and "91039" in result and "closed" in result
    page.locator(".release-result").get_by_role("link", name="91039").click()
    page.wait_for_url(f"{live_server.url}/tickets/91039")
    assert page.locator("#ticket-status").inner_text() == "closed"
    assert "passed UMD verification" in page.locator(".ticket-timeline").inner_text()
    assert Ticket.get(Ticket.ggus_id == 91039).status == "closed"
    assert console_errors == []


def test_tpm_routes_a_ticket_with_one_click_from_its_own_page(
    page, live_server, make_user, browser_login, console_errors
):
    """Issue 18: the ticket page of a ticket in TPM shows the routing suggestions; one click on
    a suggestion routes it to DMSU with that component."""
    cream = SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2")
    Component.create(name="CREAM CE", slug="cream-ce", support_unit=cream)
    Component.create(name="VOMS", slug="voms")
    tom = make_user("tpm", "tom", display_name="Tom TPM")
    workflow.create_ticket(
        tom,
        ggus_id=91041,
        subject="CREAM CE jobs stuck in REALLY-RUNNING",
        description="Since the VOMS update? The CREAM CE keeps jobs running.",
    )
    browser_login(tom)
    page.goto(f"{live_server.url}/tickets/91041")
    suggestions = page.locator("#routing-help .suggestion")
    assert 1 <= suggestions.count() <= 3
    first = suggestions.first
    assert first.locator(".suggestion-head strong").inner_text() == "CREAM CE"
    assert first.locator(".badge").inner_text() == "strong match"
    assert "name 'CREAM CE' in subject" in first.locator(".reasons").inner_text()
    first.get_by_role("button", name="Route to DMSU as CREAM CE").click()
    page.wait_for_url(f"{live_server.url}/tickets/91041#timeline")
    assert page.locator("#ticket-unit").inner_text().startswith("DMSU")
    assert "routed to DMSU as a CREAM CE ticket" in page.locator("main").inner_text()
    assert page.locator("#routing-help").count() == 0
    timeline = page.locator(".ticket-timeline").inner_text()
    assert "Changed component: — → CREAM CE" in timeline and "Moved from TPM to DMSU" in timeline
    assert "(TPM)" in timeline  # the actor's role in words
    ticket = Ticket.get(Ticket.ggus_id == 91041)
    assert (ticket.support_unit.name, ticket.component.name) == ("DMSU", "CREAM CE")
    assert console_errors == []


def test_ticket_pages_have_no_serious_accessibility_violations(browser, live_server, make_user):
    """axe-core on the ticket page (with every action form), the list, recording and releases."""
    from tests.support.client import PASSWORD

    unit = SupportUnit.create(name="CREAM", kind="third_line")
    Component.create(name="CREAM CE", slug="cream-ce", support_unit=unit)
    ann = make_user("assigner", "ann")
    ticket = workflow.create_ticket(ann, ggus_id=5, subject="s", component="CREAM CE")
    workflow.route_to_dmsu(ticket, ann)
    workflow.add_comment(ticket, ann, "internal", public=False)
    workflow.reassign_to_third_line(ticket, ann, "CREAM", note="x", lack_of_expertise=True)
    workflow.create_ticket(ann, ggus_id=6, subject="CREAM CE jobs stuck")  # routing suggestions
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("User name").fill("ann")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    problems = {}
    for path in ("/tickets/5", "/tickets/6", "/tickets/mine", "/tickets/new", "/tickets/releases"):
        page.goto(live_server.url + path)
        for summary in page.locator("main details > summary").all():
            summary.click()  # open every folded form so axe checks it
        found = serious_violations(page)
        if found:
            problems[path] = found
    context.close()
    assert problems == {}


ROW_HEIGHTS = """() => [...document.querySelectorAll('table.tickets tbody tr')].map(row => {
  const cell = row.querySelector('td');
  return [row.getBoundingClientRect().height, parseFloat(getComputedStyle(cell).lineHeight)];
})"""


def test_the_list_shows_open_tickets_one_line_each_and_sorts_by_a_header(
    page, live_server, make_user, browser_login, console_errors
):
    """Issue 18: "every row wraps to two lines, so 50 rows take 3,700 px". At 1366 px each of
    50 rows is one line (long subjects end in an ellipsis, whole in the title); closed tickets
    wait behind "All"; a column header sorts."""
    unit = SupportUnit.create(name="Globus Appliances", kind="third_line")
    Component.create(name="GridFTP", slug="gridftp", support_unit=unit)
    ann = make_user("assigner", "ann", display_name="Ann Assigner with a long name")
    for n in range(1, 56):
        ticket = workflow.create_ticket(
            ann,
            ggus_id=n,
            subject=f"globus-gridftp {n}: returns an authorization error for valid proxies " * 2,
            component="GridFTP",
            priority="top priority" if n == 7 else "very urgent",
        )
        workflow.route_to_dmsu(ticket, ann)
        workflow.set_assignee(ticket, ann, ann)
    workflow.change_status(Ticket.get(Ticket.ggus_id == 1), ann, "solved", note="fixed")
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(ann)
    page.goto(f"{live_server.url}/tickets/")
    assert "54 open tickets, page 1 of 2." in page.locator(".result-count").inner_text()
    heights = page.evaluate(ROW_HEIGHTS)
    assert len(heights) == 50
    assert all(height < 2 * line for height, line in heights), heights
    body = page.locator("table.tickets tbody").bounding_box()["height"]
    assert body < 50 * 2 * heights[0][1]
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    subject = page.locator("table.tickets td.subject .clip").first
    assert subject.get_attribute("title").startswith("globus-gridftp")

    page.get_by_role("link", name="Priority").click()
    page.wait_for_load_state()
    assert "sort=priority" in page.url
    first = page.locator("table.tickets tbody tr").first
    assert first.locator("td").first.inner_text() == "7"  # top priority first
    page.locator(".state-switch").get_by_role("link", name="All").click()
    page.wait_for_load_state()
    assert "sort=priority" in page.url and "state=all" in page.url
    assert "55 tickets, open and closed" in page.locator(".result-count").inner_text()
    assert console_errors == []
