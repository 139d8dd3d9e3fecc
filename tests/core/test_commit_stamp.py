"""The commit stamp is this database's own (dmsu/core/cache/stamp.py, pg_commit_stamp.py,
migration m1400): another database of the server leaves it alone, a commit here moves it,
a writer still open when it is read moves it again when it ends, and every table carries
the trigger the stamp rests on — tables made later included."""

from __future__ import annotations

from urllib.parse import urlparse, urlunparse

import psycopg2
import pytest

import dmsu.core.cache.stamp as stamp
from dmsu.core import schema
from dmsu.core.cache import pg_commit_stamp
from dmsu.core.db import database, is_postgres, make_database


def other_connection(url: str):
    """A second connection to the test's database, in the same thread (a worker elsewhere)."""
    other = make_database(url)
    other.connect()
    return other


def parts(value: tuple) -> tuple[str, str]:
    """(the sequence's oid and value, the writing transactions) of a PostgreSQL stamp."""
    bumped, _, writing = value[1].partition(":")
    return bumped, writing


@pytest.fixture
def postgres_only(app):
    if not is_postgres():
        pytest.skip("the trigger and the sequence are PostgreSQL's; SQLite counts changes")


@pytest.fixture
def scratch_database(postgres_only, database_url):
    """Another database on the same server, made for the test and dropped after it."""
    url = urlparse(database_url)
    name = f"{url.path.lstrip('/')}_scratch"
    admin = psycopg2.connect(urlunparse(url._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    scratch = psycopg2.connect(urlunparse(url._replace(path=f"/{name}")))
    try:
        yield scratch
    finally:
        scratch.close()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_every_table_of_the_schema_carries_the_trigger(postgres_only):
    tables = database.get_tables()
    assert len(tables) > 40 and "ticket_event" in tables
    assert pg_commit_stamp.uncovered_tables(database) == []


def test_a_table_made_after_the_migration_gets_the_trigger_from_the_runner(postgres_only):
    database.execute_sql("CREATE TABLE stamp_probe (id integer)")
    try:
        assert pg_commit_stamp.uncovered_tables(database) == ["stamp_probe"]
        database.execute_sql("ALTER TABLE ticket DISABLE TRIGGER commit_stamp")
        assert pg_commit_stamp.uncovered_tables(database) == ["stamp_probe", "ticket"]
        assert schema.migrate() == []
        assert pg_commit_stamp.uncovered_tables(database) == []
        before = stamp.commit()
        database.execute_sql("INSERT INTO stamp_probe VALUES (1)")
        assert stamp.commit() != before
    finally:
        database.execute_sql("DROP TABLE IF EXISTS stamp_probe")
        pg_commit_stamp.cover_tables(database)  # the ticket's trigger, were the test to fail


def test_writes_in_another_database_of_the_server_leave_it_alone(scratch_database):
    first = stamp.commit()
    with scratch_database.cursor() as cursor:
        cursor.execute("CREATE TABLE noise (id serial PRIMARY KEY, body text)")
        for n in range(50):
            cursor.execute("INSERT INTO noise (body) VALUES (%s)", (f"row {n}",))
            scratch_database.commit()
        cursor.execute("UPDATE noise SET body = 'open'")  # a writer left open over there
        assert stamp.commit() == first
        scratch_database.rollback()
    assert stamp.commit() == first is not None


def test_a_commit_from_another_connection_moves_it(app, database_url):
    other = other_connection(database_url)
    try:
        first = stamp.commit()
        with other.atomic():
            other.execute_sql("UPDATE support_unit SET contact_email = contact_email")
        assert stamp.commit() != first
    finally:
        other.close()


def test_a_writer_open_when_it_is_read_moves_it_when_it_commits(app, database_url):
    """The case the sequence alone misses: the writer's nextval came before the read."""
    other = other_connection(database_url)
    try:
        before = stamp.commit()
        with other.atomic():
            other.execute_sql("UPDATE support_unit SET contact_email = contact_email")
            during = stamp.commit()
            assert stamp.commit() == during  # an idle writer does not move it
        after = stamp.commit()
        assert after != during
        if is_postgres():
            assert during != before  # the sequence moved at the write, before the commit
            assert parts(after)[0] == parts(during)[0]  # and not since: the ids told it
            assert parts(during)[1] and not parts(after)[1]
    finally:
        other.close()


def test_a_rolled_back_writer_costs_a_miss_at_most(app, database_url):
    other = other_connection(database_url)
    try:
        with other.atomic() as transaction:
            other.execute_sql("UPDATE support_unit SET contact_email = contact_email")
            during = stamp.commit()
            transaction.rollback()
        after = stamp.commit()
        assert after == stamp.commit()  # settled again
        if is_postgres():
            assert after != during
    finally:
        other.close()


def test_inside_a_transaction_it_still_sees_other_writers_end(postgres_only, database_url):
    """pg_stat_activity is read once per transaction unless told otherwise."""
    other = other_connection(database_url)
    try:
        with database.atomic():
            with other.atomic():
                other.execute_sql("UPDATE support_unit SET contact_email = contact_email")
                during = stamp.commit()
            assert stamp.commit() != during
    finally:
        other.close()


def test_m1400_brings_a_database_from_before_up_to_date(postgres_only):
    database.execute_sql("DROP FUNCTION commit_stamp_bump() CASCADE")  # and every trigger
    database.execute_sql("DROP FUNCTION commit_stamp()")
    database.execute_sql("DROP SEQUENCE commit_stamp_seq")
    schema.SchemaMigration.delete().where(
        schema.SchemaMigration.name == "m1400_commit_stamp"
    ).execute()
    assert stamp.commit() is None  # not readable: nothing is kept under it
    assert len(pg_commit_stamp.uncovered_tables(database)) == len(database.get_tables())
    assert schema.migrate() == ["m1400_commit_stamp"]
    assert pg_commit_stamp.uncovered_tables(database) == []
    first = stamp.commit()
    database.execute_sql("UPDATE support_unit SET contact_email = contact_email")
    assert stamp.commit() != first is not None
    assert schema.migrate() == []


def test_a_restore_that_sets_the_sequence_back_does_not_bring_an_old_stamp_back(
    postgres_only,
):
    """What ``pg_restore --clean`` does to the sequence: drop it, make it, set the dump's value."""
    first = stamp.commit()
    bumped = database.execute_sql("SELECT last_value FROM commit_stamp_seq").fetchone()[0]
    database.execute_sql("DROP SEQUENCE commit_stamp_seq")
    database.execute_sql("CREATE SEQUENCE commit_stamp_seq AS bigint")
    database.execute_sql("SELECT setval('commit_stamp_seq', %s)", (bumped,))
    assert stamp.commit() != first is not None
