"""Page cache: the stamp of each area's public pages, moved by triggers on every change.

:mod:`dmsu.core.cache.pages` keeps rendered public pages per worker process and checks them against
``page_cache_stamp`` (one row per area) with one query. The triggers write a new random stamp
for the area in the same transaction as any change to a table its public pages are made of,
whichever code (or raw SQL) makes the change. SQLite: row triggers; PostgreSQL: one
statement trigger per table (a bulk import moves the stamp once per statement), and a row
trigger on ``user`` that fires only when a name shown on a page changes (not on each login).

A stamp row that is missing (a table emptied by hand) is written again by the next change,
and until then the area's pages are simply not cached. Every step is a no-op where the
thing exists.
"""

from __future__ import annotations

import peewee

# table -> the areas whose public pages show its rows
WATCHED = {
    "support_unit": ("cheatsheet",),
    "partner": ("cheatsheet",),
    "component": ("cheatsheet", "wiki"),
    "component_partner": ("cheatsheet",),
    "expert": ("cheatsheet",),
    "cheat_sheet_change": ("cheatsheet",),
    "page": ("wiki",),
    "revision": ("wiki",),
    "page_link": ("wiki",),
    "page_tag": ("wiki",),
    "attachment": ("wiki",),
    "digest": ("digests",),
    "digest_revision": ("digests",),
}
# the user's names are shown as the last editor of a wiki page
USER_NAME_COLUMNS = ("username", "display_name")
AREAS = ("cheatsheet", "digests", "wiki")

CREATE_TABLE = (
    'CREATE TABLE IF NOT EXISTS "page_cache_stamp" '
    '("area" VARCHAR(40) NOT NULL PRIMARY KEY, "version" BIGINT NOT NULL)'
)


def _sqlite(db) -> None:
    def bump(areas) -> str:
        return " ".join(
            'INSERT OR REPLACE INTO "page_cache_stamp" ("area", "version") '
            f"VALUES ('{area}', random());"
            for area in sorted(areas)
        )

    for area in AREAS:
        db.execute_sql(
            'INSERT OR IGNORE INTO "page_cache_stamp" ("area", "version") VALUES (?, random())',
            (area,),
        )
    for table, areas in WATCHED.items():
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute_sql(
                f'CREATE TRIGGER IF NOT EXISTS "page_cache_{table}_{event.lower()}" '
                f'AFTER {event} ON "{table}" BEGIN {bump(areas)} END'
            )
    changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in USER_NAME_COLUMNS)
    db.execute_sql(
        'CREATE TRIGGER IF NOT EXISTS "page_cache_user_update" '
        f'AFTER UPDATE ON "user" WHEN {changed} BEGIN {bump(("wiki",))} END'
    )


POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION page_cache_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  area text;
BEGIN
  FOREACH area IN ARRAY TG_ARGV LOOP
    INSERT INTO page_cache_stamp (area, version)
    VALUES (area, (random() * 9e18)::bigint - 4500000000000000000)
    ON CONFLICT ON CONSTRAINT page_cache_stamp_pkey
    DO UPDATE SET version = EXCLUDED.version;
  END LOOP;
  RETURN NULL;
END
$$
"""


def _postgres(db) -> None:
    db.execute_sql(POSTGRES_FUNCTION)
    for area in AREAS:
        db.execute_sql(
            'INSERT INTO "page_cache_stamp" ("area", "version") '
            "VALUES (%s, (random() * 9e18)::bigint - 4500000000000000000) "
            "ON CONFLICT DO NOTHING",
            (area,),
        )
    for table, areas in WATCHED.items():
        arguments = ", ".join(f"'{area}'" for area in sorted(areas))
        db.execute_sql(f'DROP TRIGGER IF EXISTS page_cache_stamp ON "{table}"')
        db.execute_sql(
            f'CREATE TRIGGER page_cache_stamp AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION page_cache_bump({arguments})"
        )
    changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in USER_NAME_COLUMNS)
    columns = ", ".join(f'"{c}"' for c in USER_NAME_COLUMNS)
    db.execute_sql('DROP TRIGGER IF EXISTS page_cache_stamp ON "user"')
    db.execute_sql(
        f'CREATE TRIGGER page_cache_stamp AFTER UPDATE OF {columns} ON "user" '
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION page_cache_bump('wiki')"
    )


def up(db, migrator):
    db.execute_sql(CREATE_TABLE)
    if isinstance(db.obj, peewee.PostgresqlDatabase):
        _postgres(db)
    else:
        _sqlite(db)
