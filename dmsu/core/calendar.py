"""The one working-time calendar, and the SLA response-time tables.

ARCHITECTURE.md rule 4: "Working-time arithmetic (SLA, '3 working days') lives in one calendar module."

The rule for reading the seeds' response times: "4 hours within working hours" = 4 business
hours, "N working days" = N × 8 business hours (N × the length of the working day).

Every datetime going in must be timezone-aware (naive ones raise ``ValueError``); every
datetime coming out is timezone-aware UTC. Working hours are wall-clock hours in the
calendar's time zone (``Europe/Amsterdam`` by default), so a working day keeps its opening
and closing times across daylight-saving changes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONDAY_TO_FRIDAY = frozenset(range(5))
ONE_HOUR = timedelta(hours=1)

Pause = tuple[datetime, datetime | None]


def _utc(moment: datetime, what: str = "datetime") -> datetime:
    """``moment`` in UTC; naive datetimes are refused."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{what} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (got the naive {moment.isoformat()})")
    return moment.astimezone(UTC)


def _hours(span: timedelta) -> float:
    return span / ONE_HOUR


def _as_time(value: Any, key: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{key} must be a time like 09:00, not {value!r}") from None


def _as_holidays(value: Any) -> frozenset[date]:
    """Holidays from a list of ISO dates (or dates) or a comma-separated string."""
    if value is None:
        return frozenset()
    items: Iterable[Any] = value.split(",") if isinstance(value, str) else value
    holidays: set[date] = set()
    for item in items:
        if isinstance(item, date):
            holidays.add(item)
        elif str(item).strip():
            try:
                holidays.add(date.fromisoformat(str(item).strip()))
            except ValueError:
                raise ValueError(f"DMSU_HOLIDAYS: {item!r} is not a date like 2013-12-25") from None
    return frozenset(holidays)


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours ``start``–``end`` on ``workdays`` (Monday = 0) except ``holidays``."""

    tz: str = "Europe/Amsterdam"
    start: time = time(9, 0)
    end: time = time(17, 0)
    workdays: frozenset[int] = MONDAY_TO_FRIDAY
    holidays: frozenset[date] = frozenset()
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _opening: dict = field(init=False, repr=False, compare=False)  # day -> UTC interval

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown time zone {self.tz!r}") from None
        if self.start >= self.end:
            raise ValueError(f"the working day must end after it starts ({self.start}–{self.end})")
        if not self.workdays or not set(self.workdays) <= set(range(7)):
            raise ValueError("workdays must be a non-empty set of weekdays 0 (Monday) to 6")
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "_opening", {})

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> BusinessCalendar:
        """The calendar from ``DMSU_TIMEZONE``, ``DMSU_WORKDAY_START``, ``DMSU_WORKDAY_END``
        and ``DMSU_HOLIDAYS`` (a list of ISO dates or a comma-separated string)."""
        return cls(
            tz=str(config.get("DMSU_TIMEZONE") or "Europe/Amsterdam"),
            start=_as_time(config.get("DMSU_WORKDAY_START") or "09:00", "DMSU_WORKDAY_START"),
            end=_as_time(config.get("DMSU_WORKDAY_END") or "17:00", "DMSU_WORKDAY_END"),
            holidays=_as_holidays(config.get("DMSU_HOLIDAYS")),
        )

    @property
    def hours_per_day(self) -> float:
        """The nominal length of a working day in hours (8 for 09:00–17:00)."""
        day = date(2000, 1, 1)
        return _hours(datetime.combine(day, self.end) - datetime.combine(day, self.start))

    # -- working intervals -------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Whether the local date ``day`` is a workday and not a holiday."""
        return day.weekday() in self.workdays and day not in self.holidays

    def _interval_on(self, day: date) -> tuple[datetime, datetime]:
        """The UTC opening and closing moments of the local date ``day`` (remembered: the
        time-zone arithmetic is most of the cost of a deadline)."""
        interval = self._opening.get(day)
        if interval is None:
            opens = datetime.combine(day, self.start, tzinfo=self._zone)
            closes = datetime.combine(day, self.end, tzinfo=self._zone)
            interval = self._opening[day] = (opens.astimezone(UTC), closes.astimezone(UTC))
        return interval

    def _intervals_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals (UTC, half-open) that end after ``moment``, in order."""
        day = moment.astimezone(self._zone).date()
        while True:
            if self.is_working_day(day):
                opens, closes = self._interval_on(day)
                if closes > moment:
                    yield opens, closes
            day += timedelta(days=1)

    def _working_time(self, a: datetime, b: datetime) -> timedelta:
        total = timedelta(0)
        if b <= a:
            return total
        for opens, closes in self._intervals_from(a):
            if opens >= b:
                break
            total += min(closes, b) - max(opens, a)
        return total

    # -- public arithmetic ---------------------------------------------------------------

    def is_working_time(self, moment: datetime) -> bool:
        """Whether ``moment`` lies within working hours (opening included, closing not)."""
        moment = _utc(moment)
        day = moment.astimezone(self._zone).date()
        if not self.is_working_day(day):
            return False
        opens, closes = self._interval_on(day)
        return opens <= moment < closes

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself during working hours, else the next opening time (UTC)."""
        moment = _utc(moment)
        opens, _ = next(self._intervals_from(moment))
        return max(opens, moment)

    def add_business_hours(self, start_utc: datetime, hours: float) -> datetime:
        """The deadline ``hours`` working hours after ``start_utc``.

        Counting starts at the next working moment: 4 business hours from Friday 16:00 is
        Monday 12:00. The deadline is the first moment at which more working time than
        ``hours`` could have passed: hours that run out exactly at a closing time are not
        exceeded until the next opening, so 1 hour from Friday 16:00 is Monday 09:00, not
        Friday 17:00 (a team answering at 19:00 that Friday used no more working time than it
        had, and was counted late when the deadline was the closing time). With
        ``hours == 0`` the deadline is :meth:`next_working_moment` of the start.
        """
        start = _utc(start_utc, "start")
        remaining = _duration(hours)
        if not remaining:
            return self.next_working_moment(start)
        for opens, closes in self._intervals_from(start):
            opens = max(opens, start)
            if not remaining:
                return opens  # the hours ran out at the last closing time
            if closes - opens > remaining:
                return opens + remaining
            remaining -= closes - opens
        raise AssertionError("unreachable: the working intervals never end")

    def add_working_days(self, start_utc: datetime, days: float) -> datetime:
        """The deadline ``days`` working days after ``start_utc``.

        '"4 hours within working hours" = 4 business hours, "N working days" = N × 8
        business hours': this is ``add_business_hours(start, days * hours_per_day)``.
        """
        return self.add_business_hours(start_utc, days * self.hours_per_day)

    def business_hours_between(self, a: datetime, b: datetime) -> float:
        """Working hours in ``[a, b)``; 0 when ``b <= a``."""
        return _hours(self._working_time(_utc(a, "a"), _utc(b, "b")))

    def business_hours_between_excluding(
        self, a: datetime, b: datetime, paused: Iterable[Pause]
    ) -> float:
        """Working hours in ``[a, b)`` minus the ``paused`` intervals.

        Seed 001 counts the reaction time without the time a ticket spends in
        "waiting for reply". Pauses may overlap; a pause ending in ``None`` runs until ``b``.
        """
        a, b = _utc(a, "a"), _utc(b, "b")
        total = timedelta(0)
        for seg_start, seg_end in _active_segments(a, _merged_pauses(paused, a, b)):
            total += self._working_time(seg_start, b if seg_end is None else min(seg_end, b))
        return _hours(total)

    def deadline_with_pauses(
        self, start: datetime, hours: float, paused: Iterable[Pause]
    ) -> datetime | None:
        """The moment ``hours`` working hours have run since ``start``, the ``paused``
        intervals not counting; ``None`` when the clock is stopped by a pause still open.

        A deadline reached before an open pause began is still returned (it was missed).
        With ``hours == 0`` the deadline is :meth:`next_working_moment` of the start.
        """
        start = _utc(start, "start")
        remaining = _duration(hours)
        if not remaining:
            return self.next_working_moment(start)
        for seg_start, seg_end in _active_segments(start, _merged_pauses(paused, start, None)):
            deadline = self.add_business_hours(seg_start, _hours(remaining))
            if seg_end is None or deadline <= seg_end:
                return deadline
            remaining -= self._working_time(seg_start, seg_end)
        return None


def _duration(hours: float) -> timedelta:
    if not math.isfinite(hours) or hours < 0:
        raise ValueError(f"hours must be a finite number ≥ 0, not {hours!r}")
    return timedelta(hours=hours)


def _merged_pauses(
    paused: Iterable[Pause], lower: datetime, upper: datetime | None
) -> list[tuple[datetime, datetime | None]]:
    """Pauses clipped to ``[lower, upper)``, sorted and merged; ``None`` = open-ended."""
    clipped: list[tuple[datetime, datetime | None]] = []
    for begin, end in paused:
        begin = _utc(begin, "pause start")
        end = None if end is None else _utc(end, "pause end")
        if end is not None and end < begin:
            raise ValueError(f"a pause cannot end ({end:%Y-%m-%d %H:%M}) before it starts")
        begin = max(begin, lower)
        if upper is not None:
            end = upper if end is None else min(end, upper)
        if end is None or end > begin:
            clipped.append((begin, end))
    clipped.sort(key=lambda pause: pause[0])
    merged: list[tuple[datetime, datetime | None]] = []
    for begin, end in clipped:
        if merged and (merged[-1][1] is None or begin <= merged[-1][1]):
            last_begin, last_end = merged[-1]
            merged[-1] = (
                last_begin,
                None if None in (last_end, end) else max(last_end, end),
            )
        else:
            merged.append((begin, end))
    return merged


def _active_segments(
    start: datetime, pauses: list[tuple[datetime, datetime | None]]
) -> Iterator[tuple[datetime, datetime | None]]:
    """The running stretches from ``start`` between merged ``pauses``; ``None`` = no end."""
    cursor: datetime | None = start
    for begin, end in pauses:
        if cursor is not None and begin > cursor:
            yield cursor, begin
        cursor = end
        if cursor is None:
            return
    if cursor is not None:
        yield cursor, None


# -- SLA response times (seed 001, Tables 2 and 3) ---------------------------------------

SEVERITY_BY_PRIORITY: dict[str, int] = {
    "top priority": 1,
    "very urgent": 2,
    "urgent": 3,
    "less urgent": 4,
}
"""GGUS priorities mapped to the SLA severity levels 1 (highest) to 4."""

SLA_LEVELS: dict[str, dict[int, tuple[str, int]] | None] = {
    "legacy": {1: ("hours", 4), 2: ("days", 2), 3: ("days", 5), 4: ("days", 15)},
    "unspecified": None,
    "level1": {1: ("days", 5), 2: ("days", 5), 3: ("days", 5), 4: ("days", 5)},
    "level2": {1: ("days", 1), 2: ("days", 1), 3: ("days", 5), 4: ("days", 5)},
    "level3": {1: ("hours", 4), 2: ("days", 1), 3: ("days", 1), 4: ("days", 5)},
}
"""Response time per severity, by SLA level; ``None`` means best effort (no deadline).

``legacy`` is seed 001 Table 2, "Response times defined by the SLAs between EGI and EMI, and
between EGI and IGE": Severity 1 "4 hours within working hours", Severity 2 "2 working days",
Severity 3 "5 working days", Severity 4 "15 working days".

The other levels are Table 3, "Response times declared by product teams in a Post-EMI/IGE Era
survey": Level unspecified "Best effort" for every severity; Level 1 "5 working days" for
every severity; Level 2 "1 working day" for severities 1–2 and "5 working days" for 3–4;
Level 3 "4 hours" for severity 1, "1 working day" for 2–3 and "5 working days" for 4.
"""

SLA_LEVEL_LABELS: dict[str, str] = {
    "legacy": "EMI/IGE SLA (Table 2)",
    "unspecified": "Level unspecified (best effort)",
    "level1": "Level 1",
    "level2": "Level 2",
    "level3": "Level 3",
}
"""Human labels for the SLA levels, in the words of seed 001."""


def severity_of(priority: str | int) -> int:
    """The SLA severity (1–4) of a GGUS priority such as "very urgent" (or a severity)."""
    if isinstance(priority, int) and priority in (1, 2, 3, 4):
        return priority
    severity = SEVERITY_BY_PRIORITY.get(str(priority).strip().lower())
    if severity is None:
        known = ", ".join(SEVERITY_BY_PRIORITY)
        raise ValueError(f"unknown priority {priority!r}; expected one of: {known}")
    return severity


def response_hours(level: str, priority: str | int, hours_per_day: float = 8.0) -> float | None:
    """Business hours a product team at SLA ``level`` has to react to a ticket of
    ``priority``; ``None`` for best effort (no deadline).

    '"4 hours within working hours" = 4 business hours, "N working days" = N × 8 business
    hours' (``hours_per_day`` for a calendar with another working day).
    """
    if level not in SLA_LEVELS:
        raise ValueError(f"unknown SLA level {level!r}; expected one of: {', '.join(SLA_LEVELS)}")
    table = SLA_LEVELS[level]
    severity = severity_of(priority)
    if table is None:
        return None
    unit, amount = table[severity]
    return float(amount) if unit == "hours" else float(amount * hours_per_day)
