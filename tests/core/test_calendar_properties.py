"""Property tests (hypothesis) of the working-time calendar: DST, holidays and pauses.
Example counts stay modest so the suite is fast.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dmsu.core.calendar import BusinessCalendar

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- the working-time calendar: DST, holidays, pauses ---------------------------------------

ZONES = ["Europe/Amsterdam", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]
days = st.dates(date(2010, 1, 1), date(2030, 12, 31))
moments = st.datetimes(
    min_value=datetime(2010, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
calendars = st.builds(
    BusinessCalendar,
    tz=st.sampled_from(ZONES),
    start=st.sampled_from([time(7), time(8, 30), time(9)]),
    end=st.sampled_from([time(16), time(17), time(18, 30)]),
    holidays=st.frozensets(days, max_size=8),
)


def local_midnight(cal: BusinessCalendar, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(cal.tz)).astimezone(UTC)


@FAST
@given(calendars, days)
def test_a_local_week_has_its_working_days_hours_even_across_dst(cal, day):
    monday = day - timedelta(days=day.weekday())
    hours = cal.business_hours_between(
        local_midnight(cal, monday), local_midnight(cal, monday + timedelta(days=7))
    )
    working = sum(cal.is_working_day(monday + timedelta(days=n)) for n in range(7))
    assert hours == pytest.approx(working * cal.hours_per_day, abs=1e-9)


@FAST
@given(calendars, days)
def test_a_holiday_or_weekend_counts_no_time_and_holds_no_deadline(cal, day):
    start, end = local_midnight(cal, day), local_midnight(cal, day + timedelta(days=1))
    if not cal.is_working_day(day):
        assert cal.business_hours_between(start, end) == 0
        assert not cal.is_working_time(start + (end - start) / 2)
        deadline = cal.add_business_hours(start, 1)
        assert deadline.astimezone(ZoneInfo(cal.tz)).date() != day


@FAST
@given(calendars, moments, st.integers(min_value=1, max_value=30), st.integers(1, 7 * 60 - 1))
def test_working_days_keep_the_local_time_of_day_across_dst(cal, moment, n, minutes):
    """A start within working hours, n working days later: the same local clock time."""
    zone = ZoneInfo(cal.tz)
    day = cal.next_working_moment(moment).astimezone(zone).date()
    opens = datetime.combine(day, cal.start, tzinfo=zone)
    start = opens + timedelta(minutes=minutes % int(cal.hours_per_day * 60 - 1) + 1)
    deadline = cal.add_working_days(start.astimezone(UTC), n).astimezone(zone)
    assert deadline.time() == start.time()
    assert cal.is_working_day(deadline.date())


@FAST
@given(calendars, moments, st.floats(0, 300), st.floats(0, 300))
def test_working_hours_add_up_over_consecutive_spans(cal, a, x, y):
    b, c = a + timedelta(hours=x), a + timedelta(hours=x + y)
    whole = cal.business_hours_between(a, c)
    assert whole == pytest.approx(
        cal.business_hours_between(a, b) + cal.business_hours_between(b, c), abs=1e-6
    )


pauses = st.lists(st.tuples(st.floats(0, 200), st.floats(0, 100) | st.none()), max_size=4)


def _pauses(start: datetime, spec) -> list[tuple[datetime, datetime | None]]:
    return [
        (start + timedelta(hours=o), None if n is None else start + timedelta(hours=o + n))
        for o, n in spec
    ]


@FAST
@given(calendars, moments, st.floats(0.01, 120), pauses, pauses)
def test_pauses_only_delay_and_more_pauses_delay_more(cal, start, hours, first, more):
    plain = cal.add_business_hours(start, hours)
    some = cal.deadline_with_pauses(start, hours, _pauses(start, first))
    both = cal.deadline_with_pauses(start, hours, _pauses(start, first + more))
    assert some is None or some >= plain
    if some is None:
        assert both is None
    elif both is not None:
        assert both >= some


@FAST
@given(calendars, moments, st.floats(0, 300), pauses)
def test_excluding_pauses_never_counts_more_and_ignores_their_order(cal, a, span, spec):
    b = a + timedelta(hours=span)
    paused = _pauses(a, spec)
    excluded = cal.business_hours_between_excluding(a, b, paused)
    assert 0 <= excluded <= cal.business_hours_between(a, b) + 1e-9
    assert excluded == pytest.approx(
        cal.business_hours_between_excluding(a, b, list(reversed(paused))), abs=1e-9
    )


@FAST
@given(calendars, moments, st.floats(1, 100), st.floats(0.5, 50))
def test_a_pause_split_in_two_counts_like_one(cal, a, offset, length):
    b = a + timedelta(hours=400)
    p, q = a + timedelta(hours=offset), a + timedelta(hours=offset + length)
    middle = p + (q - p) / 3
    one = cal.business_hours_between_excluding(a, b, [(p, q)])
    two = cal.business_hours_between_excluding(a, b, [(p, middle), (middle, q)])
    assert one == pytest.approx(two, abs=1e-9)


@FAST
@given(st.frozensets(days, max_size=6))
def test_holidays_from_config_text_or_list_are_the_same_calendar(holidays):
    text = ", ".join(d.isoformat() for d in sorted(holidays))
    from_text = BusinessCalendar.from_config({"DMSU_HOLIDAYS": text})
    from_list = BusinessCalendar.from_config({"DMSU_HOLIDAYS": sorted(holidays)})
    assert from_text.holidays == from_list.holidays == holidays
