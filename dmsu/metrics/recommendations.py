"""TCB recommendations: the forecast-based metric (seed 000, "Forecast based metric").

Seed 000: "At the end of each quarter, and based on tickets and analysis conducted on behalf
of the TCB a recommendation for changes / fixes to the providers of the deployed middleware is
authored. The list is accompanied with risks if not following the recommendations /
improvements expected if recommendations are followed." and "At the end of each quarter, and
based on the analysis from the former quarter comments on the results of following / not
following the recommendations are summarized".

:func:`draft` proposes items for a quarter from the per-product figures (the products with
the most tickets per 100 registered instances) and the open broad-impact problems; an
assigner edits them. In the following quarter each gets a review: followed or not, and what
came of it. Editing needs ``recommendation.edit``. Edits and reviews are compare-and-set on
the recommendation's ``version``, which their forms carry: a save made on an older copy is
refused with the user's text kept instead of overwriting someone else's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dmsu.auth.permissions import require
from dmsu.core import clock
from dmsu.core.db import database, write_transaction
from dmsu.core.publictext import public_text
from dmsu.metrics.models import Recommendation
from dmsu.metrics.per_product import most_tickets_per_instance, per_product
from dmsu.metrics.periods import Period
from dmsu.tickets.models import OPEN_STATUSES, Ticket
from dmsu.tickets.people import people_of_tickets

FOLLOWED = {"yes": "Followed", "partly": "Partly followed", "no": "Not followed"}
QUARTER = re.compile(r"PQ([1-9]\d{0,2})")
LIMITS = {"title": 300, "text": 5000, "risk": 5000, "improvement": 5000, "outcome": 5000}


class RecommendationError(ValueError):
    """Invalid input; ``errors`` maps a field to one sentence."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


class StaleRecommendation(RecommendationError):
    """Someone saved the recommendation since the form was opened; nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            {
                "version": "Someone else saved this recommendation after you opened the form, "
                "so nothing of yours was saved; your text is kept here: save again to replace "
                "theirs, or reload to see it."
            }
        )


@dataclass
class Proposal:
    title: str
    text: str
    risk: str
    improvement: str
    sources: list[str] = field(default_factory=list)


def quarter_number(name: str) -> int:
    match = QUARTER.fullmatch(name or "")
    if not match:
        raise RecommendationError({"quarter": f"{name!r} is not a project quarter like PQ9."})
    return int(match[1])


def previous_quarter(name: str) -> str | None:
    n = quarter_number(name)
    return f"PQ{n - 1}" if n > 1 else None


def for_quarter(name: str) -> list[Recommendation]:
    return list(
        Recommendation.select()
        .where(Recommendation.quarter == name)
        .order_by(Recommendation.created_at, Recommendation.id)
    )


def proposals(quarter: Period) -> list[Proposal]:
    """Items worth recommending for ``quarter`` (not saved)."""
    found: list[Proposal] = []
    for row in most_tickets_per_instance(per_product(quarter)):
        worst = max(row.by_category, key=lambda c: row.by_category[c])
        found.append(
            Proposal(
                title=f"Reduce the tickets raised by {row.name}",
                text=(
                    f"{row.name} had {row.total} tickets in {quarter.name} "
                    f"({row.per_100_instances} per 100 registered instances), most of them "
                    f"of the category '{worst}'. Ask the product team to review these reports "
                    "and address their common causes (documentation, defaults, defects)."
                ),
                risk=(
                    f"Sites running {row.name} keep hitting the same problems and DMSU and "
                    "the product team keep spending effort on repeated tickets."
                ),
                improvement=(
                    f"Fewer tickets per 100 instances of {row.name} in the next quarters."
                ),
                sources=[f"per-product: {row.name}"],
            )
        )
    broad = list(
        Ticket.select(Ticket.id, Ticket.ggus_id, Ticket.subject, Ticket.impact, Ticket.workaround)
        .where((Ticket.broad_impact == True) & Ticket.status.in_(OPEN_STATUSES))  # noqa: E712
        .order_by(Ticket.created_at)
        .limit(5)
    )
    people = people_of_tickets(t.id for t in broad)
    for ticket in broad:
        # The TCB reads these outside DMSU: the ticket's text as public text.
        of_ticket = people.get(ticket.id)
        subject = public_text(ticket.subject, of_ticket)
        impact = public_text(ticket.impact, of_ticket)
        workaround = public_text(ticket.workaround, of_ticket)
        found.append(
            Proposal(
                title=f"Fix the broad-impact problem of GGUS #{ticket.ggus_id}",
                text=(
                    f"GGUS #{ticket.ggus_id} ({subject}) affects many sites and is "
                    f"still open. {impact}".strip()
                ),
                risk="More sites are affected and the workaround has to be applied by hand"
                + (f" ({workaround})" if workaround else "")
                + ".",
                improvement="The problem disappears from the infrastructure with the fix.",
                sources=[f"GGUS #{ticket.ggus_id}"],
            )
        )
    return found


def draft(quarter: Period, user) -> list[Recommendation]:
    """Save the proposals for ``quarter`` whose titles it does not have yet."""
    require(user, "recommendation.edit", "draft TCB recommendations")
    quarter_number(quarter.name)
    existing = {r.title for r in for_quarter(quarter.name)}
    created = []
    with database.atomic():
        for item in proposals(quarter):
            if item.title in existing:
                continue
            created.append(
                Recommendation.create(
                    quarter=quarter.name,
                    title=item.title,
                    text=item.text,
                    risk=item.risk,
                    improvement=item.improvement,
                    created_by=user,
                    created_at=clock.now(),
                )
            )
    return created


def _clean(form, names) -> tuple[dict[str, str], dict[str, str]]:
    values = {name: (form.get(name) or "").strip() for name in names}
    errors = {
        name: f"The {name} is longer than {LIMITS[name]} characters."
        for name in names
        if len(values[name]) > LIMITS[name]
    }
    return values, errors


def _expected_version(form) -> int:
    try:
        return int(form.get("version") or "")
    except ValueError:
        raise RecommendationError(
            {"version": "The form is missing its version; reload the page."}
        ) from None


def _write(recommendation: Recommendation, version: int, **columns) -> Recommendation:
    """The compare-and-set of every change: ``UPDATE recommendation SET <columns>, version =
    version + 1 WHERE id = ? AND version = ?``; :class:`StaleRecommendation` when the row moved
    on (or was deleted) since the form's ``version``."""
    with write_transaction():
        changed = (
            Recommendation.update(**columns, version=Recommendation.version + 1)
            .where((Recommendation.id == recommendation.id) & (Recommendation.version == version))
            .execute()
        )
        if changed != 1:
            raise StaleRecommendation()
    return Recommendation.get_by_id(recommendation.id)


