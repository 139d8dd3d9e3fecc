"""The schema and its migrations: numbered scripts ``dmsu/migrations/mNNNN_name.py`` with
``up(db, migrator)``, applied in order, each in a transaction, and recorded in
``schema_migration``.

``m0001_initial`` creates the tables of the models as they stood at the first release. Later
migrations must be written so that they are no-ops where the change is already there (use
:func:`add_column_if_missing`), because a fresh database gets the current models from 0001.
"""

from __future__ import annotations

import importlib
import pkgutil

import peewee
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator

from dmsu.core import clock
from dmsu.core.cache import pg_commit_stamp
from dmsu.core.db import BaseModel, UTCDateTimeField, database


class SchemaMigration(BaseModel):
    name = peewee.CharField(primary_key=True, max_length=120)
    applied_at = UTCDateTimeField(default=clock.now)


# The numbered scripts live above the areas (they import the areas' models), so the runner
# finds them by name, as a migration tool finds its versions folder.
SCRIPTS = "dmsu.migrations"
MISSING_SCHEMA = "The database has no schema yet: run flask --app app dmsu init"


def available() -> list[str]:
    """Names of the migration scripts in :data:`SCRIPTS`, in order."""
    package = importlib.import_module(SCRIPTS)
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("m"))


def applied() -> set[str]:
    if not database.table_exists(SchemaMigration._meta.table_name):
        return set()
    return {row.name for row in SchemaMigration.select()}


def pending() -> list[str]:
    done = applied()
    return [name for name in available() if name not in done]


def schema_ready() -> bool:
    """True when every migration is applied."""
    return not pending()


def migrator():
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        return PostgresqlMigrator(database.obj)
    return SqliteMigrator(database.obj)


def migrate() -> list[str]:
    """Apply the pending migrations; return their names.

    After each one, in its transaction, and once at the end, every table gets the commit
    stamp's trigger if it lacks it (:func:`dmsu.core.cache.pg_commit_stamp.cover_tables`),
    so a table a migration creates is never without it."""
    database.create_tables([SchemaMigration])
    done = []
    for name in pending():
        module = importlib.import_module(f"{SCRIPTS}.{name}")
        with database.atomic():
            module.up(database, migrator())
            pg_commit_stamp.cover_tables(database)
            SchemaMigration.create(name=name)
        done.append(name)
    with database.atomic():
        pg_commit_stamp.cover_tables(database)
    return done


def add_column_if_missing(table: str, column: str, field: peewee.Field) -> None:
    """Add ``column`` to ``table`` unless it is already there (see the module docstring)."""
    from playhouse.migrate import migrate as run

    if column not in {c.name for c in database.get_columns(table)}:
        run(migrator().add_column(table, column, field))


def replace_indexes(superseded: tuple[str, ...], statements: tuple[str, ...]) -> None:
    """Drop the ``superseded`` indexes (where they exist) and create ``statements``'s."""
    for name in superseded:
        database.execute_sql(f"DROP INDEX IF EXISTS {name}")
    for statement in statements:
        database.execute_sql(statement)
