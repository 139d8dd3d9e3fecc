"""Searching, filtering and grouping the cheat sheet (pure functions over :mod:`sheet` rows).

The search matches names, aliases, descriptions, partners, experts and unit names,
case-insensitively; every word of the query must match somewhere. Exact name or alias
matches come first, then names and aliases that start with the query, then the rest by name.

A search that finds nothing offers "did you mean": the closest component names and aliases
(a typo like "dcahce" gives dCache), else the query with each word replaced by the closest
word of the sheet, and only suggestions that do find rows. The closeness is the standard
library's ``difflib`` ratio (matching characters over the length of both strings).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from dmsu.cheatsheet.models import name_key
from dmsu.cheatsheet.sheet import Row, Sheet

GROUPS = ("", "partner", "unit")
NO_PARTNER = "No DMSU partner"
NO_UNIT = "No 3rd-line unit"
SUGGESTIONS = 3
CLOSE_ENOUGH = 0.75  # difflib's ratio: "dcahce"/"dcache" is 0.83, "cream"/"dream" 0.8
_WORD = re.compile(r"[\w.+-]{3,}")


@dataclass(frozen=True)
class SheetQuery:
    q: str = ""
    partner: str = ""
    unit: str = ""
    group: str = ""
    retired: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> SheetQuery:
        group = (args.get("group") or "").strip().lower()
        return cls(
            q=" ".join((args.get("q") or "").split())[:200],
            partner=(args.get("partner") or "").strip(),
            unit=(args.get("unit") or "").strip(),
            group=group if group in GROUPS else "",
            retired=(args.get("retired") or "") in {"1", "on", "true", "yes"},
        )

    def cache_key(self) -> tuple:
        return (
            self.q.casefold(),
            self.partner.casefold(),
            self.unit.casefold(),
            self.group,
            self.retired,
        )

    def params(self) -> dict[str, str]:
        """The non-empty query parameters (for links such as the CSV export)."""
        values = {"q": self.q, "partner": self.partner, "unit": self.unit, "group": self.group}
        if self.retired:
            values["retired"] = "1"
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class Group:
    label: str
    detail: str
    rows: tuple[Row, ...]
    contact: str = ""  # a partner's contact address: shown to staff only


@dataclass(frozen=True)
class SheetResult:
    rows: tuple[Row, ...]
    groups: tuple[Group, ...]
    notes: tuple[str, ...]
    total: int
    suggestions: tuple[str, ...] = ()  # "did you mean", when nothing matched


def rank(row: Row, q: str) -> int | None:
    """None when ``row`` does not match; else 0 (exact name/alias) … 3 (elsewhere)."""
    if not q:
        return 3
    key = name_key(q)
    if key in row.keys:
        return 0
    if any(k.startswith(key) for k in row.keys):
        return 1
    words = key.split()
    if not all(word in row.haystack for word in words):
        return None
    names = "\n".join(row.keys)
    return 2 if all(word in names for word in words) else 3


def run(sheet: Sheet, query: SheetQuery) -> SheetResult:
    notes = []
    partner_key, unit_key = query.partner.casefold(), query.unit.casefold()
    if partner_key and partner_key not in {p.name.casefold() for p in sheet.partners}:
        notes.append(f"There is no DMSU partner named '{query.partner}'.")
    if unit_key and unit_key not in {u.name.casefold() for u in sheet.units}:
        notes.append(f"There is no 3rd-line support unit named '{query.unit}'.")
    candidates = []
    for row in sheet.rows:
        if row.retired and not query.retired:
            continue
        if partner_key and partner_key not in {p.name.casefold() for p in row.partners}:
            continue
        if unit_key and (row.unit is None or row.unit.name.casefold() != unit_key):
            continue
        candidates.append(row)
    ranked = []
    for row in candidates:
        position = rank(row, query.q)
        if position is not None:
            ranked.append((position, row.name.casefold(), row))
    ranked.sort(key=lambda item: item[:2])
    rows = tuple(row for _, _, row in ranked)
    total = sum(1 for row in sheet.rows if query.retired or not row.retired)
    suggested = did_you_mean(candidates, query.q) if query.q and not rows else ()
    return SheetResult(rows, _groups(sheet, rows, query), tuple(notes), total, suggested)


def _close(text: str, choices: dict[str, str], n: int) -> list[str]:
    """The display forms of the ``choices`` (keyed by their casefolded form) closest to
    ``text``."""
    found = difflib.get_close_matches(text.casefold(), list(choices), n, CLOSE_ENOUGH)
    return [choices[key] for key in found]


def did_you_mean(rows: list[Row], q: str) -> tuple[str, ...]:
    """Searches close to ``q`` that find some of ``rows`` (at most :data:`SUGGESTIONS`):
    component names and aliases first, then ``q`` corrected word by word."""
    typed = name_key(q)
    names = {name_key(n): n for row in rows for n in (row.name, *row.aliases)}
    found = _close(typed, names, SUGGESTIONS)
    if not found:
        words = {w: w for row in rows for w in _WORD.findall(row.haystack)}
        corrected = [
            word if word in words else next(iter(_close(word, words, 1)), word)
            for word in typed.split()
        ]
        found = [" ".join(corrected)]
    return tuple(
        text
        for text in dict.fromkeys(found)
        if name_key(text) != typed and any(rank(row, text) is not None for row in rows)
    )


def _groups(sheet: Sheet, rows: tuple[Row, ...], query: SheetQuery) -> tuple[Group, ...]:
    """Rows under each partner (a row with two partners is under both) or each unit; with a
    partner filter only that partner's group is shown."""
    group = query.group
    if group == "partner":
        groups = []
        for partner in sheet.partners:
            if query.partner and partner.name.casefold() != query.partner.casefold():
                continue
            members = tuple(r for r in rows if any(p.id == partner.id for p in r.partners))
            if members:
                groups.append(Group(partner.name, partner.country, members, partner.contact))
        orphans = tuple(r for r in rows if not r.partners)
        if orphans:
            groups.append(Group(NO_PARTNER, "", orphans))
        return tuple(groups)
    if group == "unit":
        groups = []
        for unit in sheet.units:
            members = tuple(r for r in rows if r.unit is not None and r.unit.id == unit.id)
            if members:
                detail = ", ".join(x for x in (unit.sla_label, unit.contact_email) if x)
                groups.append(Group(unit.name, detail, members))
        orphans = tuple(r for r in rows if r.unit is None or r.unit.kind != "third_line")
        if orphans:
            groups.append(Group(NO_UNIT, "", orphans))
        return tuple(groups)
    return (Group("", "", rows),)
