"""The app factory, configuration, database selection, migrations and ``dmsu init``."""

from __future__ import annotations

from pathlib import Path

import pytest

from dmsu import create_app
from dmsu.core import config as settings
from dmsu.core import schema
from dmsu.core.db import DatabaseConfigError, database, make_database
from dmsu.tickets.units import SupportUnit


def test_environment_overrides_are_typed():
    values = settings.from_environment(
        {"DMSU_SMTP_PORT": "2525", "DMSU_HTTPS": "true", "DATABASE_URL": "sqlite:///x", "HOME": "/"}
    )
    assert values == {"DMSU_SMTP_PORT": 2525, "DMSU_HTTPS": True, "DATABASE_URL": "sqlite:///x"}


def test_secret_key_is_created_once_in_instance(tmp_path):
    first = settings.instance_secret_key(tmp_path)
    assert len(first) > 40
    assert settings.instance_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_instance_config_file_is_read(tmp_path, database_url):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text("DMSU_SITE_NAME = 'Test desk'\n")
    app = create_app({"DATABASE_URL": database_url}, instance_path=str(instance))
    assert app.config["DMSU_SITE_NAME"] == "Test desk"
    assert (instance / "secret_key").exists()


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://", "postgresql://host/", "nonsense"])
def test_bad_database_url_is_one_clear_sentence(url):
    with pytest.raises(DatabaseConfigError, match="DATABASE_URL"):
        make_database(url)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    db = make_database(f"sqlite:///{tmp_path}/x.sqlite3")
    db.connect()
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    db.close()


def test_init_is_idempotent_and_loads_content(runner):
    first = runner.invoke(args=["dmsu", "init"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["dmsu", "init"])
    assert second.exit_code == 0, second.output
    assert "Schema: up to date." in second.output
    kinds = {u.name: u.kind for u in SupportUnit.select()}
    assert kinds["TPM"] == "first_line"
    assert kinds["DMSU"] == "dmsu"
    assert kinds["UMD release"] == "umd_release"
    assert kinds["CREAM"] == "third_line"
    assert SupportUnit.select().count() == len(kinds)


def test_commands_without_schema_say_run_init(tmp_path):
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite3", "SECRET_KEY": "x"},
        instance_path=str(tmp_path),
    )
    result = app.test_cli_runner().invoke(args=["dmsu", "create-user", "bob", "--role", "tpm"])
    assert result.exit_code == 1
    assert "run flask --app app dmsu init" in result.output
    assert "Traceback" not in result.output
    page = app.test_client().get("/cheatsheet/")
    assert page.status_code == 503
    assert b"run flask --app app dmsu init" in page.data


def test_unreachable_postgres_is_reported_not_a_traceback(tmp_path):
    app = create_app(
        {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "SECRET_KEY": "x"},
        instance_path=str(tmp_path),
    )
    result = app.test_cli_runner().invoke(args=["dmsu", "init"])
    assert result.exit_code == 1
    assert "Cannot reach the database" in result.output
    assert "Traceback" not in result.output
    assert app.test_client().get("/wiki/").status_code == 503


def test_migrations_record_what_they_applied(app):
    assert schema.schema_ready()
    assert "m0001_initial" in schema.applied()
    assert schema.migrate() == []
    assert database.table_exists("ticket_event")


def test_a_database_error_answers_503_and_the_next_request_reconnects(app, client):
    import peewee

    calls = {"n": 0}

    @app.get("/flaky-for-test")
    def flaky():
        calls["n"] += 1
        if calls["n"] == 1:
            raise peewee.OperationalError("server closed the connection unexpectedly")
        return "fine"

    first = client.get("/flaky-for-test")
    assert first.status_code == 503
    assert b"not reachable right now" in first.data
    assert client.get("/flaky-for-test").data == b"fine"


def test_connections_are_reused_between_requests(app, client):
    client.get("/")
    first = database.connection()
    client.get("/cheatsheet/")
    assert database.connection() is first


def test_a_postgres_restart_costs_at_most_one_answer(app, client):
    from tests.support.client import PG_URL

    if not PG_URL:
        pytest.skip("PostgreSQL only: terminates this connection's server process")
    client.get("/")
    pid = database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    killer = make_database(PG_URL)
    killer.connect()
    killer.execute_sql("SELECT pg_terminate_backend(%s)", (pid,))
    killer.close()
    statuses = [client.get("/cheatsheet/").status_code for _ in range(3)]
    assert statuses[0] in {200, 503}
    assert statuses[1:] == [200, 200]


def test_compiled_templates_are_kept_in_the_instance_folder(app, client):
    folder = Path(app.instance_path) / "jinja"
    assert client.get("/cheatsheet/").status_code == 200
    assert app.jinja_env.bytecode_cache.directory == str(folder)
    assert list(folder.glob("__jinja2_*.cache"))  # the page's templates, compiled once
