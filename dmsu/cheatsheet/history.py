"""The change history of the cheat sheet: every CheatSheetChange with what it changed."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN

from dmsu.auth.models import User
from dmsu.cheatsheet.fields import ComponentData, format_expert, from_json
from dmsu.cheatsheet.models import CheatSheetChange, Component

PER_PAGE = 50
ACTION_LABELS = {
    "create": "added",
    "update": "changed",
    "retire": "retired",
    "restore": "restored",
    "revert": "reverted",
    "import": "imported",
}
_LABELS = {
    "name": "name",
    "aliases": "aliases",
    "description": "description",
    "support_unit": "3rd-line unit",
    "partners": "partners",
    "experts": "experts",
    "deployment_size": "instances",
    "doc_url": "documentation",
    "forums": "forums",
    "packages": "packages",
}


@dataclass
class HistoryPage:
    changes: list[CheatSheetChange]
    page: int
    pages: int
    total: int


def changes(component: Component | None = None, page: int = 1) -> HistoryPage:
    """Changes newest first, with their actor and component (one query per page)."""
    query = (
        CheatSheetChange.select(CheatSheetChange, User, Component)
        .join_from(CheatSheetChange, User, join_type=JOIN.LEFT_OUTER)
        .join_from(CheatSheetChange, Component, join_type=JOIN.LEFT_OUTER)
    )
    if component is not None:
        query = query.where(CheatSheetChange.component == component)
    total = query.count()
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    rows = list(
        query.order_by(CheatSheetChange.at.desc(), CheatSheetChange.id.desc()).paginate(
            page, PER_PAGE
        )
    )
    return HistoryPage(rows, page, pages, total)


def describe(change: CheatSheetChange, show_emails: bool) -> list[str]:
    """One short line per field the change touched, e.g. "partners: INFN → INFN, CESNET"."""
    before, after = from_json(change.before), from_json(change.after)
    if after is None:
        return []
    new, new_retired = after
    if before is None:
        return [f"{_LABELS['name']}: {new.name}"] + [
            f"{_LABELS[f]}: {_show(new, f, show_emails)}"
            for f in ("support_unit", "partners", "experts")
            if _show(new, f, show_emails)
        ]
    old, old_retired = before
    lines = []
    for field in _LABELS:
        was, now = _show(old, field, show_emails), _show(new, field, show_emails)
        if was != now:
            lines.append(f"{_LABELS[field]}: {was or '—'} → {now or '—'}")
    if old_retired != new_retired:
        lines.append("retired" if new_retired else "back on the sheet")
    return lines


def _show(data: ComponentData, field: str, show_emails: bool) -> str:
    value = getattr(data, field)
    if field == "experts":
        return ", ".join(format_expert(n, e if show_emails else "") for n, e in value)
    if isinstance(value, list):
        return ", ".join(value)
    if field == "description" and value and len(value) > 80:
        return value[:77] + "…"
    return "" if value is None else str(value)
