"""What the metrics page and the quarterly report show for a period, as :class:`Table` s.

The ticket-flow numbers of every cut the page needs (the columns of Table 1, the months of
Figure 1, the weeks of Figure 2 and the whole period) come from one set of queries
(:func:`dmsu.metrics.report.numbers`); the 3rd-line backlog, the per-product figures and the
SLA outcomes have their own. Everything is cached until events change.
"""

from __future__ import annotations

from datetime import date, datetime

from dmsu.core.db import side_by_side
from dmsu.metrics import cache, tables
from dmsu.metrics.backlog import third_line_backlog
from dmsu.metrics.eta import eta_by_team
from dmsu.metrics.per_product import per_product
from dmsu.metrics.periods import Period, parse_period, quarter_of
from dmsu.metrics.queries import TOTAL, as_of, unit_ids
from dmsu.metrics.report import make_grid, numbers, project_start
from dmsu.metrics.sla_report import sla_by_unit

CHARTS = {
    "assigned-per-month": "Figure 1: tickets assigned to DMSU per month",
    "weekly-flow": "Figure 2: tickets assigned, solved and reassigned per week",
    "eta-accuracy": "Share of fixes delivered by the ETA",
    "third-line-age": "Age of the tickets open at the 3rd line",
    "sla-violations": "SLA response violations per product team",
    "per-product": "Tickets per 100 registered instances",
}
PAGE_TABLES = (
    "table1",
    "assigned-per-month",
    "weekly-flow",
    "eta-accuracy",
    "eta-per-team",
    "third-line-age",
    "third-line-units",
    "per-product",
)
ALL_TABLES = (*PAGE_TABLES, "sla-violations")


def columns_split(period: Period) -> str:
    """The columns of Table 1: quarters of a year, months of a quarter, weeks of a month."""
    days = (period.end - period.start).days
    if days > 200:
        return "quarter"
    if days > 40:
        return "month"
    if days > 7:
        return "week"
    return "none"


def current_year(config, now: datetime) -> Period:
    """The project year holding ``now`` (PY1 before the project starts)."""
    start = project_start(config)
    if now.date() < start:
        return parse_period("PY1", start)
    return parse_period(f"PY{(quarter_of(now, start) - 1) // 4 + 1}", start)


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def begun(pieces: list[dict], today: date) -> list[dict]:
    """The quarters, months or weeks that have begun by ``today``: a period after today has
    no tickets yet, and drawn as a zero it would read as a collapse of the ticket flow. The
    one still running is named "(so far)", so its smaller numbers are read as partial."""
    day = today.isoformat()
    return [
        {**piece, "name": f"{piece['name']} (so far)"} if piece["end"] > day else piece
        for piece in pieces
        if piece["start"] <= day
    ]


def flow_tables(period: Period, start: date, today: date) -> dict[str, tables.Table]:
    by = columns_split(period)
    splits = tuple(dict.fromkeys((by, "month", "week")))
    rows = numbers(make_grid(period, splits, start, detailed=(by,)))
    columns = [*begun(rows.get(by, []), today), *rows[TOTAL]] if by != "none" else rows[TOTAL]
    months, weeks = begun(rows["month"], today), begun(rows["week"], today)
    result = {
        "table1": tables.table1(columns, period.name),
        "assigned-per-month": tables.assigned_per_month(months),
        "weekly-flow": tables.weekly_flow(weeks),
        "eta-accuracy": tables.eta_accuracy(columns),
    }
    for name, unit, shown, every in (
        ("assigned-per-month", "months", months, rows["month"]),
        ("weekly-flow", "weeks", weeks, rows["week"]),
    ):
        if len(shown) < len(every):
            left_out = len(every) - len(shown)
            result[name].note = f"The {left_out} {unit} after {today} have not begun: not shown."
    return result


def page_tables(period: Period, config, now: datetime, with_sla: bool = False):
    """Every table of the metrics page for ``period`` (the SLA table when ``with_sla``)."""
    snapshot = _hour(as_of(period, now)) if period.end > now else period.end
    stale_days = int(config.get("DMSU_THIRD_LINE_STALE_DAYS", 61))

    def compute() -> dict[str, tables.Table]:
        units = unit_ids()
        flows, products, backlog, teams = side_by_side(
            lambda: flow_tables(period, project_start(config), snapshot.date()),
            lambda: per_product(period),
            lambda: third_line_backlog(snapshot, units, stale_days),
            lambda: eta_by_team(period),
        )
        return {
            **flows,
            "eta-per-team": tables.eta_per_team(teams),
            "third-line-age": tables.third_line_age(backlog),
            "third-line-units": tables.third_line_units(backlog),
            "per-product": tables.per_product(products),
        }

    result = dict(cache.cached(("page", period, snapshot, stale_days), compute))
    if with_sla:
        result["sla-violations"] = sla_table(period, config, now)
    return result


def sla_table(period: Period, config, now: datetime) -> tables.Table:
    """The SLA table (its own cache entry: the working-time rules run in Python)."""
    snapshot = _hour(as_of(period, now)) if period.end > now else period.end
    return cache.cached(
        ("sla", period, snapshot),
        lambda: tables.sla_violations(sla_by_unit(period, config, snapshot)),
    )


def one_table(name: str, period: Period, config, now: datetime) -> tables.Table:
    if name == "sla-violations":
        return sla_table(period, config, now)
    return page_tables(period, config, now)[name]
