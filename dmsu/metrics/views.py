"""Views of the metrics area (thin: parse the request, call the logic, render).

Public pages show aggregate numbers only. URLs: ``/metrics/?period=PY3``, a table as CSV
``/metrics/<table>.csv?period=PY3``, a chart ``/metrics/charts/<chart>.svg?period=PY3``, the
SLA section ``/metrics/sla?period=PY3`` and the quarterly report ``/metrics/report/PQ9``
(``.md`` for markdown). The TCB recommendations are in :mod:`recommendation_views`.
"""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user

from dmsu.auth.permissions import can
from dmsu.core import clock
from dmsu.core.extensions import htmx
from dmsu.metrics import charts, quarterly
from dmsu.metrics.blueprint import bp
from dmsu.metrics.page import ALL_TABLES, CHARTS, current_year, one_table, page_tables, sla_table
from dmsu.metrics.periods import Period, PeriodError, project_quarter, quarter_of
from dmsu.metrics.recommendations import FOLLOWED
from dmsu.metrics.report import project_start, resolve


class BadPeriod(Exception):
    def __init__(self, message: str, fallback: Period):
        super().__init__(message)
        self.fallback = fallback


def _period() -> Period:
    """The period named by ``?period=`` (the current project year when absent)."""
    config, now = current_app.config, clock.now()
    name = (request.args.get("period") or "").strip()
    if not name:
        return current_year(config, now)
    try:
        return resolve(name, project_start(config))
    except PeriodError as exc:
        raise BadPeriod(str(exc), current_year(config, now)) from None


def period_choices(now) -> dict[str, list[str]]:
    """Project years and quarters up to the current one, newest first."""
    start = project_start(current_app.config)
    last = quarter_of(now, start) if now.date() >= start else 1
    return {
        "Project years": [f"PY{n}" for n in range((last - 1) // 4 + 1, 0, -1)],
        "Project quarters": [f"PQ{n}" for n in range(last, 0, -1)],
    }


def quarters_in(period: Period, now) -> list[str]:
    """The project quarters overlapping ``period`` that have begun by ``now`` (for links to
    their reports: a quarter after today has no report yet)."""
    start = project_start(current_app.config)
    if period.end.date() <= start:
        return []
    first = quarter_of(max(period.start, project_quarter(1, start).start), start)
    names, n = [], first
    end = min(period.end, now)
    while project_quarter(n, start).start < end and n < first + 40:
        names.append(f"PQ{n}")
        n += 1
    return names


@bp.get("/metrics/")
def index():
    now = clock.now()
    error, status = None, 200
    try:
        period = _period()
    except BadPeriod as exc:
        error, status, period = str(exc), 400, exc.fallback
    tables = page_tables(period, current_app.config, now)
    return (
        render_template(
            "metrics/index.html",
            period=period,
            tables=tables,
            charts=CHARTS,
            choices=period_choices(now),
            selected=request.args.get("period", period.name),
            quarters=quarters_in(period, now),
            error=error,
        ),
        status,
    )


@bp.get("/metrics/sla")
def sla():
    try:
        period = _period()
    except BadPeriod as exc:
        abort(Response(str(exc), status=400, mimetype="text/plain"))
    table = sla_table(period, current_app.config, clock.now())
    template = "metrics/_sla.html" if htmx else "metrics/sla.html"
    return render_template(template, period=period, table=table)


@bp.get("/metrics/<name>.csv")
def table_csv(name: str):
    if name not in ALL_TABLES:
        abort(404)
    try:
        period = _period()
    except BadPeriod as exc:
        return Response(str(exc) + "\n", status=400, mimetype="text/plain")
    table = one_table(name, period, current_app.config, clock.now())
    filename = f"{name}-{period.name}.csv".replace("..", "_")
    return Response(
        table.csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/metrics/charts/<name>.svg")
def chart(name: str):
    if name not in charts.DRAW:
        abort(404)
    try:
        period = _period()
    except BadPeriod as exc:
        return Response(str(exc) + "\n", status=400, mimetype="text/plain")
    table = one_table(name, period, current_app.config, clock.now())
    return Response(
        charts.draw(name, table),
        mimetype="image/svg+xml",
        headers={"Content-Security-Policy": charts.SVG_CSP},
    )


def _report(quarter: str):
    try:
        return quarterly.build(
            quarter,
            current_app.config,
            clock.now(),
            with_recommendations=bool(current_user.is_authenticated),
        )
    except PeriodError:
        abort(404)


@bp.get("/metrics/report/<quarter>.md")
def report_markdown(quarter: str):
    report = _report(quarter)
    text = quarterly.markdown(report, current_app.config["DMSU_SITE_NAME"])
    return Response(text, mimetype="text/markdown; charset=utf-8")


@bp.get("/metrics/report/<quarter>")
def report(quarter: str):
    data = _report(quarter)
    return render_template(
        "metrics/report.html",
        report=data,
        period=data.quarter,
        charts=CHARTS,
        can_edit=can(current_user, "recommendation.edit"),
        followed_labels=FOLLOWED,
    )
