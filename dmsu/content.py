"""Seed content loaded by ``flask dmsu init`` from ``content/``: support units, partners,
the cheat sheet, and the areas' own content. Loading is idempotent: what exists is kept."""

from __future__ import annotations

import csv
import importlib
from pathlib import Path

from dmsu import ROOT
from dmsu.tickets.units import SupportUnit, ensure_built_in_units

CONTENT_DIR = ROOT / "content"

# Areas that ship seed content expose ``load_content(content_dir) -> list[str]``.
AREA_LOADERS = ("dmsu.cheatsheet.importer", "dmsu.wiki.content")


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
    for module_name in AREA_LOADERS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        lines.extend(module.load_content(content_dir))
    return lines
