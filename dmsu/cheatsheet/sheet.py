"""Reading the cheat sheet: every row with its partners, experts and 3rd-line unit, loaded in
three queries and kept in memory per process (the ``cheatsheet.sheet`` cache of the one
store, :mod:`dmsu.core.cache`, under the database's generation) until the sheet changes.

The issue asks that the sheet answer "who takes this?" in a second, for anyone: a warm page
costs one small query (:func:`sheet_version`: the cheat sheet's area stamp, which triggers
move on every change, see :func:`dmsu.core.cache.stamp.areas`) plus the rendering.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import dmsu.core.cache.registry as registry
import dmsu.core.cache.stamp as stamp
from dmsu.cheatsheet.fields import ComponentData
from dmsu.cheatsheet.models import (
    CheatSheetChange,
    Component,
    ComponentPartner,
    Expert,
    Partner,
    name_key,
)
from dmsu.core.calendar import SLA_LEVEL_LABELS
from dmsu.core.db import database, generation
from dmsu.tickets.units import SupportUnit

CACHE_SECONDS = 60.0  # without a stamp: unit and partner edits that change no count show
# within this time


@dataclass(frozen=True)
class UnitInfo:
    id: int
    name: str
    kind: str
    sla_level: str
    contact_email: str

    @property
    def sla_label(self) -> str:
        return SLA_LEVEL_LABELS.get(self.sla_level, self.sla_level)


@dataclass(frozen=True)
class PartnerInfo:
    id: int
    name: str
    country: str
    contact: str


@dataclass(frozen=True)
class Row:
    """One component as the sheet shows it."""

    id: int
    name: str
    slug: str
    aliases: tuple[str, ...]
    description: str
    unit: UnitInfo | None
    partners: tuple[PartnerInfo, ...]
    experts: tuple[tuple[str, str], ...]
    deployment_size: int | None
    doc_url: str
    forums: tuple[str, ...]
    packages: tuple[str, ...]
    retired: bool
    retired_at: datetime | None
    updated_at: datetime
    keys: frozenset[str] = field(repr=False)
    haystack: str = field(repr=False)

    def data(self) -> ComponentData:
        return ComponentData(
            name=self.name,
            aliases=list(self.aliases),
            description=self.description,
            support_unit=self.unit.name if self.unit else "",
            partners=[p.name for p in self.partners],
            experts=list(self.experts),
            deployment_size=self.deployment_size,
            doc_url=self.doc_url,
            forums=list(self.forums),
            packages=list(self.packages),
        )


@dataclass(frozen=True)
class Sheet:
    version: tuple
    rows: tuple[Row, ...]
    partners: tuple[PartnerInfo, ...]
    units: tuple[UnitInfo, ...]
    last_changed: datetime | None

    def by_slug(self, slug: str) -> Row | None:
        return next((row for row in self.rows if row.slug == slug), None)


_CACHE = registry.Cache("cheatsheet.sheet", max_entries=4)  # -> (sheet, loaded at)


def sheet_version() -> tuple:
    """One query saying whether the sheet may have changed since it was last loaded: the
    area's page-cache stamp (exact), or where it is missing, counts and times."""
    stamps = stamp.areas()
    if stamps and "cheatsheet" in stamps:
        return ("stamp", stamps["cheatsheet"])
    return ("counts", *_counts_and_times())


def _counts_and_times() -> tuple:
    change, component, partner, unit = (
        CheatSheetChange._meta.table_name,
        Component._meta.table_name,
        Partner._meta.table_name,
        SupportUnit._meta.table_name,
    )
    cursor = database.execute_sql(
        f'SELECT (SELECT MAX(id) FROM "{change}"), (SELECT MAX(at) FROM "{change}"), '
        f'(SELECT MAX(updated_at) FROM "{component}"), (SELECT COUNT(*) FROM "{component}"), '
        f'(SELECT COUNT(*) FROM "{partner}"), (SELECT COUNT(*) FROM "{unit}")'
    )
    max_id, last_at, updated, *counts = cursor.fetchone()
    last_at = CheatSheetChange.at.python_value(last_at)
    updated = Component.updated_at.python_value(updated)
    return (max_id, last_at, updated, *counts)


def load_sheet() -> Sheet:
    """The whole sheet (retired rows too), from the per-process cache when still current."""
    version = sheet_version()
    kept = _CACHE.get(generation())
    if kept is not None:
        cached, loaded = kept
        if cached.version == version and (
            version[0] == "stamp" or time.monotonic() - loaded < CACHE_SECONDS
        ):
            return cached
    sheet = _build(version)
    _CACHE.put(generation(), (sheet, time.monotonic()))
    return sheet


def forget() -> None:
    """Drop the cached sheet (after writes in this process: a database without the area's
    stamp would otherwise show them only after :data:`CACHE_SECONDS`)."""
    _CACHE.clear()


def _build(version: tuple) -> Sheet:
    units = {
        u.id: UnitInfo(u.id, u.name, u.kind, u.sla_level, u.contact_email)
        for u in SupportUnit.select().order_by(SupportUnit.name)
    }
    partners = {
        p.id: PartnerInfo(p.id, p.name, p.country, p.contact)
        for p in Partner.select().order_by(Partner.name)
    }
    partners_of: dict[int, list[PartnerInfo]] = defaultdict(list)
    for component_id, partner_id in (
        ComponentPartner.select(ComponentPartner.component, ComponentPartner.partner)
        .order_by(ComponentPartner.id)
        .tuples()
    ):
        partners_of[component_id].append(partners[partner_id])
    experts_of: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for component_id, name, email in (
        Expert.select(Expert.component, Expert.name, Expert.email).order_by(Expert.id).tuples()
    ):
        experts_of[component_id].append((name, email))
    rows = []
    for component in Component.select().order_by(Component.name):
        unit = units.get(component.support_unit_id)
        own_partners = tuple(partners_of[component.id])
        experts = tuple(experts_of[component.id])
        aliases = tuple(component.alias_list)
        keys = frozenset(name_key(n) for n in (component.name, *aliases))
        haystack = "\n".join(
            [component.name, *aliases, component.description]
            + [p.name for p in own_partners]
            + [name for name, _ in experts]
            + ([unit.name] if unit else [])
        ).casefold()
        rows.append(
            Row(
                id=component.id,
                name=component.name,
                slug=component.slug,
                aliases=aliases,
                description=component.description,
                unit=unit,
                partners=own_partners,
                experts=experts,
                deployment_size=component.deployment_size,
                doc_url=component.doc_url,
                forums=tuple(component.forum_list),
                packages=tuple(component.package_list),
                retired=component.retired,
                retired_at=component.retired_at,
                updated_at=component.updated_at,
                keys=keys,
                haystack=haystack,
            )
        )
    last_at, updated = _counts_and_times()[1:3]
    stamps = [t for t in (last_at, updated) if t is not None]
    return Sheet(
        version=version,
        rows=tuple(rows),
        partners=tuple(partners.values()),
        units=tuple(u for u in units.values() if u.kind == "third_line"),
        last_changed=max(stamps) if stamps else None,
    )
