"""Support units: the queues a ticket can be in (TPM, DMSU, UMD release, product teams)."""

from __future__ import annotations

from peewee import BooleanField, CharField

from dmsu.core import clock
from dmsu.core.db import BaseModel, UTCDateTimeField

UNIT_KINDS = ("first_line", "dmsu", "third_line", "umd_release")
TPM, DMSU, UMD_RELEASE = "TPM", "DMSU", "UMD release"
BUILT_IN_UNITS = ((TPM, "first_line"), (DMSU, "dmsu"), (UMD_RELEASE, "umd_release"))
SLA_LEVELS = ("legacy", "unspecified", "level1", "level2", "level3")


class SupportUnit(BaseModel):
    name = CharField(max_length=120, unique=True)
    kind = CharField(max_length=16, index=True)
    sla_level = CharField(max_length=16, default="unspecified")
    contact_email = CharField(max_length=254, default="")
    description = CharField(max_length=500, default="")
    # the unit's working time for its SLA deadlines (dmsu.tickets.sla.unit_calendars); empty:
    # the site's. An IANA zone, an ISO 3166 country for public holidays, "08:00-16:00".
    timezone = CharField(max_length=64, default="")
    country = CharField(max_length=8, default="")
    working_hours = CharField(max_length=11, default="")
    reviewed = BooleanField(default=True)
    created_at = UTCDateTimeField(default=clock.now)

    @property
    def is_third_line(self) -> bool:
        return self.kind == "third_line"

    @classmethod
    def named(cls, name: str) -> SupportUnit:
        return cls.get(cls.name == name)

    @classmethod
    def third_line(cls):
        return cls.select().where(cls.kind == "third_line").order_by(cls.name)


def ensure_built_in_units() -> None:
    """Create ``TPM`` (first_line), ``DMSU`` (dmsu) and ``UMD release`` (umd_release)."""
    for name, kind in BUILT_IN_UNITS:
        SupportUnit.get_or_create(name=name, defaults={"kind": kind, "sla_level": "unspecified"})
