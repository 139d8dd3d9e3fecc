"""Journey: a TPM records a ticket and routes it to DMSU; an assigner finds it with the live
search, reassigns it to the product team's 3rd-line unit with an ETA, records the delivered
fix, and a release verified in UMD closes it. (The sweep part of the journey is the sweep's.)"""

from __future__ import annotations

import pytest

from dmsu.cheatsheet.models import Component
from dmsu.tickets.models import Ticket
from dmsu.tickets.units import SupportUnit

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
    page.get_by_role("button", name="Route to DMSU").click()
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
        "document.querySelector('#ticket-results').innerText.includes('1 ticket')"
    )
    assert "q=REALLY" in page.url
    page.locator("#ticket-results").get_by_role("link", name="91039").click()
    page.wait_for_url(f"{live_server.url}/tickets/91039")
    assert "(suggested for CREAM CE)" in page.locator("#third-unit").inner_text()
    page.locator("#third-note").fill("Reproduce: submit 100 jobs and restart tomcat.")
    page.locator("#third-eta").fill("2013-03-01")
    page.get_by_role("button", name="Reassign to 3rd line").click()
    page.wait_for_load_state()
    assert page.locator("#ticket-unit").inner_text().startswith("CREAM")
    assert page.locator("#ticket-eta").inner_text() == "2013-03-01"
    timeline = page.locator(".ticket-timeline").inner_text()
    assert "Moved from DMSU to CREAM" in timeline and "ETA 2013-03-01 from CREAM" in timeline

    # a refused step keeps what was typed
    page.locator("#escalate-reason").fill("   ")
    page.get_by_role("button", name="Escalate").click()
    page.wait_for_load_state()
    assert "Say why the ticket is escalated." in page.get_by_role("alert").first.inner_text()
    # the browser reports the refusal's 400 status itself; nothing else may be logged
    assert [e for e in console_errors if "status of 400" not in e] == []
    console_errors.clear()

    # the product team delivers the fix; the ticket waits in UMD release
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
