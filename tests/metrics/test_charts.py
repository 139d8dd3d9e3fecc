"""Charts that tell the truth, read back from the SVG pygal draws: the axis title beside the
category labels names the categories, bars grow along the value axis, a violation is drawn
red beside a green "met", labels are not cut short, and periods after today are not drawn."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import pytest

from dmsu.core.clock import frozen, parse_instant
from dmsu.metrics import charts
from dmsu.metrics.tables import Table

SVG = "{http://www.w3.org/2000/svg}"
LONG_NAME = "Grid Storage Element Management Team of the Middleware"


@dataclass
class Chart:
    """What a reader sees in a chart: the title on the left (rotated) and at the bottom, the
    labels of each axis, and each series' colour and bars."""

    left_title: str
    bottom_title: str
    axes: dict[str, list[tuple[str, float, float]]]
    series: dict[str, dict] = field(default_factory=dict)

    def labels_down_the_left(self) -> list[str]:
        """The axis whose labels share one x and differ in y: it runs down the left."""
        for texts in self.axes.values():
            xs, ys = {x for _, x, _ in texts}, {y for _, _, y in texts}
            if len(texts) > 1 and len(xs) == 1 and len(ys) == len(texts):
                return [text for text, _, _ in texts]
        return []


def read_chart(svg: bytes) -> Chart:
    root = ET.fromstring(svg)  # noqa: S314 (the SVG our own charts drew)
    titles = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "titles")
    left = bottom = ""
    for text in titles.iter(f"{SVG}text"):
        if "plot_title" in text.get("class", ""):
            continue
        if "rotate(-90" in (text.get("transform") or ""):
            left = text.text
        else:
            bottom = text.text
    axes = {}
    for group in root.iter(f"{SVG}g"):
        name = group.get("class", "")
        if name.startswith("axis "):
            axes[name.split()[1]] = [
                (t.text, float(t.get("x")), float(t.get("y")))
                for t in group.iter(f"{SVG}text")
                if t.text and t.get("class") != "title"
            ]
    styles = "".join(s.text or "" for s in root.iter(f"{SVG}style"))
    colours = dict(re.findall(r"\.color-(\d+),[^{]*\{stroke:(#[0-9a-f]{6})", styles))
    chart = Chart(left, bottom, axes)
    for legend in root.iter(f"{SVG}g"):
        if (legend.get("id") or "").startswith("activate-serie-"):
            index = legend.get("id").rsplit("-", 1)[1]
            label = next(legend.iter(f"{SVG}text")).text
            chart.series[label] = {"colour": colours[index], "bars": []}
            for group in root.iter(f"{SVG}g"):
                if f"serie-{index} " in (group.get("class") or "") + " ":
                    chart.series[label]["bars"] += [
                        (float(r.get("width")), float(r.get("height")))
                        for r in group.iter(f"{SVG}rect")
                        if "rect" in (r.get("class") or "")
                    ]
    return chart


def sla_table() -> Table:
    columns = ["3rd-line unit", "SLA level", "Assignments", "Met", "Violated"]
    rows = [
        ["CREAM", "Level 2", 12, 4, 8, 0, 0, 0, 66.7],
        ["dCache", "Level 2", 10, 7, 3, 0, 0, 0, 30.0],
        [LONG_NAME, "Level 3", 5, 4, 1, 0, 0, 0, 20.0],
    ]
    return Table("sla-violations", "SLA response violations per product team", columns, rows)


def test_the_sla_chart_titles_its_category_axis_with_the_teams():
    chart = read_chart(charts.sla_violations(sla_table()))
    assert set(chart.labels_down_the_left()) == {"CREAM", "dCache", LONG_NAME}
    assert chart.left_title == "Product team"
    assert chart.bottom_title == "Assignments"


def test_the_sla_bars_grow_along_the_value_axis_and_the_worst_team_is_on_top():
    chart = read_chart(charts.sla_violations(sla_table()))
    violated = chart.series["Violated"]["bars"]
    widths, heights = [w for w, _ in violated], {round(h, 3) for _, h in violated}
    assert len(heights) == 1  # one bar thickness: the length carries the number
    # pygal draws the first label at the bottom: the bars come bottom-up, the worst last
    assert widths == sorted(widths)
    assert widths[-1] == pytest.approx(8 / 3 * widths[-2])
    assert chart.labels_down_the_left()[-1] == "CREAM"  # the top label


def test_violations_are_red_beside_a_green_met():
    chart = read_chart(charts.sla_violations(sla_table()))
    assert chart.series["Violated"]["colour"] == charts.BAD == "#c0392b"
    assert chart.series["Met"]["colour"] == charts.GOOD == "#2e8b57"


