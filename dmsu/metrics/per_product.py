"""Per-product metrics (seed 000, "Per-product metrics").

Seed 000: "The suggested metric is the number of tickets per product in a reporting period,
further classified according to the ticket category (configuration/deployment issue,
documentation, software defect). ... More widely deployed products are likely to generate more
tickets but those do not mean lower software quality, and the products must not be penalized
for their wide adoption. Hence the raw number of tickets must be weighted by some measure of
the product deployment. ... candidate starting point is the number of registered instances in
the information system".

Here: the tickets of a period are those counted in ``assigned_to_dmsu`` (at least one
assignment to DMSU inside the period), grouped by the ticket's component and category; the
weight is the component's ``deployment_size`` (registered instances), giving tickets per 100
registered instances (None when the size is unknown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dmsu.cheatsheet.models import Component
from dmsu.metrics.periods import Period
from dmsu.metrics.sqltools import run
from dmsu.tickets.models import CATEGORIES
from dmsu.tickets.projection.facts import FACT_CODES

NO_CATEGORY = "uncategorised"
NO_COMPONENT = "(no component)"
COLUMNS = (*CATEGORIES, NO_CATEGORY)


@dataclass
class ProductRow:
    component_id: int | None
    name: str
    deployment_size: int | None
    by_category: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_category.values())

    @property
    def per_100_instances(self) -> float | None:
        """Tickets per 100 registered instances, two decimals (None without a size)."""
        if not self.deployment_size or self.deployment_size <= 0:
            return None
        value = Decimal(self.total * 100) / Decimal(self.deployment_size)
        return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def per_product(period: Period) -> list[ProductRow]:
    """One row per component with tickets in ``period``, most tickets first (two queries).

    Each ticket counts once, at its first assignment to DMSU inside the period: the one whose
    previous assignment to DMSU (the event's derived ``prev_same_at``) is missing or before
    the period — one range of the flow facts' index (migration m0907) and a seek per
    ticket, with no ``DISTINCT``."""
    counts = run(
        f"""
        SELECT t.component_id, t.category, COUNT(*)
        FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id
        WHERE e.flow_fact = {FACT_CODES["to_dmsu"]} AND e.at >= :start AND e.at < :end
          AND (e.prev_same_at IS NULL OR e.prev_same_at < :start)
        GROUP BY t.component_id, t.category
        """,
        start=period.start,
        end=period.end,
    )
    wanted = {row[0] for row in counts if row[0] is not None}
    components = {
        c.id: c
        for c in Component.select(Component.id, Component.name, Component.deployment_size).where(
            Component.id.in_(sorted(wanted) or [-1])
        )
    }
    rows: dict[int | None, ProductRow] = {}
    for component_id, category, count in counts:
        component = components.get(component_id)
        row = rows.get(component_id)
        if row is None:
            row = rows[component_id] = ProductRow(
                component_id,
                component.name if component else NO_COMPONENT,
                component.deployment_size if component else None,
                dict.fromkeys(COLUMNS, 0),
            )
        key = category if category in CATEGORIES else NO_CATEGORY
        row.by_category[key] += int(count)
    return sorted(rows.values(), key=lambda r: (-r.total, r.name.lower()))


def most_tickets_per_instance(rows: list[ProductRow], limit: int = 3, minimum: int = 2):
    """The products with the most tickets per 100 instances (at least ``minimum`` tickets)."""
    weighted = [r for r in rows if r.per_100_instances is not None and r.total >= minimum]
    return sorted(weighted, key=lambda r: (-r.per_100_instances, r.name.lower()))[:limit]
