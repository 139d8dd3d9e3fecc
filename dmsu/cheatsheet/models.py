"""The TPM–DMSU cheat sheet: components, the DMSU partners with the knowledge, experts."""

from __future__ import annotations

from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from dmsu import clock
from dmsu.auth.models import User
from dmsu.db import BaseModel, UTCDateTimeField
from dmsu.tickets.units import SupportUnit


class Partner(BaseModel):
    """A DMSU partner institute with component knowledge."""

    name = CharField(max_length=120, unique=True)
    country = CharField(max_length=80, default="")
    contact = CharField(max_length=254, default="")


class Component(BaseModel):
    name = CharField(max_length=120, unique=True)
    slug = CharField(max_length=120, unique=True)
    aliases = TextField(default="")  # one per line
    description = TextField(default="")
    support_unit = ForeignKeyField(
        SupportUnit, null=True, backref="components", on_delete="SET NULL"
    )
    deployment_size = IntegerField(null=True)  # registered instances
    doc_url = CharField(max_length=500, default="")
    forums = TextField(default="")  # one per line
    reviewed = BooleanField(default=True)
    retired = BooleanField(default=False, index=True)
    updated_at = UTCDateTimeField(default=clock.now)

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.splitlines() if a.strip()]

    @property
    def forum_list(self) -> list[str]:
        return [f.strip() for f in self.forums.splitlines() if f.strip()]

    @classmethod
    def current(cls):
        return cls.select().where(cls.retired == False).order_by(cls.name)  # noqa: E712


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
    """Every change to the sheet: who, when, what before and after (JSON)."""

    component = ForeignKeyField(Component, null=True, backref="changes", on_delete="SET NULL")
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = UTCDateTimeField(default=clock.now, index=True)
    action = CharField(max_length=16)  # create, update, retire, restore, revert, import
    before = TextField(default="")
    after = TextField(default="")
