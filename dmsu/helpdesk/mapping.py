"""The one configuration of how the helpdesk and the site name the same things: Zammad groups
↔ support units, states ↔ statuses, priorities, the GGUS custom fields and the type of issue
(``content/helpdesk_mapping.toml``, or the file ``DMSU_ZAMMAD_MAPPING`` names, until an admin
saves a copy of their own on ``/helpdesk/mapping``: the newest saved copy is used).

A name the mapping does not know maps to ``None``: the caller keeps what came and lists it
for review (:class:`dmsu.helpdesk.models.HelpdeskReview`), it never guesses.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dmsu.core.config import ROOT
from dmsu.helpdesk.models import HelpdeskMappingText
from dmsu.tickets.models import CATEGORIES, PRIORITIES, STATUSES
from dmsu.tickets.units import SupportUnit

DEFAULT_FILE = ROOT / "content" / "helpdesk_mapping.toml"
FIELD_NAMES = ("ggus_id", "component", "type_of_issue", "eta", "fixed_version")
FLAGS = ("broad_impact", "postponed", "lack_of_expertise")


class MappingError(ValueError):
    """The mapping file cannot be used; the message says where, in one sentence."""


@dataclass
class Mapping:
    match_site_units: bool = True
    group_names: dict[str, str] = field(default_factory=dict)
    unit_kinds: tuple[str, ...] = ("first_line", "dmsu", "third_line", "umd_release")
    states: dict[str, str] = field(default_factory=dict)
    priorities: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    type_of_issue: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)  # Zammad tag -> ticket flag
    customer_sender: str = "Customer"
    source: str = ""
    _units: dict[str, tuple[str, str]] | None = None  # lower name -> (name, kind)

    # --- helpdesk -> site ---

    def units(self) -> dict[str, tuple[str, str]]:
        if self._units is None:
            self._units = {u.name.lower(): (u.name, u.kind) for u in SupportUnit.select()}
        return self._units

    def unit_for_group(self, group: str | None) -> str | None:
        """The site's support unit for a Zammad group, or None (unknown: to review)."""
        if not group:
            return None
        named = self.group_names.get(group)
        if named:
            return named
        if self.match_site_units:
            found = self.units().get(group.lower())
            if found:
                return found[0]
        return None

    def unit_kind(self, unit: str | None) -> str | None:
        found = self.units().get((unit or "").lower())
        return found[1] if found else None

    def of_interest(self, unit: str | None) -> bool:
        return self.unit_kind(unit) in self.unit_kinds

    def status_for_state(self, state: str | None) -> str | None:
        return self.states.get(state or "")

    def priority_for(self, priority: str | None) -> str | None:
        return self.priorities.get(priority or "")

    def category_for(self, type_of_issue: str | None) -> str | None:
        return self.type_of_issue.get(type_of_issue or "")

    def flag_for_tag(self, tag: str | None) -> str | None:
        return self.tags.get(tag or "")

    def tag_for_flag(self, flag: str) -> str | None:
        for tag, name in self.tags.items():
            if name == flag:
                return tag
        return None

    def attribute(self, name: str) -> str:
        return self.fields.get(name, "")

    # --- site -> helpdesk ---

    def group_for_unit(self, unit: str) -> str:
        """The Zammad group a site unit is routed to: the renamed one, else its own name."""
        for group, site_unit in self.group_names.items():
            if site_unit == unit:
                return group
        return unit

    def state_for_status(self, status: str) -> str:
        """The Zammad state of a site status: GGUS's own status names are kept on Zammad."""
        if self.states.get(status) == status:
            return status
        for state, site_status in self.states.items():
            if site_status == status:
                return state
        return status

    def rows(self) -> dict[str, list[tuple[str, str]]]:
        """The mapping as the admin page lists it."""
        return {
            "Groups → support units": sorted(self.group_names.items())
            + ([("(a group named as a site unit)", "that unit")] if self.match_site_units else []),
            "States → statuses": sorted(self.states.items()),
            "Priorities": sorted(self.priorities.items()),
            "GGUS fields → ticket fields": [(v, k) for k, v in self.fields.items()],
            "Type of issue → category": sorted(self.type_of_issue.items()),
            "Tags → ticket flags": sorted(self.tags.items()),
            "Tickets kept": [("ever in a unit of kind", ", ".join(self.unit_kinds))],
        }


def _table(data: dict, name: str) -> dict:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise MappingError(f"[{name}] must be a table of names.")
    return value


def _names(table: dict, where: str, allowed=None) -> dict[str, str]:
    out = {}
    for key, value in table.items():
        if not isinstance(value, str):
            raise MappingError(f"{where}: {key!r} must map to a name in quotes.")
        if allowed is not None and value not in allowed:
            raise MappingError(
                f"{where}: {key!r} maps to {value!r}, which is not one of the site's."
            )
        out[str(key)] = value
    return out


def parse(text: str, source: str = "") -> Mapping:
    """A mapping from TOML text; :class:`MappingError` names what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"The helpdesk mapping is not valid TOML ({exc}).") from None
    groups = _table(data, "groups")
    fields = _names(_table(data, "fields"), "[fields]")
    unknown = sorted(set(fields) - set(FIELD_NAMES))
    if unknown:
        raise MappingError(f"[fields]: {unknown[0]!r} is not one of {', '.join(FIELD_NAMES)}.")
    kinds = _table(data, "interest").get("unit_kinds", list(Mapping.unit_kinds))
    return Mapping(
        match_site_units=bool(groups.get("match_site_units", True)),
        group_names=_names(_table(groups, "names"), "[groups.names]"),
        unit_kinds=tuple(str(k) for k in kinds),
        states=_names(_table(data, "states"), "[states]", STATUSES),
        priorities=_names(_table(data, "priorities"), "[priorities]", PRIORITIES),
        fields=fields,
        type_of_issue=_names(_table(data, "type_of_issue"), "[type_of_issue]", CATEGORIES),
        tags=_names(_table(data, "tags"), "[tags]", FLAGS),
        customer_sender=str(_table(data, "articles").get("customer_sender", "Customer")),
        source=source,
    )


def path_from_config(config) -> Path:
    configured = str(config.get("DMSU_ZAMMAD_MAPPING") or "").strip()
    return Path(configured) if configured else DEFAULT_FILE


def current_text(config) -> tuple[str, str]:
    """(text, where it is from): the newest copy an admin saved, else the file."""
    saved = HelpdeskMappingText.select().order_by(HelpdeskMappingText.id.desc()).first()
    if saved is not None:
        when = saved.saved_at.strftime("%Y-%m-%d %H:%M")
        return saved.text, f"saved by {saved.saved_by or 'an admin'} at {when} UTC"
    path = path_from_config(config)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except OSError as exc:
        raise MappingError(
            f"The helpdesk mapping {path} cannot be read ({exc.strerror})."
        ) from None


def load(config) -> Mapping:
    text, source = current_text(config)
    return parse(text, source)


def save(text: str, by: str) -> Mapping:
    """Check and keep an admin's mapping; :class:`MappingError` (nothing saved) otherwise."""
    if not text.strip():
        raise MappingError("The mapping is empty: write it as TOML (the file's copy is a start).")
    mapping = parse(text)
    HelpdeskMappingText.create(text=text, saved_by=by[:64])
    return mapping
