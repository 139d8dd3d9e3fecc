"""Migration m1300 brings a database made before issue 22 up to date: the cheat sheet's
``packages`` column and the repositories area's tables, a no-op the second time."""

from __future__ import annotations

from dmsu.cheatsheet.models import Component
from dmsu.core import schema
from dmsu.core.db import database
from dmsu.repositories.models import TABLES, RepositorySource


def test_m1300_adds_the_packages_column_and_the_tables(app):
    Component.create(name="dCache", slug="dcache")
    database.drop_tables(list(reversed(TABLES)))
    database.execute_sql('ALTER TABLE "component" DROP COLUMN "packages"')
    schema.SchemaMigration.delete().where(
        schema.SchemaMigration.name == "m1300_repositories"
    ).execute()
    assert schema.migrate() == ["m1300_repositories"]
    assert Component.get().packages == ""
    assert RepositorySource.select().count() == 0
    assert schema.migrate() == []
