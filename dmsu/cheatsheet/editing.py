"""Changing the cheat sheet: add, change, retire, restore and revert rows.

Seed 000: the cheat sheet "is updated when new components are added, other removed or when the
task to partner mapping are changed". Every change is kept as a :class:`CheatSheetChange`
(who, when, action, the row before and after as JSON); nothing is half-saved: each change is
one transaction, and a row that does not validate writes nothing.

Every change is a compare-and-set on the component's ``version``, inside one write
transaction that reads the row as it is and writes only the columns the change sets: a save
made on an older copy is refused (:class:`CheatSheetConflict`) instead of overwriting, and
the history's "before" is what the change found, so a revert puts back exactly that.

Editing needs the ``cheatsheet.edit`` permission (assigners and admins); the import command
runs as the system (no actor).
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import IntegrityError

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
from dmsu.core import clock
from dmsu.core.db import write_transaction
from dmsu.core.markdown import slugify
from dmsu.tickets.units import SupportUnit


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


class CheatSheetConflict(CheatSheetInvalid):
    """Someone changed the row after the page was opened; nothing was written."""

    def __init__(self, name: str, page: str = "the form", then: str = "edit again"):
        self.name = name
        super().__init__(
            [
                FieldError(
                    "component",
                    f"someone else changed {name} after you opened {page}; reload it to see "
                    f"their change, then {then}",
                )
            ]
        )


def version_of(component: Component) -> str:
    """What an edit form carries to notice that someone else saved in between."""
    return str(component.version)


def _expected(version) -> int | None:
    """The version a page was opened at; None when the caller gives none (import, CLI)."""
    if version is None or version == "":
        return None
    try:
        return int(version)
    except (TypeError, ValueError):
        return -1  # not a version this site wrote: the page is stale


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

    ``version`` (from :func:`version_of` when the form was opened) makes the save a
    compare-and-set: someone else's save in between raises :class:`CheatSheetConflict` and
    nothing is written. Returns the component; an unchanged row records nothing.
    """
    if actor is not None:
        require(actor, "cheatsheet.edit", "edit the cheat sheet")
    return _save(
        actor, component, data, None, action, note, lookup or Lookup.load(),
        expected=_expected(version),
    )  # fmt: skip


def set_retired(actor, component: Component, retired: bool) -> Component:
    """Retire a component (it leaves the sheet; its history and tickets stay) or restore it."""
    if actor is not None:
        require(actor, "cheatsheet.edit", "edit the cheat sheet")
    return _set_retired(actor, component, retired, "retire" if retired else "restore", "", None)


def revert(actor, change: CheatSheetChange, *, version: str | None = None) -> Component:
    """Put the component back as it was before ``change``, recorded as a new change.

    Reverting a creation retires the component (tickets may point at it, so it stays).
    ``version`` is the component's when the history page was shown (see :func:`save_component`).
    """
    require(actor, "cheatsheet.edit", "edit the cheat sheet")
    component = Component.get_or_none(Component.id == change.component_id)
    if component is None:
        raise CheatSheetInvalid([FieldError("component", "the component of this change is gone")])
    state = from_json(change.before)
    note = f"revert of change {change.id}"
    expected = _expected(version)
    try:
        if state is None:
            return _set_retired(actor, component, True, "revert", note, expected)
        data, retired = state
        lookup = Lookup.load()
        return _save(actor, component, data, retired, "revert", note, lookup, expected=expected)
    except CheatSheetConflict as conflict:
        raise CheatSheetConflict(
            conflict.name, "the history", "revert again if it is still wanted"
        ) from None


def write_validated(actor, component, data, retired, action, note, lookup) -> Component:
    """Write a row validated beforehand (the importer validates a whole file first)."""
    return _save(actor, component, data, retired, action, note, lookup, validated=True)


def _current(component: Component, expected: int | None) -> Component:
    """The component as stored now, inside the write transaction; a :class:`CheatSheetConflict`
    when it is no longer at the ``expected`` version."""
    current = Component.get_or_none(Component.id == component.id)
    if current is None:
        raise CheatSheetInvalid([FieldError("component", "the component is gone")])
    if expected is not None and current.version != expected:
        raise CheatSheetConflict(current.name)
    return current


