"""Journey: the shift opens Monday's draft, edits an entry, adds a ticket by number and one
of the week's candidates, drops one (htmx), previews, confirms and publishes (told no mail
went out); an anonymous reader finds the digest in the archive and in the feed."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.request import urlopen

import feedparser
import pytest

from dmsu.digests import rota, schedule
from dmsu.digests.models import Digest
from tests.support.axe import serious_violations
from tests.support.digests_history import SECRET_COMMENT, SECRET_EMAIL, WEEK, make_week

pytestmark = pytest.mark.e2e


def test_shift_publishes_mondays_digest_and_a_reader_finds_it(
    page, live_server, make_user, make_ticket, browser_login, console_errors, browser
):
    make_week(make_ticket)
    make_ticket(93001, subject="Hand-picked ticket for the digest", component="WMS")
    shift = make_user("assigner", "anna", display_name="Anna Shift")
    rota.generate_rota(WEEK, 1)
    with live_server.app.app_context():
        assert schedule.draft_previous_week(datetime(2013, 2, 18, 6, 0, tzinfo=UTC)).startswith(
            "drafted digest 2013-W07"
        )

    browser_login(shift)
    page.goto(f"{live_server.url}/digests/")
    page.get_by_role("link", name="edit 2013-W07").click()
    page.wait_for_url(f"**/digests/{WEEK}/edit")
    assert "prepared by Anna Shift" in page.content()

    page.get_by_label("Introduction").fill("Two problems worth knowing about this week.")
    impact = page.get_by_label("Impact of #91001")
    impact.fill("Every site on CREAM 1.14 loses **long** jobs.")

    # Add a ticket by hand (htmx appends its entry), then drop another one.
    page.get_by_label("GGUS ticket number").fill("93001")
    page.get_by_role("button", name="Add ticket").click()
    page.get_by_label("Title of #93001").wait_for()
    # Pick a candidate of the week with one click: its entry comes, its row goes.
    candidates = page.locator("#candidates").locator("xpath=..")
    assert "WMS loses sandbox" in candidates.inner_text()
    page.get_by_role("button", name="Add #91006").click()
    page.get_by_label("Title of #91006").wait_for()
    page.locator("#candidate-91006").wait_for(state="detached")
    page.get_by_role("button", name="Drop ticket #91002 from the digest").click()
    page.get_by_text("Dropped #91002").wait_for()
    assert impact.input_value() == "Every site on CREAM 1.14 loses **long** jobs."  # kept

    page.get_by_role("button", name="Preview").click()
    page.locator("#preview strong", has_text="long").wait_for()

    # "Add a ticket" sits above Publish, which asks first and says what will go out.
    add_box = page.locator("#add-ticket").bounding_box()
    page.get_by_text("Publish…", exact=True).click()
    confirm = page.locator("details.publish-confirm")
    assert "DMSU digest 2013-W07" in confirm.inner_text()
    assert "No e-mail will go out" in confirm.inner_text()
    assert "3 tickets (#91001, #93001, #91006)" in confirm.inner_text()  # htmx kept it current
    publish_now = page.get_by_role("button", name="Publish now")
    assert add_box["y"] < publish_now.bounding_box()["y"]
    publish_now.click()
    page.wait_for_url(f"**/digests/{WEEK}")
    assert "no mail: no recipients configured" in page.content()
    assert page.get_by_role("heading", level=1).inner_text().startswith("DMSU digest 2013-W07")
    assert Digest.get(Digest.week == WEEK).state == "published"

    # An anonymous reader: the archive, the digest, and the feed in a feed reader.
    reader = browser.new_context().new_page()
    reader_errors: list[str] = []
    reader.on("console", lambda m: reader_errors.append(m.text) if m.type == "error" else None)
    reader.goto(f"{live_server.url}/digests/")
    feed_href = reader.locator('link[rel="alternate"][type="application/atom+xml"]').get_attribute(
        "href"
    )
    reader.get_by_role("link", name="2013-W07", exact=True).click()
    reader.wait_for_url(f"**/digests/{WEEK}")
    body = reader.content()
    assert "Two problems worth knowing about this week." in body
    assert "<strong>long</strong>" in body and "Hand-picked ticket for the digest" in body
    assert "GGUS #91002" not in body
    assert SECRET_COMMENT not in body and SECRET_EMAIL not in body
    assert "Edit this digest" not in body

    with urlopen(f"{live_server.url}{feed_href}") as response:  # noqa: S310 (loopback)
        feed = feedparser.parse(response.read())
    assert not feed.bozo
    (entry,) = feed.entries
    assert entry.title.startswith("DMSU digest 2013-W07")
    assert entry.link.endswith(f"/digests/{WEEK}")
    assert "Hand-picked ticket for the digest" in entry.content[0].value
    assert console_errors == [] and reader_errors == []


def test_digest_pages_have_no_serious_accessibility_violations(
    browser, live_server, make_user, make_ticket
):
    """axe-core on the archive, a digest, the editor, the operations digest and the rota (as
    an admin, with its forms); the script runs in a context that bypasses the CSP."""

    from tests.support.client import PASSWORD

    make_week(make_ticket)
    make_user("assigner", "anna")
    admin = make_user("admin", "boss")
    rota.generate_rota(WEEK, 3)
    with live_server.app.app_context():
        schedule.draft_previous_week(datetime(2013, 2, 18, 6, 0, tzinfo=UTC))
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("User name").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    problems = {}
    for path in ("/digests/", f"/digests/{WEEK}", f"/digests/{WEEK}/edit", "/digests/operations",
                 "/digests/rota"):  # fmt: skip
        page.goto(live_server.url + path)
        found = serious_violations(page)
        if found:
            problems[path] = found
    context.close()
    assert problems == {}
