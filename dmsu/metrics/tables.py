"""The metric tables as plain data: one :class:`Table` feeds the HTML table, its CSV export,
the chart drawn from it and the markdown of the quarterly report, so all four always agree.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from dmsu.core import csvcells
from dmsu.metrics.backlog import Backlog, age_limits
from dmsu.metrics.eta import ETA_KEYS, EtaCounts
from dmsu.metrics.per_product import COLUMNS as CATEGORY_COLUMNS
from dmsu.metrics.per_product import ProductRow
from dmsu.metrics.report import eta_percentages, share_solved
from dmsu.metrics.sla_report import SlaRow


@dataclass
class Table:
    name: str  # the URL name: /metrics/<name>.csv
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    warning_rows: frozenset[str] = frozenset()  # first cells of rows a chart draws as a warning

    def csv(self) -> str:
        out = io.StringIO()
        writer = csvcells.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if cell is None else cell for cell in row])
        return out.getvalue()

    def markdown(self) -> str:
        def cell(value) -> str:
            text = "–" if value is None else str(value)
            return text.replace("|", "\\|").replace("\n", " ")

        lines = [
            "| " + " | ".join(cell(c) for c in self.columns) + " |",
            "| " + " | ".join(["---"] + ["---:"] * (len(self.columns) - 1)) + " |",
        ]
        lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in self.rows]
        text = f"### {self.title}\n\n" + "\n".join(lines) + "\n"
        return text + (f"\n{self.note}\n" if self.note else "")


def _pair(first, second) -> str | None:
    if first is None and second is None:
        return None
    return f"{'–' if first is None else first}/{'–' if second is None else second}"


def table1(columns: list[dict], period_name: str) -> Table:
    """Seed 001, Table 1 "Numbers of software tickets and solution times per PY3 quarter"."""
    spec = [
        ("Number of tickets assigned to DMSU", lambda c: c["assigned_to_dmsu"]),
        ("Number of tickets solved by DMSU", lambda c: c["solved_by_dmsu"]),
        ("Share solved in DMSU (%)", share_solved),
        ("Number of tickets reassigned to TPM", lambda c: c["reassigned_to_tpm"]),
        (
            "Number of tickets assigned to 3rd level support units",
            lambda c: c["assigned_to_third_line"],
        ),
        (
            "Mean/median time to solve software support tickets in days",
            lambda c: _pair(c["solve_days_mean"], c["solve_days_median"]),
        ),
        (
            "Mean/median time to reassign to 3rd line in hours",
            lambda c: _pair(c["reassign_hours_mean"], c["reassign_hours_median"]),
        ),
    ]
    return Table(
        "table1",
        f"Numbers of software tickets and solution times, {period_name}",
        ["Metric", *(c["name"] for c in columns)],
        [[label, *(get(c) for c in columns)] for label, get in spec],
        "Counted from ticket events in UTC; each ticket once per column.",
    )


def assigned_per_month(months: list[dict]) -> Table:
    """Seed 001, Figure 1 "Number of tickets assigned to DMSU per month"."""
    return Table(
        "assigned-per-month",
        "Number of tickets assigned to DMSU per month",
        ["Month", "Tickets assigned to DMSU"],
        [[m["name"], m["assigned_to_dmsu"]] for m in months],
    )


def weekly_flow(weeks: list[dict]) -> Table:
    """Seed 001, Figure 2 "Weekly distribution of software tickets assigned, solved, and
    reassigned" (reassigned: to the 3rd line)."""
    return Table(
        "weekly-flow",
        "Weekly distribution of software tickets assigned, solved, and reassigned",
        ["Week", "Assigned to DMSU", "Solved by DMSU", "Reassigned to 3rd line"],
        [
            [w["name"], w["assigned_to_dmsu"], w["solved_by_dmsu"], w["assigned_to_third_line"]]
            for w in weeks
        ],
    )


