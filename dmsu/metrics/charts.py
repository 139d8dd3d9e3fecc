"""Charts of the metrics as SVG, drawn on the server by pygal from the same :class:`Table`
the page shows beside them (seed 001, Figures 1 and 2, and the other metric tables).

pygal's interactive JavaScript is switched off (``js=[]``) and its inline configuration
script removed, so the SVG is a static image; it is served with its own
Content-Security-Policy that allows only the inline styles pygal embeds.

Charts tell the truth: every axis is titled with what it shows (on a horizontal bar chart the
categories run down the left and the numbers along the bottom, so the titles follow them),
colours carry a meaning (a violation is red beside a green "met"; one blue for a plain
count), labels are never cut short, and the biggest bar of a ranking comes first, at the top.
Periods after today are left out of the tables the charts are drawn from
(:func:`dmsu.metrics.page.flow_tables`).
"""

from __future__ import annotations

import re

import pygal
from pygal.style import Style

from dmsu.metrics.tables import Table

SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
# Colours by meaning.
COUNT = "#1f5f99"  # a plain number of tickets
GOOD = "#2e8b57"  # met, solved
BAD = "#c0392b"  # violated
LATE = "#b9770e"  # open too long: missed a release cycle
MOVED = "#6c3483"  # passed on to the 3rd line
# The ETA shares, from the strictest (darkest) to the most lenient (lightest).
SHARES = ("#123e66", "#1f5f99", "#5b8fc7", "#9dbfe3")
TOP = 15


def _style(colors: tuple[str, ...]) -> Style:
    return Style(
        background="white",
        plot_background="white",
        font_family="system-ui, sans-serif",
        colors=colors,
        title_font_size=18,
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=13,
    )


def _options(
    title: str,
    categories: str,
    values: str,
    colors: tuple[str, ...] = (COUNT,),
    horizontal: bool = False,
) -> dict:
    """pygal's options for a chart whose ``categories`` (months, teams) are counted in
    ``values``. pygal's ``x_title`` is always the bottom axis: on a horizontal chart that is
    the value axis, so the titles swap there."""
    bottom, left = (values, categories) if horizontal else (categories, values)
    return {
        "js": [],
        "title": title,
        "x_title": bottom,
        "y_title": left,
        "style": _style(colors),
        "disable_xml_declaration": True,
        "show_legend": True,
        "legend_at_bottom": True,
        "print_values": False,
        "truncate_label": -1,
        "truncate_legend": -1,
        "margin_right": 40,
        "include_x_axis": True,
        "width": 900,
        "height": 480,
        "no_data_text": "No tickets in this period",
    }


def _labels(names: list[str], every: int) -> dict:
    """Show every ``every``-th label on long axes (all values stay drawn)."""
    major = names[::every] if every > 1 else names
    return {"x_labels": names, "x_labels_major": major, "show_minor_x_labels": every <= 1}


def _numbers(table: Table, column: int) -> list:
    return [row[column] for row in table.rows]


def render(chart) -> bytes:
    return _SCRIPT.sub("", chart.render(is_unicode=True)).encode("utf-8")


def assigned_per_month(table: Table) -> bytes:
    chart = pygal.Bar(**_options(table.title, "Month", "Tickets"))
    chart.x_labels = [row[0] for row in table.rows]
    chart.add("Assigned to DMSU", _numbers(table, 1))
    return render(chart)


def weekly_flow(table: Table) -> bytes:
    names = [row[0] for row in table.rows]
    chart = pygal.Line(
        **_options(table.title, "ISO week", "Tickets", colors=(COUNT, GOOD, MOVED)),
        **_labels(names, 4 if len(names) > 20 else 1),
        x_label_rotation=45,
        dots_size=2,
    )
    for column, label in enumerate(table.columns[1:], 1):
        chart.add(label, _numbers(table, column))
    return render(chart)


def eta_accuracy(table: Table) -> bytes:
    chart = pygal.Bar(
        **_options("Share of fixes delivered by the ETA", "Period", "% of fixes", colors=SHARES)
    )
    chart.x_labels = [row[0] for row in table.rows]
    chart.range = (0, 100)
    for column, label in (
        (3, "Initial ETA"),
        (5, "Final ETA"),
        (7, "Within a week"),
        (9, "Within a month"),
    ):
        chart.add(label, _numbers(table, column))
    return render(chart)


def third_line_age(table: Table) -> bytes:
    """The age groups that missed a release cycle in orange, stacked on the same places as
    the younger ones (each group has its number in one series, nothing in the other)."""
    rows = [row for row in table.rows if row[0] != "All"]
    chart = pygal.StackedBar(
        **_options(table.title, "Age since the assignment", "Open tickets", (COUNT, LATE))
    )
    chart.x_labels = [row[0] for row in rows]
    late = {row[0] for row in rows if row[0] in table.warning_rows}
    chart.add("Within a release cycle", [None if row[0] in late else row[1] for row in rows])
    chart.add("Missed a release cycle", [row[1] if row[0] in late else None for row in rows])
    return render(chart)


def sla_violations(table: Table) -> bytes:
    """The teams with the most violations first (pygal draws the first label at the bottom,
    so the rows go in reversed)."""
    rows = table.rows[:TOP][::-1]
    chart = pygal.HorizontalBar(
        **_options(table.title, "Product team", "Assignments", (BAD, GOOD), horizontal=True)
    )
    chart.x_labels = [row[0] for row in rows]
    chart.add("Violated", [row[4] for row in rows])
    chart.add("Met", [row[3] for row in rows])
    return render(chart)


def per_product(table: Table) -> bytes:
    weighted = sorted((row for row in table.rows if row[-1] is not None), key=lambda row: -row[-1])[
        :TOP
    ][::-1]
    chart = pygal.HorizontalBar(
        **_options(
            "Tickets per 100 registered instances",
            "Component",
            "Tickets per 100 instances",
            horizontal=True,
        )
    )
    chart.x_labels = [row[0] for row in weighted]
    chart.add("Tickets per 100 instances", [row[-1] for row in weighted])
    return render(chart)


DRAW = {
    "assigned-per-month": assigned_per_month,
    "weekly-flow": weekly_flow,
    "eta-accuracy": eta_accuracy,
    "third-line-age": third_line_age,
    "sla-violations": sla_violations,
    "per-product": per_product,
}


def draw(name: str, table: Table) -> bytes:
    return DRAW[name](table)
