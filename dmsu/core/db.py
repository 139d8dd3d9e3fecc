"""The peewee database: chosen from ``DATABASE_URL``, one connection per request.

SQLite (the embedded default) runs in WAL mode with foreign keys on; ``postgresql://``
selects PostgreSQL. Models bind to :data:`database`, a proxy pointed at the real database
by :func:`init_app`; tables are made by migrations (``dmsu.migrations``), never at import.
"""

from __future__ import annotations

import os
import zlib
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import peewee
from peewee import DatabaseProxy, DateTimeField, Model


class _Database(DatabaseProxy):
    """The proxy, counting how often it was pointed at a database: the count names the
    database a cached value was read from (tests bind a fresh one each; an ``id()`` of the
    database object could come back for the next one)."""

    generation = 0

    def initialize(self, obj):
        super().initialize(obj)
        type(self).generation += 1


database = _Database()


def generation() -> int:
    """Which database :data:`database` points at now: part of every cache key that holds
    data read from it."""
    return _Database.generation


class DatabaseConfigError(ValueError):
    """``DATABASE_URL`` cannot be understood."""


class UTCDateTimeField(DateTimeField):
    """A timestamp stored as UTC and always handed back timezone-aware (ARCHITECTURE.md rule 4)."""

    def db_value(self, value):
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC field; use dmsu.core.clock.now()")
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


def unsaved_changes(*objects: Model) -> dict:
    """The fields changed on these objects of one row and not saved yet, with their values
    (later objects win), for a writer that saves them in a statement of its own."""
    changed = {}
    for obj in objects:
        for model_field in obj.dirty_fields:
            changed[model_field] = obj.__data__.get(model_field.name)
    return changed


def mark_saved(obj: Model) -> None:
    """Tell ``obj`` that what :func:`unsaved_changes` gave has been written (as its own
    ``save()`` would)."""
    obj._dirty.clear()


def is_postgres() -> bool:
    return isinstance(database.obj, peewee.PostgresqlDatabase)


# The first key of the advisory locks that :func:`write_transaction` takes per area (the
# scheduler's lock uses the one-number form, a key space of its own).
_AREA_LOCKS = 0x444D5355  # "DMSU"


@contextmanager
def write_transaction(area: str | None = None):
    """A transaction for a compare-and-set: the write lock comes before the first read.

    SQLite: ``BEGIN IMMEDIATE`` takes the database's one write lock at once, so the reads
    inside see the latest commit and the writes never fail on an older snapshot ("database is
    locked"). PostgreSQL: the conditional UPDATEs lock their rows; with ``area`` (``wiki``,
    ``digests``, ``cheatsheet``) the transaction first takes that area's advisory lock, so
    the writers of one area queue up instead of locking rows in opposite orders (the page
    cache's per-area stamp row is locked by every write of the area: a deadlock otherwise).
    Inside an outer transaction this is a savepoint and the locks are the outer one's.
    """
    if not is_postgres():
        with database.atomic("IMMEDIATE") as transaction:
            yield transaction
        return
    with database.atomic() as transaction:
        if area is not None:
            key = zlib.crc32(area.encode()) & 0x7FFFFFFF
            database.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (_AREA_LOCKS, key))
        yield transaction


def marks(n: int) -> str:
    """``n`` bound-parameter placeholders for ``IN (...)`` in the current driver's style."""
    return ", ".join(["%s" if is_postgres() else "?"] * n)


def make_database(url: str, root: Path | None = None) -> peewee.Database:
    """A peewee database for ``url``: ``sqlite:///relative/or/absolute`` or ``postgresql://``."""
    parsed = urlparse(url or "")
    if parsed.scheme == "sqlite":
        raw = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not raw:
            raise DatabaseConfigError(
                f"DATABASE_URL '{url}' has no file path; write sqlite:///instance/dmsu.sqlite3"
            )
        path = Path(raw) if raw.startswith("/") or root is None else Path(root) / raw
        path.parent.mkdir(parents=True, exist_ok=True)
        return peewee.SqliteDatabase(
            str(path),
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "busy_timeout": 10000,
                "synchronous": "normal",
                "cache_size": -32000,
            },
        )
    if parsed.scheme in {"postgresql", "postgres"}:
        name = unquote(parsed.path.lstrip("/"))
        if not name:
            raise DatabaseConfigError(f"DATABASE_URL '{url}' names no database")
        return peewee.PostgresqlDatabase(
            name,
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname or None,
            port=parsed.port or None,
        )
    raise DatabaseConfigError(
        f"DATABASE_URL '{url}' is not understood; use sqlite:///path or postgresql://host/db"
    )


