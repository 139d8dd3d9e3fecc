"""Demo content of the metrics area: a few TCB recommendations for the last finished project
quarters of the demo year, drafted from its per-product figures and broad-impact problems,
the older quarter's already reviewed (seed 000, "Forecast based metric")."""

from __future__ import annotations

from flask import current_app

from dmsu.metrics import recommendations
from dmsu.metrics.periods import project_quarter
from dmsu.metrics.report import project_start
from dmsu.metrics.schedule import last_finished_quarter

OUTCOMES = {
    "yes": "The product team followed it; the tickets of the kind dropped the next quarter.",
    "partly": "Part of it was done in the next release; some sites still report the problem.",
    "no": "Not followed for lack of effort at the provider; the tickets kept coming.",
}


def load(ctx) -> str:
    author = ctx.users.get("alice") or next(
        (u for u in ctx.users.values() if u.role in ("assigner", "admin")), None
    )
    latest = last_finished_quarter(ctx.end, current_app.config)
    if author is None or latest is None:
        return "Metrics: no finished quarter, no TCB recommendations."
    start = project_start(current_app.config)
    n = recommendations.quarter_number(latest)
    made = 0
    for number in (n - 1, n):
        if number < 1:
            continue
        drafted = recommendations.draft(project_quarter(number, start), author)
        made += len(drafted)
        if number == n - 1:
            for item in drafted:
                followed = ctx.rng.choice(sorted(OUTCOMES))
                recommendations.review(
                    author,
                    item,
                    {"followed": followed, "outcome": OUTCOMES[followed], "version": item.version},
                )
    return f"Metrics: {made} TCB recommendations drafted for PQ{max(n - 1, 1)}–PQ{n}."