def eta_accuracy(columns: list[dict]) -> Table:
    rows = []
    for c in columns:
        pct = eta_percentages(c)
        rows.append(
            [
                c["name"],
                c["eta_fixes"],
                c["eta_by_initial"],
                pct["eta_by_initial"],
                c["eta_by_revised"],
                pct["eta_by_revised"],
                c["eta_within_week"],
                pct["eta_within_week"],
                c["eta_within_month"],
                pct["eta_within_month"],
            ]
        )
    return Table(
        "eta-accuracy",
        "ETA accuracy of the product teams",
        [
            "Period",
            "Fixes with an ETA",
            "By the initial ETA",
            "By the initial ETA (%)",
            "By the final ETA",
            "By the final ETA (%)",
            "Within a week of the final ETA",
            "Within a week (%)",
            "Within a month of the final ETA",
            "Within a month (%)",
        ],
        rows,
        "A fix is the first assignment to UMD release or the first solve at the 3rd line after "
        "the first ETA; a due date counts to 23:59:59 UTC.",
    )


def eta_per_team(rows: list[tuple[str, EtaCounts]]) -> Table:
    """Seed 000: "Effectiveness of the external technology provider in accurately defining
    the ETA times", per provider's product team."""
    lines = []
    for team, counts in rows:
        pct = counts.percentages()
        lines.append([team, counts.fixes, *(pct[key] for key in ETA_KEYS)])
    return Table(
        "eta-per-team",
        "ETA accuracy per product team",
        [
            "Product team",
            "Fixes with an ETA",
            "By the initial ETA (%)",
            "By the final ETA (%)",
            "Within a week (%)",
            "Within a month (%)",
        ],
        lines,
        "A fix counts for the unit the ticket was in just before it: the 3rd-line unit that "
        "solved it, or the unit it went to UMD release from.",
    )


def third_line_age(backlog: Backlog) -> Table:
    """The age groups past ``stale_days`` are warnings: seed 001, tickets "older than two
    months (i.e. having missed a typical release cycle)"."""
    limits = age_limits(backlog.stale_days)
    return Table(
        "third-line-age",
        f"Age of the tickets open at the 3rd line on {backlog.as_of:%Y-%m-%d %H:%M} UTC",
        ["Age since the assignment", "Open tickets"],
        [*([label, count] for label, count in backlog.buckets), ["All", backlog.total]],
        f"{backlog.stale} open tickets are older than {backlog.stale_days} days "
        "(they missed a typical release cycle).",
        frozenset(label for label, limit in limits if limit is None or limit > backlog.stale_days),
    )


def third_line_units(backlog: Backlog) -> Table:
    return Table(
        "third-line-units",
        "Open tickets at the 3rd line per product team",
        ["3rd-line unit", "Open tickets", f"Older than {backlog.stale_days} days"],
        [[name, total, stale] for name, total, stale in backlog.per_unit],
    )


def sla_violations(rows: list[SlaRow]) -> Table:
    return Table(
        "sla-violations",
        "SLA response violations per product team",
        [
            "3rd-line unit",
            "SLA level",
            "Assignments",
            "Met",
            "Violated",
            "Still running",
            "Best effort",
            "Left before the deadline",
            "Violated (%)",
        ],
        [
            [
                r.unit_name,
                r.level_label,
                r.assignments,
                r.met,
                r.violated,
                r.pending,
                r.best_effort,
                r.withdrawn,
                r.violated_percent,
            ]
            for r in rows
        ],
        "Assignments to a 3rd-line unit made in the period, as of the period's end.",
    )


def per_product(rows: list[ProductRow]) -> Table:
    """Seed 000, "Per-product metrics"."""
    return Table(
        "per-product",
        "Tickets per product and category",
        [
            "Component",
            *(c.capitalize() for c in CATEGORY_COLUMNS),
            "Total",
            "Registered instances",
            "Tickets per 100 instances",
        ],
        [
            [
                r.name,
                *(r.by_category[c] for c in CATEGORY_COLUMNS),
                r.total,
                r.deployment_size,
                r.per_100_instances,
            ]
            for r in rows
        ],
        "Tickets assigned to DMSU in the period, by the ticket's component; weighted by the "
        "registered instances so widely deployed products are not penalised.",
    )