def init_app(app) -> None:
    """Point :data:`database` at the configured database.

    A connection is opened by the schema guard in ``dmsu.web`` and kept for the next request of
    the same worker thread (opening one costs more than a simple page); a connection that failed
    is dropped by :func:`discard_connection` so the next request opens a fresh one.
    """
    root = Path(app.root_path).parent
    database.initialize(make_database(app.config["DATABASE_URL"], root))


def discard_connection() -> None:
    """Forget this thread's connection after a database error (e.g. the server restarted)."""
    try:
        database.close()
    except peewee.PeeweeException:
        pass
    except Exception:  # noqa: BLE001 - a broken driver connection may raise anything on close
        database._state.reset()


UNREACHABLE = "The database is not reachable right now; try again in a moment."


def driver_answer(exc: peewee.PeeweeException) -> tuple[int, str] | None:
    """The site's answer, ``(status, one sentence)``, to a database driver's error that no
    writer turned into a sentence of its own: the one place driver errors are mapped (issue
    23: "driver errors mapped to the site's errors in one place"). Writers still catch what
    they can name better (a ticket already recorded, a page title taken); this is what
    reaches the request's error handler otherwise. None: a bug (e.g. bad SQL), a 500.

    - a constraint refused the write (unique, foreign key, not null): 409, someone else's
      write at the same moment is the usual cause, and reloading shows the stored state;
    - a value the column cannot hold (too long, out of range, a NUL on PostgreSQL): 400;
    - the connection, a lock or the server (SQLite busy, PostgreSQL restarted, a
      serialisation failure): 503, try again.
    Nothing was saved in any of them: the write transaction rolled back whole."""
    if isinstance(exc, peewee.IntegrityError):
        return 409, (
            "Someone saved the same thing at the same moment, so nothing was saved; "
            "reload the page to see what is stored now."
        )
    if isinstance(exc, peewee.DataError):
        return 400, "A value is too long or not of the kind its field takes; nothing was saved."
    if isinstance(exc, peewee.OperationalError | peewee.InterfaceError | peewee.InternalError):
        return 503, UNREACHABLE
    return None


def describe(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"Cannot reach the database given by DATABASE_URL: {first}"


def connection_problem() -> str | None:
    """One sentence saying why the database cannot be reached, or None when it can."""
    try:
        database.connect(reuse_if_open=True)
        database.execute_sql("SELECT 1")
    except (peewee.OperationalError, peewee.InterfaceError) as exc:
        discard_connection()
        return describe(exc)
    return None


def open_connection() -> str | None:
    """Open (or reuse) this thread's connection without a round trip; a sentence on failure."""
    try:
        database.connect(reuse_if_open=True)
    except (peewee.OperationalError, peewee.InterfaceError) as exc:
        discard_connection()
        return describe(exc)
    return None


# connections a page's independent aggregations share: one per core, from 2 to 4
LANES = max(2, min(4, os.cpu_count() or 2))


def side_by_side(*calls, lanes: int = LANES):
    """Run read-only ``calls`` at the same time on ``lanes`` connections (this thread's, and
    one of its own for each other lane), each lane taking the next call not yet started, and
    return their results in order. List the longest first.

    A page made of several independent aggregations (the metrics) then takes about as long
    as its longest lane rather than the sum: both SQLite (in WAL mode) and PostgreSQL serve
    concurrent readers, and the drivers release the GIL while a query runs. More lanes than
    cores only add connections, and a new PostgreSQL connection's first query costs tens of
    milliseconds more (its catalog caches are cold). Inside a transaction the other
    connections could not see its uncommitted rows, so the calls then run one after another
    here."""
    import threading

    if len(calls) < 2 or lanes < 2 or database.in_transaction():
        return [call() for call in calls]
    results: list = [None] * len(calls)
    failures: list[BaseException] = []
    taken = iter(range(len(calls)))
    lock = threading.Lock()

    def lane() -> None:
        while not failures:
            with lock:
                index = next(taken, None)
            if index is None:
                return
            try:
                results[index] = calls[index]()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
                failures.append(exc)

    def own_lane() -> None:
        try:
            database.connect(reuse_if_open=True)
            lane()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            failures.append(exc)
        finally:
            if not database.is_closed():
                database.close()

    others = [threading.Thread(target=own_lane) for _ in range(min(lanes, len(calls)) - 1)]
    for thread in others:
        thread.start()
    lane()
    for thread in others:
        thread.join()
    if failures:
        raise failures[0]
    return results
