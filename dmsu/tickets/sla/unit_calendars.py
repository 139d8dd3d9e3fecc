"""Each support unit's working time: its time zone, working hours and national holidays.

A product team answers in its own working time: a deadline for a team in Italy skips Italian
holidays and follows Rome's clock, not DMSU's. A unit that sets none of these works on the
site's calendar (``DMSU_TIMEZONE``, ``DMSU_WORKDAY_START``/``END``, ``DMSU_HOLIDAYS``); one
that names a country gets that country's public holidays from the ``holidays`` library instead
of the site's, for the years SLA clocks can span.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache

import holidays as holiday_tables

from dmsu.core.calendar import BusinessCalendar

YEARS = range(2005, 2046)


def _hours(text: str) -> tuple[time, time] | None:
    """``"08:00-16:00"`` as two times; None for an empty text."""
    text = (text or "").strip()
    if not text:
        return None
    start, _, end = text.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def check(timezone: str = "", country: str = "", working_hours: str = "") -> None:
    """Raise ValueError with one sentence unless these make a calendar."""
    calendar_for_values(BusinessCalendar(), timezone, country, working_hours)


@lru_cache(maxsize=256)
def calendar_for_values(
    site: BusinessCalendar, timezone: str, country: str, working_hours: str
) -> BusinessCalendar:
    """The calendar of a unit with these settings (pure, so it is kept per value)."""
    if not (timezone or country or working_hours):
        return site
    try:
        hours = _hours(working_hours)
    except ValueError:
        raise ValueError(f"'{working_hours}' is not working hours like 08:00-16:00.") from None
    if country:
        try:
            days = holiday_tables.country_holidays(country.upper(), years=YEARS)
        except NotImplementedError:
            raise ValueError(f"'{country}' is not a country the holidays library knows.") from None
        holidays = frozenset(days)
    else:
        holidays = site.holidays
    start, end = hours or (site.start, site.end)
    return BusinessCalendar(
        tz=timezone or site.tz, start=start, end=end, workdays=site.workdays, holidays=holidays
    )


def calendar_for(unit, site: BusinessCalendar) -> BusinessCalendar:
    """The working-time calendar of ``unit`` (anything with ``timezone``, ``country`` and
    ``working_hours``; missing ones mean the site's)."""
    values = tuple(
        (getattr(unit, name, "") or "") for name in ("timezone", "country", "working_hours")
    )
    if not any(values):
        return site  # the very object: callers tell "the site's" by identity
    return calendar_for_values(site, *values)
