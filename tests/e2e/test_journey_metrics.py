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
