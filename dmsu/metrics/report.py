"""The numbers of a period, as the CLI, the pages, the exports and the report show them.

Seed 000, "METRICS": "The metrics are reviewed monthly and collected on a quarterly basis and
included in the quarterly reporting." :func:`period_metrics` gives the issue's JSON shape::

    {"periods": [{"name": "PQ9", "start": "2012-05-01", "end": "2012-08-01",
                  "assigned_to_dmsu": ..., ..., "eta_within_month": ...}, ...],
     "total": {same keys for the whole period, "name": "PY3"}}

with ``null`` where there is nothing to average; days rounded to 1 decimal, hours to 2.
The per-piece numbers and the total come from the same queries (one pass over the events
for every cut, see :mod:`dmsu.metrics.queries`), and are cached until events change
(:mod:`dmsu.metrics.cache`).
"""

from __future__ import annotations

import io
import json
from datetime import date

from dmsu.core import csvcells
from dmsu.core.db import side_by_side
from dmsu.metrics import cache
from dmsu.metrics.eta import EtaCounts, eta_accuracy
from dmsu.metrics.periods import PROJECT_START, SPLITS, Period, PeriodError, parse_period, split
from dmsu.metrics.queries import (
    COUNTED,
    TOTAL,
    Durations,
    Grid,
    fact_counts,
    fact_durations,
    percent,
)

KEYS = (
    "assigned_to_dmsu",
    "solved_by_dmsu",
    "reassigned_to_tpm",
    "assigned_to_third_line",
    "solve_days_mean",
    "solve_days_median",
    "reassign_hours_mean",
    "reassign_hours_median",
    "eta_fixes",
    "eta_by_initial",
    "eta_by_revised",
    "eta_within_week",
    "eta_within_month",
)
LABELS = {
    "assigned_to_dmsu": "Tickets assigned to DMSU",
    "solved_by_dmsu": "Tickets solved by DMSU",
    "reassigned_to_tpm": "Tickets reassigned to TPM",
    "assigned_to_third_line": "Tickets assigned to 3rd level support units",
    "solve_days_mean": "Mean time to solve in DMSU (days)",
    "solve_days_median": "Median time to solve in DMSU (days)",
    "reassign_hours_mean": "Mean time to reassign to 3rd line (hours)",
    "reassign_hours_median": "Median time to reassign to 3rd line (hours)",
    "eta_fixes": "Fixes with an ETA",
    "eta_by_initial": "Fixed by the initial ETA",
    "eta_by_revised": "Fixed by the final (revised) ETA",
    "eta_within_week": "Fixed within a week of the final ETA",
    "eta_within_month": "Fixed within a month of the final ETA",
}
FORMATS = ("json", "csv", "table")
DAY, HOUR = 86400, 3600


def project_start(config) -> date:
    """``DMSU_PROJECT_START`` as a date (default 2010-05-01)."""
    value = config.get("DMSU_PROJECT_START") or PROJECT_START
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def resolve(name: str, start: date) -> Period:
    """The period named ``name`` (``PeriodError`` with one sentence when it is not one)."""
    return parse_period(name, start)


def make_grid(
    period: Period, splits: tuple[str, ...], start: date, detailed: tuple[str, ...] | None = None
) -> Grid:
    """The pieces of ``period`` for each split, plus the whole period as ``total``; means
    and medians for the ``detailed`` splits (all of them unless given) and the total."""
    grains = {}
    for by in splits:
        if by not in SPLITS:
            raise PeriodError(f"Cannot split by {by!r}; choose one of {', '.join(SPLITS)}.")
        if by != "none":
            grains[by] = tuple(split(period, by, start))
    grains[TOTAL] = (period,)
    wanted = splits if detailed is None else detailed
    return Grid(period, grains, frozenset((*wanted, TOTAL)))


