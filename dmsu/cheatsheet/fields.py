"""One cheat-sheet row as plain data: parsed from a form or a CSV line, written as the JSON
snapshot kept in :class:`~dmsu.cheatsheet.models.CheatSheetChange`, and back.

The CSV columns (``content/cheatsheet.csv``, ``/cheatsheet.csv``, ``import-cheatsheet``) are
:data:`COLUMNS`; lists are ``;``-separated (a form may also put one item per line), experts are
written ``Name <email>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from dmsu.cheatsheet.models import NAME_MAX_LENGTH, Component, name_key

COLUMNS = (
    "component",
    "aliases",
    "description",
    "support_unit",
    "partners",
    "experts",
    "deployment_size",
    "doc_url",
    "forums",
    "packages",
)
REQUIRED_COLUMNS = ("component", "support_unit", "partners")
# Columns a CSV may leave out (files written before they existed): read as empty.
OPTIONAL_COLUMNS = ("packages",)
# An RPM or Debian package name (rpm's and Debian Policy's characters).
_PACKAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
DESCRIPTION_MAX_LENGTH = 1000

_EMAIL = re.compile(r"^[^@\s<>;,]+@[^@\s<>;,]+\.[^@\s<>;,]+$")
_URL = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)
_EXPERT = re.compile(r"^(?P<name>[^<>]*?)\s*(?:<(?P<email>[^<>]*)>)?\s*$")


@dataclass(frozen=True)
class FieldError:
    """A problem with one field (a CSV column); ``message`` is a lower-case clause."""

    column: str
    message: str

    def sentence(self) -> str:
        return self.message[:1].upper() + self.message[1:] + "."


@dataclass
class ComponentData:
    """What a cheat-sheet row says about a component, independent of the database."""

    name: str = ""
    aliases: list[str] = field(default_factory=list)
    description: str = ""
    support_unit: str = ""
    partners: list[str] = field(default_factory=list)
    experts: list[tuple[str, str]] = field(default_factory=list)  # (name, email)
    deployment_size: int | None = None
    doc_url: str = ""
    forums: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)

    def name_keys(self) -> list[tuple[str, str]]:
        """(key, label) of the name and each alias, first occurrence kept."""
        seen, result = set(), []
        for label in [self.name, *self.aliases]:
            key = name_key(label)
            if key and key not in seen:
                seen.add(key)
                result.append((key, label))
        return result

    def as_row(self, with_emails: bool = True) -> dict[str, str]:
        """The CSV row (every value a string) of this data."""
        return {
            "component": self.name,
            "aliases": ";".join(self.aliases),
            "description": self.description,
            "support_unit": self.support_unit,
            "partners": ";".join(self.partners),
            "experts": ";".join(
                format_expert(n, e if with_emails else "") for n, e in self.experts
            ),
            "deployment_size": "" if self.deployment_size is None else str(self.deployment_size),
            "doc_url": self.doc_url,
            "forums": ";".join(self.forums),
            "packages": ";".join(self.packages),
        }


def split_list(value: str | None) -> list[str]:
    """Items of a ``;``- or newline-separated list, stripped, empty ones dropped."""
    return [part.strip() for part in re.split(r"[;\n]", value or "") if part.strip()]


def format_expert(name: str, email: str) -> str:
    return f"{name} <{email}>" if email else name


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def is_url(value: str) -> bool:
    return bool(_URL.match(value))


def parse(values: Mapping[str, str | None]) -> tuple[ComponentData, list[FieldError]]:
    """Parse a form or CSV row (keys are :data:`COLUMNS`) without touching the database.

    Returns the data (with whatever could be understood) and the format errors.
    """
    errors: list[FieldError] = []

    def text(column: str) -> str:
        return re.sub(r"[ \t]+", " ", str(values.get(column) or "")).strip()

    data = ComponentData(
        name=text("component"),
        description=str(values.get("description") or "").strip(),
        support_unit=text("support_unit"),
        partners=_unique(split_list(values.get("partners"))),
        doc_url=text("doc_url"),
        forums=_unique(split_list(values.get("forums"))),
        packages=_unique(split_list(values.get("packages"))),
    )
    if not data.name:
        errors.append(FieldError("component", "the component name is empty"))
    for label in [data.name, *split_list(values.get("aliases"))]:
        if len(label) > NAME_MAX_LENGTH:
            errors.append(
                FieldError(
                    "component" if label == data.name else "aliases",
                    f"'{label[:30]}…' is longer than {NAME_MAX_LENGTH} characters",
                )
            )
    own = name_key(data.name)
    data.aliases = [
        label
        for key, label in ComponentData(aliases=split_list(values.get("aliases"))).name_keys()
        if key != own
    ]
    if len(data.description) > DESCRIPTION_MAX_LENGTH:
        errors.append(
            FieldError(
                "description", f"the description is longer than {DESCRIPTION_MAX_LENGTH} characters"
            )
        )
    for item in split_list(values.get("experts")):
        match = _EXPERT.match(item)
        name = match.group("name").strip() if match else ""
        email = (match.group("email") or "").strip() if match else ""
        if not match or not name:
            errors.append(FieldError("experts", f"write the expert '{item}' as Name <email>"))
        elif email and not is_email(email):
            errors.append(FieldError("experts", f"'{email}' is not an e-mail address"))
        else:
            data.experts.append((name, email))
    size = text("deployment_size").replace(",", "").replace("_", "")
    if size:
        if size.isdigit():
            data.deployment_size = int(size)
        else:
            errors.append(
                FieldError(
                    "deployment_size", f"'{size}' is not a whole number of registered instances"
                )
            )
    if data.doc_url and not is_url(data.doc_url):
        errors.append(FieldError("doc_url", f"'{data.doc_url}' is not an http:// or https:// link"))
    for forum in data.forums:
        if not (is_email(forum) or is_url(forum)):
            errors.append(
                FieldError("forums", f"'{forum}' is neither a mailing-list address nor a web link")
            )
    for package in data.packages:
        if not _PACKAGE.match(package) or len(package) > 200:
            errors.append(FieldError("packages", f"'{package[:60]}' is not a package name"))
    return data, errors


def _unique(items: list[str]) -> list[str]:
    seen, result = set(), []
    for item in items:
        if item.casefold() not in seen:
            seen.add(item.casefold())
            result.append(item)
    return result


def from_component(component: Component, partners: list, experts: list) -> ComponentData:
    """The data of a stored component (its partners and experts given, already loaded)."""
    unit = component.support_unit
    return ComponentData(
        name=component.name,
        aliases=component.alias_list,
        description=component.description,
        support_unit=unit.name if unit is not None else "",
        partners=[p.name for p in partners],
        experts=[(e.name, e.email) for e in experts],
        deployment_size=component.deployment_size,
        doc_url=component.doc_url,
        forums=component.forum_list,
        packages=component.package_list,
    )


def to_json(data: ComponentData, retired: bool) -> str:
    state = asdict(data)
    state["experts"] = [format_expert(n, e) for n, e in data.experts]
    state["retired"] = retired
    return json.dumps(state, ensure_ascii=False, sort_keys=True)


def from_json(text: str) -> tuple[ComponentData, bool] | None:
    """The data and retired flag of a snapshot; None for "" (the component did not exist)."""
    if not text:
        return None
    state = json.loads(text)
    experts = []
    for item in state.get("experts", []):
        match = _EXPERT.match(item)
        if match:
            experts.append((match.group("name").strip(), (match.group("email") or "").strip()))
    data = ComponentData(
        name=state.get("name", ""),
        aliases=list(state.get("aliases", [])),
        description=state.get("description", ""),
        support_unit=state.get("support_unit", ""),
        partners=list(state.get("partners", [])),
        experts=experts,
        deployment_size=state.get("deployment_size"),
        doc_url=state.get("doc_url", ""),
        forums=list(state.get("forums", [])),
        packages=list(state.get("packages", [])),
    )
    return data, bool(state.get("retired"))
