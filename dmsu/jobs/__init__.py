"""Scheduled jobs: thin wrappers over the areas' functions (ARCHITECTURE.md rule 5: "Jobs are
idempotent. A job may run twice or late; the database says what is already done").

Each area declares its jobs in ``dmsu/<area>/schedule.py`` as ``JOBS = [JobSpec(...)]``.
A job function takes the instant it runs "as of" and returns a one-line summary. Because every
job is idempotent, ``flask dmsu tick --now ISO`` simply runs them all as of that instant, and the
scheduler runs each on its own trigger.

Only one scheduler may run the jobs: ``flask dmsu scheduler`` (production) and the in-process
scheduler of ``flask run`` (``DMSU_SCHEDULER=1``) both take :class:`SchedulerLock` before each
run — a PostgreSQL advisory lock held on a dedicated connection, or on SQLite an exclusive
``flock`` on a file beside the database — so a second scheduler stays idle (and takes over if
the first one stops) and nothing is sent twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from dmsu.core.schedule import JobSpec
from dmsu.digests import schedule as digests_schedule
from dmsu.forums import schedule as forums_schedule
from dmsu.helpdesk import schedule as helpdesk_schedule
from dmsu.metrics import schedule as metrics_schedule
from dmsu.notify import schedule as notify_schedule
from dmsu.repositories import schedule as repositories_schedule
from dmsu.requirements import schedule as requirements_schedule
from dmsu.tickets import schedule as tickets_schedule

ADVISORY_LOCK_KEY = 0x444D5355  # "DMSU"
log = logging.getLogger("dmsu.jobs")
# The areas' jobs in the order a tick runs them; mail goes last, so notices queued by the
# others are delivered in the same tick.
AREA_SCHEDULES = (
    helpdesk_schedule,
    forums_schedule,
    repositories_schedule,
    tickets_schedule,
    digests_schedule,
    requirements_schedule,
    metrics_schedule,
    notify_schedule,
)


def all_jobs() -> list[JobSpec]:
    return [job for schedule in AREA_SCHEDULES for job in schedule.JOBS]


def run_all(now: datetime) -> list[tuple[str, str | None]]:
    """Run every job once as of ``now``; return (name, summary) pairs. Mail goes last.

    A job that fails is logged and reported as ``failed: ...``; the others still run.
    """
    results: list[tuple[str, str | None]] = []
    for job in all_jobs():
        try:
            results.append((job.name, job.func(now)))
        except Exception as exc:
            log.exception("job %s failed", job.name)
            results.append((job.name, f"failed: {exc}"))
    return results


# --- the one-scheduler lock ------------------------------------------------------------------


class SchedulerLock:
    """An exclusive, non-blocking lock for the scheduler; ``acquire()`` is True when held."""

    def __init__(self, db, lock_path: str | Path | None = None):
        self.db = db
        self.lock_path = Path(lock_path) if lock_path else None
        self._handle = None
        self._guard = threading.Lock()

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self) -> bool:
        with self._guard:
            if self._handle is not None and self._alive():
                return True
            self._handle = None
            self._handle = self._take_pg() if self._is_pg() else self._take_file()
            return self._handle is not None

    def release(self) -> None:
        with self._guard:
            handle, self._handle = self._handle, None
            if handle is not None:
                handle.close()  # closing the session or the file releases the lock

    def _is_pg(self) -> bool:
        import peewee

        return isinstance(self.db, peewee.PostgresqlDatabase)

    def _alive(self) -> bool:
        if not self._is_pg():
            return True
        try:
            with self._handle.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except Exception:
            return False

    def _take_pg(self):
        connection = self.db._connect()  # a dedicated session, outside peewee's pool
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
            (taken,) = cursor.fetchone()
        if taken:
            return connection
        connection.close()
        return None

    def _take_file(self):
        import fcntl

        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.lock_path, "a+")  # noqa: SIM115 (held open while the lock is held)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return None
        return handle


def scheduler_lock(app) -> SchedulerLock:
    """The lock for ``app``'s database (on SQLite a file beside the database file)."""
    import peewee

    from dmsu.core.db import database

    db = database.obj
    path = None
    if isinstance(db, peewee.SqliteDatabase):
        path = Path(f"{db.database}.scheduler.lock")
    return SchedulerLock(db, path or Path(app.instance_path) / "scheduler.lock")


# --- running the jobs on their triggers --------------------------------------------------------


def guarded(app, job: JobSpec, lock: SchedulerLock) -> Callable[[], str | None]:
    """``job`` as the scheduler runs it: only while holding the lock, in an app context, with
    its own database connection; a failure is logged, never raised into the scheduler."""

    def run() -> str | None:
        from dmsu.core import clock
        from dmsu.core.db import database

        if not lock.acquire():
            return None
        with app.app_context():
            database.connect(reuse_if_open=True)
            try:
                summary = job.func(clock.now())
                log.info("%s: %s", job.name, summary)
                return summary
            except Exception:
                log.exception("job %s failed", job.name)
                return None
            finally:
                if not database.is_closed():
                    database.close()

    return run


def build_scheduler(app, scheduler_class, lock: SchedulerLock):
    """An APScheduler scheduler with every job on its trigger, one at a time. Cron triggers
    read in the unit's time zone (``DMSU_TIMEZONE``): "Monday 07:00" is the unit's morning."""
    from zoneinfo import ZoneInfo

    from apscheduler.executors.pool import ThreadPoolExecutor

    scheduler = scheduler_class(
        timezone=ZoneInfo(app.config["DMSU_TIMEZONE"]),
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
    )
    for job in all_jobs():
        trigger = dict(job.trigger)
        kind = trigger.pop("trigger", "interval")
        scheduler.add_job(guarded(app, job, lock), kind, id=job.name, name=job.name, **trigger)
    return scheduler


def run_scheduler(app) -> None:
    """``flask dmsu scheduler``: block running the jobs (idle while another holds the lock)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    lock = scheduler_lock(app)
    if not lock.acquire():
        log.warning("another scheduler holds the lock; this one stays idle until it stops")
    scheduler = build_scheduler(app, BlockingScheduler, lock)
    try:
        scheduler.start()
    finally:
        lock.release()


def init_app(app) -> None:
    """Start the in-process scheduler when configured (``flask run`` in development)."""
    if not app.config.get("DMSU_SCHEDULER") or app.config.get("TESTING"):
        return
    from apscheduler.schedulers.background import BackgroundScheduler

    lock = scheduler_lock(app)
    scheduler = build_scheduler(app, BackgroundScheduler, lock)
    scheduler.start()
    app.extensions["dmsu_scheduler"] = scheduler
    app.extensions["dmsu_scheduler_lock"] = lock
