"""The TPM–DMSU cheat sheet: components, the DMSU partners with the knowledge, experts.

Seed 000, "Ticket processing – a daily effort": "DMSU maintains a matrix mapping the component
knowledge to each partner for use by the TPM in the delegation process, the so-called TPM DMSU
Cheat Sheet. The TPM DMSU Cheat Sheet is updated when new components are added, other removed
or when the task to partner mapping are changed."
"""

from __future__ import annotations

import re

from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from dmsu.auth.models import User
from dmsu.core import clock
from dmsu.core.db import BaseModel, UTCDateTimeField
from dmsu.tickets.units import SupportUnit

NAME_MAX_LENGTH = 120
_SPACES = re.compile(r"\s+")


def name_key(name: str) -> str:
    """The case- and spacing-insensitive key of a component name or alias."""
    return _SPACES.sub(" ", name).strip().casefold()


class Partner(BaseModel):
    """A DMSU partner institute with component knowledge."""

    name = CharField(max_length=120, unique=True)
    country = CharField(max_length=80, default="")
    contact = CharField(max_length=254, default="")


class Component(BaseModel):
    """A middleware component as the TPM sees it: who in DMSU knows it, which product team
    (3rd-line support unit) fixes it, where it is documented and discussed."""

    name = CharField(max_length=NAME_MAX_LENGTH, unique=True)
    slug = CharField(max_length=120, unique=True)
    aliases = TextField(default="")  # one per line; ComponentName keeps them unique
    description = TextField(default="")
    support_unit = ForeignKeyField(
        SupportUnit, null=True, backref="components", on_delete="SET NULL"
    )
    deployment_size = IntegerField(null=True)  # registered instances
    doc_url = CharField(max_length=500, default="")
    forums = TextField(default="")  # one per line: mailing-list addresses or URLs
    # One per line: the RPM/deb package names this component ships (the repository scan,
    # dmsu/repositories/scan.py, records a release of the component from them).
    packages = TextField(default="")
    reviewed = BooleanField(default=True)
    retired = BooleanField(default=False, index=True)
    retired_at = UTCDateTimeField(null=True)
    updated_at = UTCDateTimeField(default=clock.now, index=True)
    version = IntegerField(default=1)  # bumped on every change (compare-and-set: no lost edits)

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.splitlines() if a.strip()]

    @property
    def forum_list(self) -> list[str]:
        return [f.strip() for f in self.forums.splitlines() if f.strip()]

    @property
    def package_list(self) -> list[str]:
        return [p.strip() for p in self.packages.splitlines() if p.strip()]

    @classmethod
    def current(cls):
        return cls.select().where(cls.retired == False).order_by(cls.name)  # noqa: E712


class ComponentName(BaseModel):
    """Every name and alias of every component (retired ones too) under its :func:`name_key`.

    The unique ``key`` is what keeps names and aliases unique case-insensitively across all
    components: "CREAM" cannot be an alias of two components, nor the name of one and the
    alias of another, so a TPM member typing it always lands on one row.
    """

    component = ForeignKeyField(Component, backref="names", on_delete="CASCADE")
    key = CharField(max_length=NAME_MAX_LENGTH, unique=True)
    label = CharField(max_length=NAME_MAX_LENGTH)
    is_alias = BooleanField(default=True)

    class Meta:
        table_name = "component_name_key"  # "component_name" is the index on Component.name


class ComponentPartner(BaseModel):
    component = ForeignKeyField(Component, backref="partner_links", on_delete="CASCADE")
    partner = ForeignKeyField(Partner, backref="component_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("component", "partner"), True),)


class Expert(BaseModel):
    """A named expert for a component (may or may not have an account)."""

    component = ForeignKeyField(Component, backref="experts", on_delete="CASCADE")
    name = CharField(max_length=120)
    email = CharField(max_length=254, default="")
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")


class CheatSheetChange(BaseModel):
    """Every change to the sheet: who, when, what before and after (JSON snapshots of the
    component as :func:`dmsu.cheatsheet.editing.snapshot` writes them; "" = did not exist)."""

    component = ForeignKeyField(Component, null=True, backref="changes", on_delete="SET NULL")
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = UTCDateTimeField(default=clock.now, index=True)
    action = CharField(max_length=16)  # create, update, retire, restore, revert, import
    before = TextField(default="")
    after = TextField(default="")
    note = CharField(max_length=200, default="")

    class Meta:
        indexes = ((("component", "at"), False),)
