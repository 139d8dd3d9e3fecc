"""Period maths for the metrics: project quarters and years, months, ISO weeks, date ranges.

"PQ / PY: project quarter / project year, counted from the project start (default
2010-05-01): PQ1 = May–Jul 2010, PY3 = PQ9–PQ12 = 2012-05-01 to 2013-05-01."

Every period runs from midnight UTC at its start to midnight UTC at its end, the end
excluded.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

PROJECT_START = date(2010, 5, 1)
SPLITS = ("quarter", "month", "week", "none")

_QUARTER = re.compile(r"PQ(\d+)", re.IGNORECASE)
_YEAR_OF_PROJECT = re.compile(r"PY(\d+)", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_WEEK = re.compile(r"(\d{4})-W(\d{2})", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
_RANGE = re.compile(r"(.+?)\.\.(.+)")


class PeriodError(ValueError):
    """A period name that cannot be understood; the message is one sentence for the user."""


@dataclass(frozen=True)
class Period:
    """A named span of time ``[start, end)`` in UTC."""

    name: str
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        for moment in (self.start, self.end):
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise PeriodError(f"Period {self.name} needs timezone-aware start and end.")
        if self.end <= self.start:
            raise PeriodError(f"Period {self.name} must end after it starts.")

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (the day clamped to the month's end)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def project_quarter(n: int, project_start: date = PROJECT_START) -> Period:
    """PQn = [start + 3(n−1) months, start + 3n months)."""
    if n < 1:
        raise PeriodError(f"Project quarters are counted from 1, so PQ{n} does not exist.")
    first = add_months(project_start, 3 * (n - 1))
    return Period(f"PQ{n}", _midnight(first), _midnight(add_months(project_start, 3 * n)))


def project_year(n: int, project_start: date = PROJECT_START) -> Period:
    """PYn = PQ(4n−3) to PQ(4n), e.g. PY3 = PQ9–PQ12."""
    if n < 1:
        raise PeriodError(f"Project years are counted from 1, so PY{n} does not exist.")
    first = add_months(project_start, 12 * (n - 1))
    return Period(f"PY{n}", _midnight(first), _midnight(add_months(project_start, 12 * n)))


def month(year: int, month_number: int) -> Period:
    """The calendar month named ``YYYY-MM``."""
    if not 1 <= month_number <= 12:
        raise PeriodError(f"{year}-{month_number:02d} is not a month: months run 01 to 12.")
    first = date(year, month_number, 1)
    return Period(f"{first:%Y-%m}", _midnight(first), _midnight(add_months(first, 1)))


def iso_week_name(day: date) -> str:
    """The ISO week holding ``day``, named like ``2013-W07``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def iso_week(year: int, week: int) -> Period:
    """ISO week ``week`` of ``year``: Monday 00:00 UTC to the next Monday."""
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise PeriodError(f"{year}-W{week:02d} is not an ISO week of {year}.") from None
    return Period(f"{year}-W{week:02d}", _midnight(monday), _midnight(monday + timedelta(7)))


def week_bounds(name: str) -> tuple[datetime, datetime]:
    """Start and (exclusive) end of the ISO week named like ``2013-W07``."""
    match = _WEEK.fullmatch(name.strip())
    if match is None:
        raise PeriodError(f"{name!r} is not an ISO week name like 2013-W07.")
    week = iso_week(int(match[1]), int(match[2]))
    return week.start, week.end


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"{text.strip()!r} is not a date like 2012-05-01.") from None


def date_range(first: date, end: date) -> Period:
    """The days from ``first`` up to ``end``, ``end`` excluded."""
    if end <= first:
        raise PeriodError(f"The range {first}..{end} must end after it starts.")
    return Period(f"{first}..{end}", _midnight(first), _midnight(end))


def parse_period(text: str, project_start: date = PROJECT_START) -> Period:
    """The period named by ``text``: ``PQ9``, ``PY3``, ``2012-07``, ``2013-W07``, ``2012``,
    or ``2012-05-01..2013-05-01`` (end excluded); ``PeriodError`` otherwise."""
    name = text.strip()
    try:
        return _parse_name(name, project_start)
    except PeriodError:
        raise
    except (ValueError, OverflowError):
        raise PeriodError(f"{name!r} lies outside the dates this site can count.") from None


def _parse_name(name: str, project_start: date) -> Period:
    if match := _QUARTER.fullmatch(name):
        return project_quarter(int(match[1]), project_start)
    if match := _YEAR_OF_PROJECT.fullmatch(name):
        return project_year(int(match[1]), project_start)
    if match := _WEEK.fullmatch(name):
        return iso_week(int(match[1]), int(match[2]))
    if match := _MONTH.fullmatch(name):
        return month(int(match[1]), int(match[2]))
    if _YEAR.fullmatch(name):
        year = int(name)
        return Period(name, _midnight(date(year, 1, 1)), _midnight(date(year + 1, 1, 1)))
    if match := _RANGE.fullmatch(name):
        return date_range(_iso_date(match[1]), _iso_date(match[2]))
    raise PeriodError(
        f"{name!r} is not a period; write PQ9, PY3, 2012-07, 2013-W07, 2012 "
        "or 2012-05-01..2013-05-01."
    )


def quarter_of(moment: datetime, project_start: date = PROJECT_START) -> int:
    """The number n of the project quarter PQn holding ``moment``."""
    if moment.tzinfo is None:
        raise PeriodError("quarter_of needs a timezone-aware moment.")
    day = moment.astimezone(UTC).date()
    if day < project_start:
        raise PeriodError(f"{day} is before the project start {project_start}.")
    months = (day.year - project_start.year) * 12 + day.month - project_start.month
    if add_months(project_start, months) > day:
        months -= 1
    return months // 3 + 1


def _unit_holding(day: date, by: str, project_start: date) -> Period:
    """The whole quarter, month or ISO week holding ``day``; before the project's first
    quarter, the one piece "before PQ1" (a period may begin before the project did: there are
    no project quarters there to split it into)."""
    if by == "quarter":
        if day < project_start:
            return Period("before PQ1", _midnight(day), project_quarter(1, project_start).start)
        return project_quarter(quarter_of(_midnight(day), project_start), project_start)
    if by == "month":
        return month(day.year, day.month)
    year, week, _ = day.isocalendar()
    return iso_week(year, week)


def split(period: Period, by: str = "none", project_start: date = PROJECT_START) -> list[Period]:
    """``period`` cut into project quarters (``PQn``), months (``YYYY-MM``) or ISO weeks
    (``YYYY-Www``), each clipped to the period; ``"none"`` gives ``[period]``."""
    if by not in SPLITS:
        raise PeriodError(f"Cannot split by {by!r}; choose one of {', '.join(SPLITS)}.")
    if by == "none":
        return [period]
    pieces: list[Period] = []
    day = period.start.astimezone(UTC).date()
    while True:
        unit = _unit_holding(day, by, project_start)
        pieces.append(Period(unit.name, max(unit.start, period.start), min(unit.end, period.end)))
        if unit.end >= period.end:
            return pieces
        day = unit.end.date()