def save(user, quarter: str, form, recommendation: Recommendation | None = None):
    """Create (or update) a recommendation from a form; :class:`RecommendationError` if the
    title, the risk or the expected improvement is missing. An update is a compare-and-set
    on the form's ``version``."""
    require(user, "recommendation.edit", "edit TCB recommendations")
    quarter_number(quarter)
    values, errors = _clean(form, ("title", "text", "risk", "improvement"))
    required = {
        "title": "Give the recommendation a title.",
        "risk": "Say what the risk is if the recommendation is not followed.",
        "improvement": "Say what improvement is expected if it is followed.",
    }
    for name, message in required.items():
        if not values[name]:
            errors.setdefault(name, message)
    if errors:
        raise RecommendationError(errors)
    if recommendation is None:
        return Recommendation.create(
            quarter=quarter, created_by=user, created_at=clock.now(), **values
        )
    return _write(recommendation, _expected_version(form), **values)


def review(user, recommendation: Recommendation, form) -> Recommendation:
    """Record what happened to a recommendation: followed (yes, partly, no) and the result;
    a compare-and-set on the form's ``version``."""
    require(user, "recommendation.edit", "review TCB recommendations")
    values, errors = _clean(form, ("outcome",))
    followed = (form.get("followed") or "").strip()
    if followed not in FOLLOWED:
        errors["followed"] = "Choose whether the recommendation was followed: yes, partly or no."
    if not values["outcome"]:
        errors.setdefault("outcome", "Describe the result of following or not following it.")
    if errors:
        raise RecommendationError(errors)
    return _write(
        recommendation,
        _expected_version(form),
        followed=followed,
        outcome=values["outcome"],
        reviewed_at=clock.now(),
    )


def delete(user, recommendation: Recommendation) -> None:
    require(user, "recommendation.edit", "delete TCB recommendations")
    recommendation.delete_instance()