def _claim(current: Component, **columns) -> None:
    """The compare-and-set of every change: ``UPDATE component SET <columns>, version =
    version + 1 WHERE id = ? AND version = ?`` with the version read in this transaction."""
    changed = (
        Component.update(**columns, version=Component.version + 1)
        .where((Component.id == current.id) & (Component.version == current.version))
        .execute()
    )
    if changed != 1:
        raise CheatSheetConflict(current.name)


def _retirement(current: Component | None, retired: bool, now) -> dict:
    """The columns that change when ``current`` becomes ``retired`` (none if it already is)."""
    if current is not None and current.retired == retired:
        return {}
    return {"retired": retired, "retired_at": now if retired else None}


def _set_retired(actor, component, retired, action, note, expected) -> Component:
    with write_transaction("cheatsheet"):
        current = _current(component, expected)
        if current.retired == retired:
            return current
        data = current_data(current)
        if not retired:
            errors = validate(data, Lookup.load(), current.id)
            if errors:
                raise CheatSheetInvalid(errors)
        now = clock.now()
        _claim(current, **_retirement(current, retired, now), updated_at=now)
        before, after = to_json(data, current.retired), to_json(data, retired)
        _record(actor, current, action, before, after, note)
    return Component.get_by_id(current.id)


def _save(
    actor, component, data, retired, action, note, lookup, *, validated=False, expected=None
) -> Component:
    """Create or change a row in one write transaction; ``retired`` None keeps it as it is.
    The row's "before" is read inside the transaction, so the history always says what the
    change found."""
    if not validated:
        errors = validate(data, lookup, component.id if component is not None else None)
        if errors:
            raise CheatSheetInvalid(errors)
    now = clock.now()
    try:
        with write_transaction("cheatsheet"):
            if component is None:
                retired, before = bool(retired), ""
                component = Component.create(
                    slug=_free_slug(data.name),
                    **_columns(data, lookup),
                    **_retirement(None, retired, now),
                    updated_at=now,
                )
            else:
                current = _current(component, expected)
                retired = current.retired if retired is None else retired
                before = to_json(current_data(current), current.retired)
                if to_json(data, retired) == before:
                    return current
                _claim(
                    current, **_columns(data, lookup), **_retirement(current, retired, now),
                    updated_at=now,
                )  # fmt: skip
                component = current
            _write_lists(component.id, data, lookup)
            action = action or ("update" if before else "create")
            _record(actor, component, action, before, to_json(data, retired), note)
    except IntegrityError:
        raise CheatSheetInvalid(
            [FieldError("component", "another change took one of these names just now; try again")]
        ) from None
    lookup.claim(component.id, data)
    return Component.get_by_id(component.id)


def _columns(data: ComponentData, lookup: Lookup) -> dict:
    """The component's own columns as ``data`` gives them."""
    unit = lookup.units.get(data.support_unit.casefold()) if data.support_unit else None
    return {
        "name": data.name,
        "aliases": "\n".join(data.aliases),
        "description": data.description,
        "support_unit": unit.id if unit is not None else None,
        "deployment_size": data.deployment_size,
        "doc_url": data.doc_url,
        "forums": "\n".join(data.forums),
        "packages": "\n".join(data.packages),
    }


def _write_lists(component_id: int, data: ComponentData, lookup: Lookup) -> None:
    """The rows that hang on the component: its name keys, partners and experts."""
    ComponentName.delete().where(ComponentName.component == component_id).execute()
    names = [
        {"component": component_id, "key": key, "label": label, "is_alias": i > 0}
        for i, (key, label) in enumerate(data.name_keys())
    ]
    ComponentName.insert_many(names).execute()
    ComponentPartner.delete().where(ComponentPartner.component == component_id).execute()
    links = [
        {"component": component_id, "partner": lookup.partners[p.casefold()].id}
        for p in data.partners
    ]
    if links:
        ComponentPartner.insert_many(links).execute()
    Expert.delete().where(Expert.component == component_id).execute()
    experts = [{"component": component_id, "name": n, "email": e} for n, e in data.experts]
    if experts:
        Expert.insert_many(experts).execute()


def _record(actor, component: Component, action: str, before: str, after: str, note: str):
    CheatSheetChange.create(
        component=component,
        actor=actor if getattr(actor, "id", None) else None,
        at=clock.now(),
        action=action,
        before=before,
        after=after,
        note=note,
    )


def _free_slug(name: str) -> str:
    base = slugify(name) or "component"
    taken = {
        row.slug for row in Component.select(Component.slug).where(Component.slug.startswith(base))
    }
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
