"""Support units get a working time of their own for their SLA deadlines: ``timezone``,
``country`` (public holidays) and ``working_hours`` (:mod:`dmsu.tickets.sla.unit_calendars`);
empty means the site's calendar, so existing clocks stay as they are. A no-op where the
columns exist."""

from __future__ import annotations


def up(db, migrator):
    from peewee import CharField

    from dmsu.core.schema import add_column_if_missing

    add_column_if_missing("support_unit", "timezone", CharField(max_length=64, default=""))
    add_column_if_missing("support_unit", "country", CharField(max_length=8, default=""))
    add_column_if_missing("support_unit", "working_hours", CharField(max_length=11, default=""))