def _row(piece: Period, sums: list[int], reassign: Durations, solve: Durations, eta) -> dict:
    counted = dict(zip(COUNTED, sums, strict=True))
    return {
        "name": piece.name,
        "start": piece.start.date().isoformat(),
        "end": piece.end.date().isoformat(),
        "assigned_to_dmsu": counted["to_dmsu"],
        "solved_by_dmsu": counted["solved"],
        "reassigned_to_tpm": counted["to_tpm"],
        "assigned_to_third_line": counted["to_third"],
        "solve_days_mean": solve.mean(DAY, 1),
        "solve_days_median": solve.median(DAY, 1),
        "reassign_hours_mean": reassign.mean(HOUR, 2),
        "reassign_hours_median": reassign.median(HOUR, 2),
        **eta.as_dict(),
    }


def _compute(grid: Grid) -> dict[str, list[dict]]:
    def flow() -> tuple[dict, dict]:
        counts = fact_counts(grid)
        return counts, fact_durations(grid, counts)

    (counts, durations), etas = side_by_side(flow, lambda: eta_accuracy(grid))
    none = Durations()
    return {
        grain: [
            _row(
                piece,
                counts.get((grain, i), [0] * len(COUNTED)),
                durations.get(("to_third", grain, i), none),
                durations.get(("solved", grain, i), none),
                etas.get((grain, i), EtaCounts()),
            )
            for i, piece in enumerate(pieces)
        ]
        for grain, pieces in grid.grains.items()
    }


def numbers(grid: Grid) -> dict[str, list[dict]]:
    """Rows of :data:`KEYS` for every grain of ``grid`` (cached until events change)."""
    key = ("numbers", grid.period, tuple(grid.grains.items()), grid.detailed)
    return cache.cached(key, lambda: _compute(grid))


def period_metrics(period: Period, by: str, start: date) -> dict:
    """The issue's JSON shape for ``period`` cut by ``by`` (quarter, month, week or none)."""
    rows = numbers(make_grid(period, (by,), start))
    total = rows[TOTAL][0]
    return {"periods": rows[by] if by != "none" else [total], "total": total}


def share_solved(row: dict) -> float | None:
    """Seed 001: "Out of those 701 tickets, 195 (28%) were solved by the EGI software support
    team" — solved by DMSU as a percentage of the tickets assigned to DMSU."""
    return percent(row["solved_by_dmsu"], row["assigned_to_dmsu"])


def eta_percentages(row: dict) -> dict[str, float | None]:
    return EtaCounts(
        row["eta_fixes"],
        row["eta_by_initial"],
        row["eta_by_revised"],
        row["eta_within_week"],
        row["eta_within_month"],
    ).percentages()


# -- output formats -------------------------------------------------------------------------


def as_json(result: dict) -> str:
    return json.dumps(result, indent=2)


def as_csv(result: dict) -> str:
    """One line per piece, then the total; the columns are the JSON keys."""
    out = io.StringIO()
    writer = csvcells.writer(out, lineterminator="\n")
    columns = ("name", "start", "end", *KEYS)
    writer.writerow(columns)
    for row in [*result["periods"], result["total"]]:
        writer.writerow(["" if row[c] is None else row[c] for c in columns])
    return out.getvalue()


def _cell(value) -> str:
    return "–" if value is None else str(value)


def as_table(result: dict) -> str:
    """Seed 001's Table 1 layout: a line per metric, a column per piece and the total."""
    columns = (
        [*result["periods"], result["total"]] if len(result["periods"]) > 1 else [result["total"]]
    )
    header = ["Metric", *(c["name"] for c in columns)]
    lines = [[LABELS[key], *(_cell(c[key]) for c in columns)] for key in KEYS]
    lines.insert(4, ["Share solved in DMSU (%)", *(_cell(share_solved(c)) for c in columns)])
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]

    def fmt(line):
        first = line[0].ljust(widths[0])
        rest = (cell.rjust(widths[i]) for i, cell in enumerate(line[1:], 1))
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(line) for line in lines)]) + "\n"


def render(result: dict, fmt: str) -> str:
    if fmt == "json":
        return as_json(result) + "\n"
    if fmt == "csv":
        return as_csv(result)
    if fmt == "table":
        return as_table(result)
    raise ValueError(f"{fmt!r} is not a format; choose one of {', '.join(FORMATS)}.")
