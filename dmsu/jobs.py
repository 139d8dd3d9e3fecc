"""Scheduled jobs: thin wrappers over the areas' functions (DESIGN rule 5: "Jobs are
idempotent. A job may run twice or late; the database says what is already done").

Each area declares its jobs in ``dmsu/<area>/schedule.py`` as ``JOBS = [JobSpec(...)]``.
A job function takes the instant it runs "as of" and returns a one-line summary. Because every
job is idempotent, ``flask dmsu tick --now ISO`` simply runs them all as of that instant, and the
scheduler runs each on its own trigger.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

JOB_MODULES = (
    "dmsu.tickets.schedule",
    "dmsu.digests.schedule",
    "dmsu.requirements.schedule",
    "dmsu.metrics.schedule",
    "dmsu.notify.schedule",
)


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[[datetime], str | None]
    # APScheduler trigger arguments, e.g. {"trigger": "interval", "minutes": 15}
    # or {"trigger": "cron", "day_of_week": "mon", "hour": 7}.
    trigger: dict = field(default_factory=lambda: {"trigger": "interval", "minutes": 15})


def all_jobs() -> list[JobSpec]:
    jobs: list[JobSpec] = []
    for module_name in JOB_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        jobs.extend(module.JOBS)
    return jobs


def run_all(now: datetime) -> list[tuple[str, str | None]]:
    """Run every job once as of ``now``; return (name, summary) pairs. Mail goes last."""
    return [(job.name, job.func(now)) for job in all_jobs()]


def init_app(app) -> None:
    """Start the in-process scheduler when configured (``flask run`` in development)."""
