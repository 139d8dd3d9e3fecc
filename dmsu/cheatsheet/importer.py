"""Loading the cheat sheet from CSV (``content/cheatsheet.csv`` and ``import-cheatsheet``)."""

from __future__ import annotations

import csv
from pathlib import Path

from dmsu.cheatsheet.models import Component, ComponentPartner, Expert, Partner
from dmsu.tickets.units import SupportUnit
from dmsu.wiki.render import slugify


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def load_partners(path: Path) -> int:
    created = 0
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            _, was_created = Partner.get_or_create(
                name=row["name"].strip(),
                defaults={"country": row.get("country", ""), "contact": row.get("contact", "")},
            )
            created += was_created
    return created


def load_components(path: Path) -> int:
    created = 0
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row["component"].strip()
            if Component.select().where(Component.name == name).exists():
                continue
            unit = SupportUnit.get_or_none(SupportUnit.name == row["support_unit"].strip())
            component = Component.create(
                name=name,
                slug=slugify(name),
                aliases="\n".join(_split(row.get("aliases", ""))),
                description=row.get("description", "").strip(),
                support_unit=unit,
                deployment_size=int(row["deployment_size"]) if row.get("deployment_size") else None,
                doc_url=row.get("doc_url", "").strip(),
                forums="\n".join(_split(row.get("forums", ""))),
            )
            for partner_name in _split(row.get("partners", "")):
                partner, _ = Partner.get_or_create(name=partner_name)
                ComponentPartner.create(component=component, partner=partner)
            for expert in _split(row.get("experts", "")):
                name_part, _, email = expert.partition("<")
                Expert.create(component=component, name=name_part.strip(), email=email.strip("> "))
            created += 1
    return created


def load_content(content_dir: Path) -> list[str]:
    lines = []
    if (content_dir / "partners.csv").exists():
        lines.append(f"Partners: {load_partners(content_dir / 'partners.csv')} new.")
    if (content_dir / "cheatsheet.csv").exists():
        lines.append(f"Components: {load_components(content_dir / 'cheatsheet.csv')} new.")
    return lines
