"""What a scheduled job is: each area declares its jobs as ``JOBS = [JobSpec(...)]`` in
``dmsu/<area>/schedule.py``; :mod:`dmsu.jobs` collects and runs them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[[datetime], str | None]
    # APScheduler trigger arguments, e.g. {"trigger": "interval", "minutes": 15}
    # or {"trigger": "cron", "day_of_week": "mon", "hour": 7}.
    trigger: dict = field(default_factory=lambda: {"trigger": "interval", "minutes": 15})
