"""Seed content loaded by ``flask dmsu init`` from ``content/``: support units, partners,
the cheat sheet, and the areas' own content. Loading is idempotent: what exists is kept."""

from __future__ import annotations

import csv
from pathlib import Path

from dmsu.cheatsheet import importer as cheatsheet_content
from dmsu.core.config import ROOT
from dmsu.tickets.units import SupportUnit, ensure_built_in_units
from dmsu.wiki import content as wiki_content

CONTENT_DIR = ROOT / "content"

# Areas that ship seed content expose ``load_content(content_dir) -> list[str]``.
AREA_LOADERS = (cheatsheet_content, wiki_content)


def load_support_units(path: Path) -> int:
    created = 0
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            _, was_created = SupportUnit.get_or_create(
                name=row["name"].strip(),
                defaults={
                    "kind": row["kind"].strip(),
                    "sla_level": row.get("sla_level", "").strip() or "unspecified",
                    "contact_email": row.get("contact_email", "").strip(),
                    "description": row.get("description", "").strip(),
                    # a working time of its own (dmsu.tickets.sla.unit_calendars), optional
                    "timezone": (row.get("timezone") or "").strip(),
                    "country": (row.get("country") or "").strip().upper(),
                    "working_hours": (row.get("working_hours") or "").strip(),
                },
            )
            created += was_created
    return created


def load_all(content_dir: Path = CONTENT_DIR) -> list[str]:
    ensure_built_in_units()
    lines = ["Built-in support units: TPM, DMSU, UMD release."]
    units = content_dir / "support_units.csv"
    if units.exists():
        lines.append(f"Support units: {load_support_units(units)} new.")
    for area in AREA_LOADERS:
        lines.extend(area.load_content(content_dir))
    return lines
