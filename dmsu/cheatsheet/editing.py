"""Changing the cheat sheet: add, change, retire, restore and revert rows.

Seed 000: the cheat sheet "is updated when new components are added, other removed or when the
task to partner mapping are changed". Every change is kept as a :class:`CheatSheetChange`
(who, when, action, the row before and after as JSON); nothing is half-saved: each change is
one transaction, and a row that does not validate writes nothing.

Editing needs the ``cheatsheet.edit`` permission (assigners and admins); the import command
runs as the system (no actor).
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import IntegrityError

from dmsu import clock
from dmsu.auth.permissions import require
from dmsu.cheatsheet.fields import ComponentData, FieldError, from_component, from_json, to_json
from dmsu.cheatsheet.models import (
    CheatSheetChange,
    Component,
    ComponentName,
    ComponentPartner,
    Expert,
    Partner,
)
from dmsu.db import database
from dmsu.tickets.units import SupportUnit
from dmsu.wiki.render import slugify


class CheatSheetInvalid(ValueError):
    """The row cannot be saved; ``errors`` says why, field by field."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__(errors[0].sentence() if errors else "The row cannot be saved.")


@dataclass
class Lookup:
    """Units, partners and taken names loaded in bulk, so that validating a whole CSV file
    costs three queries."""

    units: dict[str, SupportUnit]
    partners: dict[str, Partner]
    taken: dict[str, tuple[int, str]]  # name key -> (component id, component name)

    @classmethod
    def load(cls) -> Lookup:
        units = {u.name.casefold(): u for u in SupportUnit.select()}
        partners = {p.name.casefold(): p for p in Partner.select()}
        taken: dict[str, tuple[int, str]] = {}
        names = {c.id: c for c in Component.select(Component.id, Component.name, Component.aliases)}
        for row in ComponentName.select(ComponentName.key, ComponentName.component):
            component = names.get(row.component_id)
            if component is not None:
                taken[row.key] = (component.id, component.name)
        for component in names.values():  # components made outside this module have no names
            for key, _ in ComponentData(
                name=component.name, aliases=component.alias_list
            ).name_keys():
                taken.setdefault(key, (component.id, component.name))
        return cls(units, partners, taken)

    def claim(self, component_id: int, data: ComponentData) -> None:
        """Record the names of a row just validated (for the later rows of one file)."""
        for key in [k for k, v in self.taken.items() if v[0] == component_id]:
            del self.taken[key]
        for key, _ in data.name_keys():
            self.taken[key] = (component_id, data.name)


def validate(
    data: ComponentData, lookup: Lookup, component_id: int | None = None
) -> list[FieldError]:
    """The database-level problems of ``data`` as the row of ``component_id`` (None = new):
    unknown unit or partner, a name or alias already used by another component."""
    errors = []
    for key, label in data.name_keys():
        owner = lookup.taken.get(key)
        if owner is not None and owner[0] != component_id:
            column = "component" if key == data.name_keys()[0][0] else "aliases"
            what = "the name" if column == "component" else "the alias"
            errors.append(
                FieldError(column, f"{what} '{label}' is already a name or alias of {owner[1]}")
            )
    if data.support_unit:
        unit = lookup.units.get(data.support_unit.casefold())
        if unit is None:
            errors.append(FieldError("support_unit", f"unknown support unit '{data.support_unit}'"))
        elif not unit.is_third_line:
            errors.append(
                FieldError("support_unit", f"'{unit.name}' is not a 3rd-line (product team) unit")
            )
    for name in data.partners:
        if name.casefold() not in lookup.partners:
            known = ", ".join(sorted(p.name for p in lookup.partners.values()))
            errors.append(FieldError("partners", f"unknown partner '{name}' (known: {known})"))
    return errors


def current_data(component: Component) -> ComponentData:
    partners = (
        Partner.select()
        .join(ComponentPartner)
        .where(ComponentPartner.component == component)
        .order_by(ComponentPartner.id)
    )
    experts = component.experts.order_by(Expert.id)
    return from_component(component, list(partners), list(experts))


def version_of(component: Component) -> str:
    """What an edit form carries to notice that someone else saved in between."""
    return component.updated_at.isoformat(timespec="microseconds")


