"""The metrics pages: the seed's Table 1 for a project year, charts as SVG with their own CSP,
CSV beside every chart, the quarterly report and its markdown, bad periods."""

from __future__ import annotations

import csv
import io
import re

import pytest

from dmsu.core.clock import frozen, parse_instant


@pytest.fixture
def year(make_ticket):
    """Three tickets in PY3: one solved in DMSU, one to the 3rd line with an ETA, one to TPM."""
    make_ticket(
        1,
        events=[
            {"at": "2012-05-02T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
            {"at": "2012-05-12T09:00:00+00:00", "type": "status", "status": "solved"},
        ],
        component="CREAM CE",
        category="configuration",
    )
    make_ticket(
        2,
        events=[
            {"at": "2012-09-03T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
            {"at": "2012-09-03T10:00:00+00:00", "type": "assigned", "support_unit": "CREAM"},
            {"at": "2012-09-04T10:00:00+00:00", "type": "eta", "due": "2012-10-01"},
        ],
        component="CREAM CE",
        category="incident",
        subject="Internal subject that must stay internal",
    )
    make_ticket(
        3,
        events=[
            {"at": "2013-02-03T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
            {"at": "2013-02-03T10:00:00+00:00", "type": "assigned", "support_unit": "TPM"},
        ],
    )


def cells(html: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table[^>]*id="table-{table}".*?</table>', html, re.DOTALL).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in rows
    ]


def test_the_public_page_shows_table_1_for_a_project_year(client, year):
    response = client.get("/metrics/?period=PY3")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    table = cells(html, "table1")
    assert table[0] == ["Metric", "PQ9", "PQ10", "PQ11", "PQ12", "PY3"]
    rows = {row[0]: row[1:] for row in table[1:]}
    assert rows["Number of tickets assigned to DMSU"] == ["1", "1", "0", "1", "3"]
    assert rows["Number of tickets solved by DMSU"] == ["1", "0", "0", "0", "1"]
    assert rows["Share solved in DMSU (%)"] == ["100.0", "0.0", "–", "0.0", "33.3"]
    assert rows["Number of tickets reassigned to TPM"] == ["0", "0", "0", "1", "1"]
    assert rows["Number of tickets assigned to 3rd level support units"] == [
        "0",
        "1",
        "0",
        "0",
        "1",
    ]
    assert rows["Mean/median time to solve software support tickets in days"][0] == "10.0/10.0"
    assert "Internal subject" not in html
    for chart in ("assigned-per-month", "weekly-flow", "eta-accuracy", "per-product"):
        assert f'src="/metrics/charts/{chart}.svg?period=PY3"' in html
        assert f'href="/metrics/{chart}.csv?period=PY3"' in html
    assert re.search(r'<img [^>]*alt="Chart: [^"]+"', html)
    assert 'data-hx-get="/metrics/sla?period=PY3"' in html
    assert 'href="/metrics/report/PQ9"' in html


def test_the_page_defaults_to_the_current_project_year(client, year):
    with frozen(parse_instant("2012-12-01T12:00:00+00:00")):
        html = client.get("/metrics/").get_data(as_text=True)
    assert "<h1>Metrics for PY3</h1>" in html
    assert '<option value="PY3" selected>' in html


def test_a_bad_period_is_one_sentence_and_status_400(client, year):
    response = client.get("/metrics/?period=2013-05-01..2012-05-01")
    assert response.status_code == 400
    assert "must end after it starts" in response.get_data(as_text=True)
    assert client.get("/metrics/table1.csv?period=nonsense").status_code == 400
    assert client.get("/metrics/charts/weekly-flow.svg?period=nonsense").status_code == 400
    assert client.get("/metrics/nothing.csv?period=PY3").status_code == 404


@pytest.mark.parametrize(
    "chart",
    [
        "assigned-per-month",
        "weekly-flow",
        "eta-accuracy",
        "third-line-age",
        "sla-violations",
        "per-product",
    ],
)
def test_charts_are_static_svg_with_their_own_csp(client, year, chart):
    response = client.get(f"/metrics/charts/{chart}.svg?period=PY3")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert (
        response.headers["Content-Security-Policy"]
        == "default-src 'none'; style-src 'unsafe-inline'"
    )
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg")
    assert "<script" not in svg
    assert "<title>" in svg or 'class="title"' in svg


def test_the_monthly_chart_and_its_csv_carry_the_same_numbers(client, year):
    response = client.get("/metrics/assigned-per-month.csv?period=PY3")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Month", "Tickets assigned to DMSU"]
    assert rows[1] == ["2012-05", "1"]
    assert rows[5] == ["2012-09", "1"]
    assert len(rows) == 13
    svg = client.get("/metrics/charts/assigned-per-month.svg?period=PY3").get_data(as_text=True)
    assert "Number of tickets assigned to DMSU per month" in svg
    assert "2012-09" in svg


def test_per_product_csv_weights_by_registered_instances(app, client, year):
    from dmsu.cheatsheet.models import Component

    with app.app_context():
        Component.update(deployment_size=400).where(Component.name == "CREAM CE").execute()
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/metrics/per-product.csv?period=PY3").get_data(as_text=True))
        )
    )
    cream = next(r for r in rows if r["Component"] == "CREAM CE")
    assert (cream["Configuration"], cream["Incident"], cream["Total"]) == ("1", "1", "2")
    assert cream["Tickets per 100 instances"] == "0.5"


def test_the_quarterly_report_and_its_markdown(client, year):
    html = client.get("/metrics/report/PQ10").get_data(as_text=True)
    assert "<h1>Quarterly report PQ10</h1>" in html
    assert cells(html, "table1")[0] == ["Metric", "2012-08", "2012-09", "2012-10", "PQ10"]
    assert "TCB recommendations" not in html  # staff only
    text = client.get("/metrics/report/PQ10.md").get_data(as_text=True)
    assert text.startswith("# DMSU desk: quarterly report PQ10")
    assert "| Number of tickets assigned to 3rd level support units | 0 | 1 | 0 | 1 |" in text
    assert "### SLA response violations per product team" in text
    assert client.get("/metrics/report/PY3").status_code == 404


def test_the_sla_section_works_without_javascript_and_as_a_partial(client, year):
    page = client.get("/metrics/sla?period=PY3")
    assert page.status_code == 200
    assert "<h1>" in page.get_data(as_text=True)
    partial = client.get("/metrics/sla?period=PY3", headers={"HX-Request": "true"})
    assert "<h1>" not in partial.get_data(as_text=True)
    assert 'id="table-sla-violations"' in partial.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/metrics/?period=PY3", "/metrics/report/PQ10"])
def test_long_metrics_pages_open_with_jump_links_to_their_sections(client, year, url):
    html = client.get(url).get_data(as_text=True)
    toc = re.search(r'<nav class="page-toc" aria-label="On this page">(.*?)</nav>', html, re.S)
    anchors = re.findall(r'<a href="#([\w-]+)">', toc.group(1))
    assert len(anchors) >= 6
    for anchor in anchors:
        assert f'id="{anchor}"' in html
    assert html.index("</nav>", toc.start()) < html.index(f'id="{anchors[0]}"')


def test_the_plan_is_quoted_for_managers_not_as_a_developer_note(client, year):
    html = client.get("/metrics/?period=PY3").get_data(as_text=True)
    assert "Seed:" not in html
    assert "Review these numbers every month" in html
    assert re.search(
        r"<blockquote[^>]*>.*reviewed monthly.*<cite>From the DMSU plan</cite>", html, re.S
    )