def test_long_labels_are_not_cut_short():
    months = [[f"2012-{n:02d}", n] for n in range(1, 12)] + [["2012-12 (so far)", 1]]
    table = Table("assigned-per-month", "Per month", ["Month", "Tickets"], months)
    for chart in (
        read_chart(charts.sla_violations(sla_table())),
        read_chart(charts.assigned_per_month(table)),
    ):
        texts = [text for labels in chart.axes.values() for text, _, _ in labels]
        assert not any("…" in text for text in texts)
    assert LONG_NAME in read_chart(charts.sla_violations(sla_table())).labels_down_the_left()
    assert "2012-12 (so far)" in texts


def test_the_per_product_chart_titles_its_axes_by_what_they_show():
    table = Table(
        "per-product",
        "Tickets per product and category",
        ["Component", "Total", "Registered instances", "Tickets per 100 instances"],
        [["CREAM CE", 4, 200, 2.0], ["dCache", 9, 100, 9.0], ["WMS", 1, None, None]],
    )
    chart = read_chart(charts.per_product(table))
    assert chart.labels_down_the_left() == ["CREAM CE", "dCache"]  # the biggest on top
    assert chart.left_title == "Component"
    assert chart.bottom_title == "Tickets per 100 instances"
    (small, _), (big, _) = chart.series["Tickets per 100 instances"]["bars"]
    assert big == pytest.approx(4.5 * small)


def test_the_vertical_charts_keep_the_categories_at_the_bottom():
    table = Table("assigned-per-month", "Per month", ["Month", "Tickets"], [["2012-05", 3]])
    chart = read_chart(charts.assigned_per_month(table))
    assert (chart.bottom_title, chart.left_title) == ("Month", "Tickets")


def _weeks(client, period: str) -> list[str]:
    csv = client.get(f"/metrics/weekly-flow.csv?period={period}").get_data(as_text=True)
    return [line.split(",")[0] for line in csv.splitlines()[1:]]


def test_weeks_and_months_after_today_are_not_drawn(client, make_ticket):
    make_ticket(
        1,
        events=[{"at": "2012-09-03T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
    )
    with frozen(parse_instant("2012-09-05T12:00:00+00:00")):
        weeks = _weeks(client, "PQ10")  # 2012-08-01 to 2012-11-01
        months = client.get("/metrics/assigned-per-month.csv?period=PQ10").get_data(as_text=True)
        svg = client.get("/metrics/charts/weekly-flow.svg?period=PQ10").get_data()
        page = client.get("/metrics/?period=PQ10").get_data(as_text=True)
    assert weeks[0] == "2012-W31"
    assert weeks[-1] == "2012-W36 (so far)"  # the week of 2012-09-05, still running
    assert [line.split(",")[0] for line in months.splitlines()[1:]] == [
        "2012-08",
        "2012-09 (so far)",
    ]
    labels = [text for text, _, _ in read_chart(svg).axes["x"]]
    assert "2012-W37" not in labels and "2012-W44" not in labels
    assert "The 8 weeks after 2012-09-05 have not begun: not shown." in page
    assert ">PQ10 (so far)<" not in page  # a project quarter is split into months
    assert '<th scope="col" class="num">2012-10</th>' not in page


def test_a_period_that_has_ended_shows_every_week(client, make_ticket):
    with frozen(parse_instant("2013-01-05T12:00:00+00:00")):
        weeks = _weeks(client, "PQ10")
    assert len(weeks) == 14 and weeks[-1] == "2012-W44"
    assert not any("so far" in week for week in weeks)


def test_the_running_year_links_only_the_quarterly_reports_that_have_begun(client):
    with frozen(parse_instant("2012-09-05T12:00:00+00:00")):
        html = client.get("/metrics/?period=PY3").get_data(as_text=True)
    assert 'href="/metrics/report/PQ10"' in html
    assert 'href="/metrics/report/PQ11"' not in html


def test_tickets_that_missed_a_release_cycle_are_drawn_orange():
    from datetime import UTC, datetime

    from dmsu.metrics.backlog import Backlog, age_limits
    from dmsu.metrics.tables import third_line_age

    buckets = [(label, n) for n, (label, _) in enumerate(age_limits(61), 1)]
    table = third_line_age(Backlog(datetime(2013, 1, 1, tzinfo=UTC), 61, buckets))
    chart = read_chart(charts.third_line_age(table))
    assert chart.series["Missed a release cycle"]["colour"] == charts.LATE
    assert chart.series["Within a release cycle"]["colour"] == charts.COUNT
    drawn = {name: [h for _, h in s["bars"] if h > 0] for name, s in chart.series.items()}
    assert len(drawn["Missed a release cycle"]) == 2  # over 61 days, over 6 months
    assert len(drawn["Within a release cycle"]) == 3
    assert (chart.bottom_title, chart.left_title) == ("Age since the assignment", "Open tickets")
