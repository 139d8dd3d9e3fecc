"""Migration m0200 brings a database made before the name table up to date: the table, the
retirement column, and the names of the components already there (first owner wins); m0909
gives components (and TCB recommendations) the version their edit forms compare."""

from __future__ import annotations

from dmsu.cheatsheet.models import Component, ComponentName
from dmsu.core import schema
from dmsu.core.db import database


def test_m0200_adds_the_name_table_and_backfills_existing_components(app):
    Component.create(name="CREAM CE", slug="cream-ce", aliases="CREAM\ncream-ce")
    Component.create(name="Other", slug="other", aliases="cream\nother-alias")
    database.drop_tables([ComponentName])
    database.execute_sql('ALTER TABLE "component" DROP COLUMN "retired_at"')
    schema.SchemaMigration.delete().where(
        schema.SchemaMigration.name == "m0200_cheatsheet_names"
    ).execute()
    assert schema.migrate() == ["m0200_cheatsheet_names"]
    owners = {row.key: row.component.name for row in ComponentName.select()}
    assert owners == {
        "cream ce": "CREAM CE",
        "cream": "CREAM CE",
        "cream-ce": "CREAM CE",
        "other": "Other",
        "other-alias": "Other",
    }
    assert "retired_at" in {c.name for c in database.get_columns("component")}
    assert schema.migrate() == []


def test_m0909_gives_components_and_recommendations_a_version(app):
    from dmsu.metrics.models import Recommendation

    Component.create(name="CREAM CE", slug="cream-ce")
    Recommendation.create(quarter="PQ9", title="Ship the fix", risk="r", improvement="i")
    for table in ("component", "recommendation"):
        database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "version"')
    schema.SchemaMigration.delete().where(
        schema.SchemaMigration.name == "m0909_edit_versions"
    ).execute()
    assert schema.migrate() == ["m0909_edit_versions"]
    assert Component.get().version == 1 and Recommendation.get().version == 1
    assert schema.migrate() == []
