"""Journey: a resolver marks a ticket as a requirement, assesses it as large, sends it to a real
RT 5 (tests/support/rt_server.py), and the ticket page shows the RT link — with no console errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dmsu.requirements.models import Requirement
from tests.support import rt_server as rt_fixtures

pytestmark = pytest.mark.e2e

rt_server = rt_fixtures.rt_server
rt_live = rt_fixtures.rt_live
rt_app_config = rt_fixtures.rt_app_config


@pytest.fixture
def app_config(rt_app_config):
    return rt_app_config


def test_mark_assess_send_to_rt_and_see_the_link_on_the_ticket(
    page, live_server, make_user, make_ticket, browser_login, console_errors, rt_live
):
    make_ticket(
        91039,
        subject="CREAM should publish the queue length per VO",
        description="ATLAS needs the number of waiting jobs per VO.",
        component="CREAM CE",
        category="change request",
        events=[{"at": "2013-02-11T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
    )
    browser_login(make_user("resolver", "rita", display_name="Rita Resolver"))

    page.goto(f"{live_server.url}/tickets/91039")
    page.get_by_role("link", name="Mark as requirement").first.click()
    expect(page.get_by_label("Title")).to_have_value("CREAM should publish the queue length per VO")
    expect(page.get_by_label("GGUS ticket(s) it came from")).to_have_value("91039")
    expect(page.get_by_label("Description")).to_contain_text("> ATLAS needs the number")
    page.get_by_role("button", name="Record requirement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "CREAM should publish the queue length per VO"
    )

    page.get_by_label("large — to the EGI RT requirements queue").check()
    page.get_by_role("button", name="Save assessment").click()
    expect(page.locator("#requirement-status")).to_have_text("assessed")
    page.get_by_role("button", name="Send to RT").click()
    expect(page.locator(".flash-success")).to_contain_text("Sent to RT as ticket #")

    requirement = Requirement.get()
    assert requirement.status == "in RT" and requirement.rt_id
    rt_url = f"{rt_live.url}/Ticket/Display.html?id={requirement.rt_id}"
    made = rt_live.rt().get_ticket(requirement.rt_id)
    assert [f["values"] for f in made["CustomFields"] if f["name"] == "Tag"] == [["DMSU"]]

    page.get_by_role("link", name="#91039").first.click()
    page.wait_for_url(re.compile(r"/tickets/91039$"))
    box = page.locator(".ticket-requirements")
    expect(box.get_by_role("link", name=f"RT #{requirement.rt_id}")).to_have_attribute(
        "href", rt_url
    )
    expect(box).to_contain_text("in RT")
    assert console_errors == []


def test_the_log_filters_live_as_one_types(
    page, live_server, make_user, browser_login, console_errors
):
    from dmsu.requirements import log

    user = make_user("assigner", "alice")
    log.create_requirement(user, title="Per-VO queue length in CREAM")
    log.create_requirement(user, title="glexec should log the mapping", description="for audits")
    browser_login(user)
    page.goto(f"{live_server.url}/requirements/")
    rows = page.locator("#requirement-rows tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Search title and description").press_sequentially("GLEXEC", delay=30)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("glexec should log the mapping")
    page.wait_for_url(re.compile(r"q=GLEXEC"))
    expect(page.locator("#csv-link")).to_have_attribute("href", "/requirements/export.csv?q=GLEXEC")
    page.get_by_label("Status").select_option("withdrawn")
    expect(page.locator("#requirement-rows")).to_contain_text("No requirements match.")
    assert console_errors == []
