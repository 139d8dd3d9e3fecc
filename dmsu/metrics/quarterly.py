"""The quarterly report: the metric tables and charts of one project quarter, and (for staff)
the TCB recommendations of the quarter with the review of the previous quarter's.

Seed 000, "METRICS": "The metrics are reviewed monthly and collected on a quarterly basis and
included in the quarterly reporting." The same data gives the report page, its markdown
export and the mail sent when a quarter has ended (:mod:`dmsu.metrics.schedule`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dmsu.forums import counts as forum_counts
from dmsu.metrics import recommendations
from dmsu.metrics.models import Recommendation
from dmsu.metrics.page import ALL_TABLES, page_tables
from dmsu.metrics.periods import Period, PeriodError, project_quarter
from dmsu.metrics.report import project_start
from dmsu.metrics.tables import Table

QUARTER_TABLES = (
    "table1",
    "weekly-flow",
    "eta-accuracy",
    "eta-per-team",
    "sla-violations",
    "third-line-age",
    "third-line-units",
    "per-product",
)


@dataclass
class QuarterlyReport:
    quarter: Period
    finished: bool
    tables: dict[str, Table]
    recommendations: list[Recommendation] = field(default_factory=list)
    previous_name: str | None = None
    previous: list[Recommendation] = field(default_factory=list)
    with_recommendations: bool = False
    # the forums followed, counted per list (staff only, as the recommendations): seed 001's
    # "proactive support" in the quarterly reporting (issue 21, item 7)
    forums: list[forum_counts.Piece] = field(default_factory=list)


def quarter_period(name: str, config) -> Period:
    """The project quarter named ``name`` (``PQ9``); ``PeriodError`` for anything else."""
    try:
        n = recommendations.quarter_number(name)
    except recommendations.RecommendationError as exc:
        raise PeriodError(str(exc)) from None
    return project_quarter(n, project_start(config))


def build(name: str, config, now: datetime, with_recommendations: bool) -> QuarterlyReport:
    quarter = quarter_period(name, config)
    all_tables = page_tables(quarter, config, now, with_sla=True)
    report = QuarterlyReport(
        quarter=quarter,
        finished=quarter.end <= now,
        tables={n: all_tables[n] for n in QUARTER_TABLES if n in ALL_TABLES},
        with_recommendations=with_recommendations,
    )
    if with_recommendations:
        report.recommendations = recommendations.for_quarter(quarter.name)
        report.previous_name = recommendations.previous_quarter(quarter.name)
        if report.previous_name:
            report.previous = recommendations.for_quarter(report.previous_name)
        report.forums = forum_counts.counts(quarter, project_start(config))
    return report


def _recommendation_md(item: Recommendation, with_review: bool) -> str:
    lines = [f"- **{item.title}**"]
    if item.text:
        lines.append(f"  {item.text}")
    lines.append(f"  - Risk if not followed: {item.risk}")
    lines.append(f"  - Improvement expected if followed: {item.improvement}")
    if with_review:
        if item.followed:
            followed = recommendations.FOLLOWED[item.followed]
            lines.append(f"  - {followed}: {item.outcome}")
        else:
            lines.append("  - Not reviewed yet.")
    return "\n".join(lines)


def _forums_md(pieces: list[forum_counts.Piece]) -> list[str]:
    """The forums section: a line per list followed, and the total."""
    header = ["list", *forum_counts.COLUMNS]
    lines = [
        "## Forums followed (proactive support)",
        "",
        "Threads that started in the quarter, with what DMSU did with them.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + " --- |" * len(header),
    ]
    rows = [line for piece in pieces for line in piece.lines]
    if not rows:
        return [*lines[:4], "No thread started on the lists followed.", ""]
    totals = dict.fromkeys(forum_counts.COLUMNS, 0)
    for line in rows:
        lines.append(f"| {line.label} | " + " | ".join(str(line.values[c]) for c in totals) + " |")
        for column in totals:
            totals[column] += line.values[column]
    lines.append("| **All lists** | " + " | ".join(f"**{totals[c]}**" for c in totals) + " |")
    return [*lines, ""]


def markdown(report: QuarterlyReport, site_name: str = "DMSU desk") -> str:
    """The report as markdown, ready to paste into the quarterly report."""
    q = report.quarter
    end = q.end.date().isoformat()
    parts = [
        f"# {site_name}: quarterly report {q.name}",
        "",
        f"Period: {q.start.date().isoformat()} to {end} (end excluded), times in UTC."
        + ("" if report.finished else " The quarter has not ended: the numbers are partial."),
        "",
    ]
    for table in report.tables.values():
        parts += [table.markdown(), ""]
    if report.with_recommendations:
        parts += _forums_md(report.forums)
        parts += [f"## TCB recommendations for {q.name}", ""]
        parts += [_recommendation_md(r, False) for r in report.recommendations] or ["None yet."]
        if report.previous_name:
            parts += ["", f"## What happened to the recommendations of {report.previous_name}", ""]
            parts += [_recommendation_md(r, True) for r in report.previous] or ["None were made."]
        parts.append("")
    return "\n".join(parts)
