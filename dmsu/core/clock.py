"""The one source of time (ARCHITECTURE.md rule 4: "All times are timezone-aware UTC in the database;
``clock.now()`` everywhere").

Tests and ``flask dmsu tick --now ISO`` pin the clock with :func:`frozen` or :func:`set_now`.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime

_fixed: datetime | None = None


def now() -> datetime:
    """The current instant, timezone-aware UTC (or the pinned instant)."""
    if _fixed is not None:
        return _fixed
    return datetime.now(UTC)


def pinned() -> datetime | None:
    """The pinned instant, or None while the clock runs."""
    return _fixed


def set_now(instant: datetime | None) -> None:
    """Pin the clock to ``instant`` (aware); ``None`` lets it run again."""
    global _fixed
    if instant is not None and instant.tzinfo is None:
        raise ValueError("the clock takes timezone-aware datetimes only")
    _fixed = instant.astimezone(UTC) if instant is not None else None


@contextmanager
def frozen(instant: datetime):
    """Run a block with the clock pinned to ``instant``."""
    previous = _fixed
    set_now(instant)
    try:
        yield instant
    finally:
        set_now(previous)


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant that carries an offset (``Z`` allowed) into UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"'{text}' has no UTC offset; write it like 2013-02-11T04:51:38+01:00")
    return value.astimezone(UTC)


def html_datetime(value: date | datetime) -> str:
    """``value`` as a valid HTML ``<time datetime>``: a date as ``YYYY-MM-DD``; an instant in
    UTC to the second, ``YYYY-MM-DDTHH:MM:SSZ`` (naive counts as UTC, rule 4: "All times are
    timezone-aware UTC"). ``isoformat()`` wrote six-digit fractions of a second, which the
    HTML standard refuses ("a fraction of a second must be one, two, or three digits")."""
    if isinstance(value, datetime):
        instant = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return instant.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()
