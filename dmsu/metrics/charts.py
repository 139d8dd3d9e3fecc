"""Charts of the metrics as SVG, drawn on the server by pygal from the same :class:`Table`
the page shows beside them (seed 001, Figures 1 and 2, and the other metric tables).

pygal's interactive JavaScript is switched off (``js=[]``) and its inline configuration
script removed, so the SVG is a static image; it is served with its own
Content-Security-Policy that allows only the inline styles pygal embeds.
"""

from __future__ import annotations

import re

import pygal
from pygal.style import Style

from dmsu.metrics.tables import Table

SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
STYLE = Style(
    background="white",
    plot_background="white",
    font_family="system-ui, sans-serif",
    colors=("#1f5f99", "#2e8b57", "#c0392b", "#b9770e", "#6c3483"),
    title_font_size=18,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
)
TOP = 15


def _options(title: str, x_title: str, y_title: str) -> dict:
    return {
        "js": [],
        "title": title,
        "x_title": x_title,
        "y_title": y_title,
        "style": STYLE,
        "disable_xml_declaration": True,
        "show_legend": True,
        "legend_at_bottom": True,
        "print_values": False,
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
        **_options(table.title, "ISO week", "Tickets"),
        **_labels(names, 4 if len(names) > 20 else 1),
        x_label_rotation=45,
        dots_size=2,
    )
    for column, label in enumerate(table.columns[1:], 1):
        chart.add(label, _numbers(table, column))
    return render(chart)


def eta_accuracy(table: Table) -> bytes:
    chart = pygal.Bar(**_options("Share of fixes delivered by the ETA", "Period", "% of fixes"))
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
    rows = [row for row in table.rows if row[0] != "All"]
    chart = pygal.Bar(**_options(table.title, "Age since the assignment", "Open tickets"))
    chart.x_labels = [row[0] for row in rows]
    chart.add("Open at the 3rd line", [row[1] for row in rows])
    return render(chart)


def sla_violations(table: Table) -> bytes:
    rows = table.rows[:TOP]
    chart = pygal.HorizontalBar(**_options(table.title, "Product team", "Assignments"))
    chart.x_labels = [row[0] for row in rows]
    chart.add("Violated", [row[4] for row in rows])
    chart.add("Met", [row[3] for row in rows])
    return render(chart)


def per_product(table: Table) -> bytes:
    weighted = sorted((row for row in table.rows if row[-1] is not None), key=lambda row: -row[-1])[
        :TOP
    ]
    chart = pygal.HorizontalBar(
        **_options("Tickets per 100 registered instances", "Component", "Tickets per 100 instances")
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
