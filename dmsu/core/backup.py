"""Backup and restore of the whole database: SQLite's online backup API on the embedded
default, ``pg_dump`` / ``pg_restore`` on PostgreSQL. Used by ``flask dmsu backup|restore``."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import peewee

from dmsu.core.db import database


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why in one sentence."""


def _pg_command(tool: str, *args: str) -> tuple[list[str], dict[str, str]]:
    db = database.obj
    params = db.connect_params
    command = [tool, "--dbname", db.database]
    if params.get("host"):
        command += ["--host", str(params["host"])]
    if params.get("port"):
        command += ["--port", str(params["port"])]
    if params.get("user"):
        command += ["--username", str(params["user"])]
    env = dict(os.environ)
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    return command + list(args), env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed; install the PostgreSQL client.") from exc
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no message"])[0]
        raise BackupError(f"{command[0]} failed: {first}")


def backup(target: Path) -> str:
    """Write a consistent copy of the database to ``target``; return the method used."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        command, env = _pg_command("pg_dump", "--format=custom", "--file", str(target))
        _run(command, env)
        return "pg_dump"
    if target.exists():
        target.unlink()
    destination = sqlite3.connect(str(target))
    try:
        database.connect(reuse_if_open=True)
        database.connection().backup(destination)
    finally:
        destination.close()
    return "sqlite online backup"


def restore(source: Path) -> str:
    """Replace the database's contents with the backup in ``source``."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        database.close()
        command, env = _pg_command(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            str(source),
        )
        _run(command, env)
        return "pg_restore"
    try:
        origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        origin.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is not an SQLite backup: {exc}") from exc
    try:
        database.connect(reuse_if_open=True)
        origin.backup(database.connection())
    finally:
        origin.close()
    return "sqlite online backup"
