"""Journey: a public reader opens the metrics of a project year and sees Table 1, the charts
(drawn as images) and the SLA section loaded by htmx, with no console errors or CSP
violations."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_the_metrics_page_of_a_year_renders_its_table_and_charts(
    live_server, page, console_errors, make_ticket
):
    make_ticket(
        1,
        events=[
            {"at": "2012-05-02T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
            {"at": "2012-05-03T09:00:00+00:00", "type": "assigned", "support_unit": "CREAM"},
            {"at": "2012-05-04T09:00:00+00:00", "type": "eta", "due": "2012-06-01"},
            {"at": "2012-05-30T09:00:00+00:00", "type": "assigned", "support_unit": "UMD release"},
        ],
        component="CREAM CE",
    )
    page.goto(f"{live_server.url}/metrics/?period=PY3")
    table = page.locator("#table-table1")
    assert table.locator("thead th").all_inner_texts() == [
        "Metric",
        "PQ9",
        "PQ10",
        "PQ11",
        "PQ12",
        "PY3",
    ]
    first_row = table.locator("tbody tr").first.locator("td").all_inner_texts()
    assert first_row == ["1", "0", "0", "0", "1"]
    images = page.locator("img[src*='/metrics/charts/']")
    assert images.count() >= 5
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
        assert image.get_attribute("alt").startswith("Chart: ")
    page.locator("#table-sla-violations").wait_for()
    page.get_by_label("Period", exact=True).select_option("PQ9")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/metrics/?period=PQ9")
    assert page.locator("h1").inner_text() == "Metrics for PQ9"
    assert console_errors == []


LONG_TEAM = "Storage Element Management Product Team"
LONG_COMPONENT = "Storage Resource Manager web front end"
CHARTS = (
    "assigned-per-month",
    "weekly-flow",
    "eta-accuracy",
    "third-line-age",
    "sla-violations",
    "per-product",
)
TEXT_BOXES = """svg => {
  const frame = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
    const box = t.getBoundingClientRect();
    return {text: t.textContent, left: box.left - frame.left, right: box.right - frame.left,
            top: box.top - frame.top, bottom: box.bottom - frame.top};
  });
}"""


def test_a_manager_jumps_through_the_running_year_and_every_label_is_whole(
    live_server, page, console_errors, make_ticket, app
):
    from dmsu.cheatsheet.models import Component
    from dmsu.core.clock import frozen, parse_instant

    for n, day in enumerate(("2012-05-07", "2012-06-11", "2012-09-03"), 1):
        make_ticket(
            n,
            events=[
                {"at": f"{day}T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
                {"at": f"{day}T10:00:00+00:00", "type": "assigned", "support_unit": LONG_TEAM},
            ],
            component=LONG_COMPONENT,
        )
    with app.app_context():
        Component.update(deployment_size=50).execute()
    page.set_viewport_size({"width": 1366, "height": 768})
    with frozen(parse_instant("2012-09-05T12:00:00+00:00")):  # PY3 is running
        page.goto(f"{live_server.url}/metrics/?period=PY3")
        toc = page.get_by_role("navigation", name="On this page")
        for link in ("Per week", "SLA violations", "Per product"):
            toc.get_by_role("link", name=link).click()
            heading = page.locator(toc.get_by_role("link", name=link).get_attribute("href"))
            top = heading.evaluate("h => h.getBoundingClientRect().top")
            assert 0 <= top < 100, (link, top)  # the section starts at the top of the screen
        assert "From the DMSU plan" in page.locator("blockquote cite").inner_text()
        assert "Seed:" not in page.locator("main").inner_text()
        page.set_viewport_size({"width": 900, "height": 480})
        for name in CHARTS:
            page.goto(f"{live_server.url}/metrics/charts/{name}.svg?period=PY3")
            boxes = page.locator("svg").first.evaluate(TEXT_BOXES)
            assert boxes, name
            for box in boxes:
                inside = box["left"] >= 0 and box["right"] <= 900 and box["top"] >= 0
                assert inside and box["bottom"] <= 480, (name, box)
                assert "…" not in box["text"], (name, box)
            texts = [box["text"] for box in boxes]
            if name == "weekly-flow":
                assert "2012-W36 (so far)" in texts and "2012-W37" not in texts
            if name == "sla-violations":
                assert LONG_TEAM in texts
            if name == "per-product":
                assert LONG_COMPONENT in texts
    assert console_errors == []
