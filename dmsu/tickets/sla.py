"""SLA clocks of the 3rd-line units, in working time (seed 001, Tables 2 and 3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Deadline:
    """One running (or finished) deadline on a ticket."""

    label: str  # e.g. "CREAM response (Level 2, severity 3)"
    unit_name: str
    started_at: datetime
    due_at: datetime | None  # None while the clock is paused (waiting for reply)
    state: str  # running, paused, met, violated
    remaining_hours: float | None  # working hours left (negative when overdue)


def running_deadlines(ticket, now: datetime) -> list[Deadline]:
    """Every deadline that applies to ``ticket`` as of ``now``, nearest first."""
    return []