def save_component(
    actor,
    data: ComponentData,
    component: Component | None = None,
    *,
    version: str | None = None,
    action: str | None = None,
    note: str = "",
    lookup: Lookup | None = None,
) -> Component:
    """Create (``component`` None) or change a row; raise :class:`CheatSheetInvalid`.

    ``version`` (from :func:`version_of` when the form was opened) guards against a silent
    overwrite of someone else's save. Returns the component; an unchanged row records nothing.
    """
    if actor is not None:
        require(actor, "cheatsheet.edit", "edit the cheat sheet")
    if component is not None and version and version != version_of(component):
        raise CheatSheetInvalid(
            [
                FieldError(
                    "component",
                    f"someone else changed {component.name} after you opened the form; "
                    "reload it to see their change, then edit again",
                )
            ]
        )
    retired = component.retired if component is not None else False
    return _save(actor, component, data, retired, action, note, lookup or Lookup.load())


def set_retired(actor, component: Component, retired: bool) -> Component:
    """Retire a component (it leaves the sheet; its history and tickets stay) or restore it."""
    if actor is not None:
        require(actor, "cheatsheet.edit", "edit the cheat sheet")
    action = "retire" if retired else "restore"
    return _save(actor, component, current_data(component), retired, action, "", Lookup.load())


def revert(actor, change: CheatSheetChange) -> Component:
    """Put the component back as it was before ``change``, recorded as a new change.

    Reverting a creation retires the component (tickets may point at it, so it stays).
    """
    require(actor, "cheatsheet.edit", "edit the cheat sheet")
    component = Component.get_or_none(Component.id == change.component_id)
    if component is None:
        raise CheatSheetInvalid([FieldError("component", "the component of this change is gone")])
    state = from_json(change.before)
    data, retired = state if state is not None else (current_data(component), True)
    note = f"revert of change {change.id}"
    return _save(actor, component, data, retired, "revert", note, Lookup.load())


def write_validated(actor, component, data, retired, action, note, lookup) -> Component:
    """Write a row validated beforehand (the importer validates a whole file first)."""
    return _save(actor, component, data, retired, action, note, lookup, validated=True)


def _save(actor, component, data, retired, action, note, lookup, validated=False) -> Component:
    if not validated:
        errors = validate(data, lookup, component.id if component is not None else None)
        if errors:
            raise CheatSheetInvalid(errors)
    before = "" if component is None else to_json(current_data(component), component.retired)
    after = to_json(data, retired)
    if after == before:
        return component
    try:
        with database.atomic():
            if component is None:
                component = Component(slug=_free_slug(data.name))
            if retired and not component.retired:
                component.retired_at = clock.now()
            component.retired = retired
            if not retired:
                component.retired_at = None
            _write(component, data, lookup)
            CheatSheetChange.create(
                component=component,
                actor=actor if getattr(actor, "id", None) else None,
                at=clock.now(),
                action=action or ("update" if before else "create"),
                before=before,
                after=after,
                note=note,
            )
    except IntegrityError:
        raise CheatSheetInvalid(
            [FieldError("component", "another change took one of these names just now; try again")]
        ) from None
    lookup.claim(component.id, data)
    return component


def _write(component: Component, data: ComponentData, lookup: Lookup) -> None:
    unit = lookup.units.get(data.support_unit.casefold()) if data.support_unit else None
    component.name = data.name
    component.aliases = "\n".join(data.aliases)
    component.description = data.description
    component.support_unit = unit
    component.deployment_size = data.deployment_size
    component.doc_url = data.doc_url
    component.forums = "\n".join(data.forums)
    component.updated_at = clock.now()
    component.save()
    ComponentName.delete().where(ComponentName.component == component).execute()
    names = [
        {"component": component.id, "key": key, "label": label, "is_alias": i > 0}
        for i, (key, label) in enumerate(data.name_keys())
    ]
    ComponentName.insert_many(names).execute()
    ComponentPartner.delete().where(ComponentPartner.component == component).execute()
    links = [
        {"component": component.id, "partner": lookup.partners[p.casefold()].id}
        for p in data.partners
    ]
    if links:
        ComponentPartner.insert_many(links).execute()
    Expert.delete().where(Expert.component == component).execute()
    experts = [{"component": component.id, "name": n, "email": e} for n, e in data.experts]
    if experts:
        Expert.insert_many(experts).execute()


def _free_slug(name: str) -> str:
    base = slugify(name) or "component"
    taken = {
        row.slug for row in Component.select(Component.slug).where(Component.slug.startswith(base))
    }
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
