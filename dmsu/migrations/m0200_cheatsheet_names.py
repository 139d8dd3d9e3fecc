"""Cheat sheet: the name/alias uniqueness table, the retirement time, change notes, and the
index behind the per-component history. A no-op where they already exist (a fresh database
gets them from ``m0001_initial``); names of existing components are backfilled."""

import peewee


def up(db, migrator):
    from dmsu.cheatsheet.models import CheatSheetChange, Component, ComponentName, name_key
    from dmsu.core.db import UTCDateTimeField
    from dmsu.core.schema import add_column_if_missing

    add_column_if_missing(Component._meta.table_name, "retired_at", UTCDateTimeField(null=True))
    add_column_if_missing(
        CheatSheetChange._meta.table_name, "note", peewee.CharField(max_length=200, default="")
    )
    db.create_tables([ComponentName], safe=True)
    CheatSheetChange._schema.create_indexes(safe=True)
    Component._schema.create_indexes(safe=True)
    taken = {row.key for row in ComponentName.select(ComponentName.key)}
    for component in Component.select().order_by(Component.id):
        labels = [(component.name, False)] + [(a, True) for a in component.alias_list]
        for label, is_alias in labels:
            key = name_key(label)
            if key and key not in taken:
                ComponentName.create(component=component, key=key, label=label, is_alias=is_alias)
                taken.add(key)
