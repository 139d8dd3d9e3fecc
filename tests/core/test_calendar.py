"""The working-time calendar and the SLA tables (seed 001, Tables 2 and 3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dmsu.core.calendar import (
    SEVERITY_BY_PRIORITY,
    SLA_LEVEL_LABELS,
    SLA_LEVELS,
    BusinessCalendar,
    response_hours,
    severity_of,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CALENDAR = BusinessCalendar()


def ams(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An Amsterdam wall-clock moment, as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM).astimezone(UTC)


def local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM).replace(tzinfo=None)


# -- add_business_hours --------------------------------------------------------------------


def test_hours_within_the_same_day():
    assert CALENDAR.add_business_hours(ams(2013, 2, 12, 10), 4) == ams(2013, 2, 12, 14)


def test_friday_afternoon_rolls_over_to_monday():
    """4 business hours from Friday 16:00 local = Monday 12:00 local."""
    assert CALENDAR.add_business_hours(ams(2013, 2, 15, 16), 4) == ams(2013, 2, 18, 12)


def test_hours_that_run_out_at_closing_time_are_exceeded_at_the_next_opening():
    """1 hour from Friday 16:00 is used up at 17:00, but no more working time than that has
    passed until Monday 09:00: an answer on Friday evening is in time."""
    assert CALENDAR.add_business_hours(ams(2013, 2, 15, 16), 1) == ams(2013, 2, 18, 9)
    assert CALENDAR.add_business_hours(ams(2013, 2, 12, 16), 0.5) == ams(2013, 2, 12, 16, 30)


def test_start_before_opening_counts_from_opening():
    assert CALENDAR.add_business_hours(ams(2013, 2, 12, 6, 30), 2) == ams(2013, 2, 12, 11)


def test_start_after_closing_counts_from_next_opening():
    assert CALENDAR.add_business_hours(ams(2013, 2, 12, 19), 2) == ams(2013, 2, 13, 11)


def test_start_on_saturday_counts_from_monday():
    assert CALENDAR.add_business_hours(ams(2013, 2, 16, 12), 3) == ams(2013, 2, 18, 12)


def test_fractional_hours():
    assert CALENDAR.add_business_hours(ams(2013, 2, 12, 16), 1.5) == ams(2013, 2, 13, 9, 30)


def test_zero_hours_is_the_next_working_moment():
    assert CALENDAR.add_business_hours(ams(2013, 2, 12, 10), 0) == ams(2013, 2, 12, 10)
    assert CALENDAR.add_business_hours(ams(2013, 2, 15, 17), 0) == ams(2013, 2, 18, 9)


def test_holidays_are_skipped():
    calendar = BusinessCalendar(holidays=frozenset({date(2013, 12, 25), date(2013, 12, 26)}))
    assert calendar.add_business_hours(ams(2013, 12, 24, 15), 4) == ams(2013, 12, 27, 11)


def test_holiday_on_monday_after_friday_afternoon():
    calendar = BusinessCalendar(holidays=frozenset({date(2013, 4, 1)}))  # Easter Monday
    assert calendar.add_business_hours(ams(2013, 3, 29, 16), 4) == ams(2013, 4, 2, 12)


def test_spring_forward_weekend_keeps_wall_clock_hours():
    """Amsterdam leaves CET for CEST on Sunday 2013-03-31."""
    deadline = CALENDAR.add_business_hours(ams(2013, 3, 29, 16), 4)
    assert local(deadline) == datetime(2013, 4, 1, 12)
    assert deadline == datetime(2013, 4, 1, 10, tzinfo=UTC)


def test_fall_back_weekend_keeps_wall_clock_hours():
    """Amsterdam leaves CEST for CET on Sunday 2013-10-27."""
    deadline = CALENDAR.add_business_hours(ams(2013, 10, 25, 16), 4)
    assert local(deadline) == datetime(2013, 10, 28, 12)
    assert deadline == datetime(2013, 10, 28, 11, tzinfo=UTC)


def test_result_is_utc():
    start = datetime(2013, 2, 12, 10, tzinfo=AMSTERDAM)
    assert CALENDAR.add_business_hours(start, 1).tzinfo is UTC


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.add_business_hours(datetime(2013, 2, 12, 10), 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.business_hours_between(datetime(2013, 2, 12), ams(2013, 2, 13))
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.is_working_time(datetime(2013, 2, 12, 10))


@pytest.mark.parametrize("hours", [-1, float("nan"), float("inf")])
def test_negative_or_non_finite_hours_are_refused(hours):
    with pytest.raises(ValueError, match="hours"):
        CALENDAR.add_business_hours(ams(2013, 2, 12, 10), hours)


# -- add_working_days ----------------------------------------------------------------------


def test_working_days_are_eight_business_hours():
    assert CALENDAR.add_working_days(ams(2013, 2, 12, 10), 1) == ams(2013, 2, 13, 10)


def test_three_working_days_from_friday_afternoon():
    """The sweep rule: "no tickets are left without supporter's reaction for more than three
    working days"."""
    assert CALENDAR.add_working_days(ams(2013, 2, 15, 14), 3) == ams(2013, 2, 20, 14)


def test_working_days_from_the_evening_end_at_the_next_opening_after_them():
    assert CALENDAR.add_working_days(ams(2013, 2, 12, 20), 1) == ams(2013, 2, 14, 9)


def test_working_days_follow_the_length_of_the_working_day():
    calendar = BusinessCalendar(start=time(8, 0), end=time(12, 0))
    assert calendar.hours_per_day == 4
    assert calendar.add_working_days(ams(2013, 2, 12, 10), 2) == ams(2013, 2, 14, 10)


# -- business_hours_between ----------------------------------------------------------------


def test_hours_between_within_a_day():
    assert CALENDAR.business_hours_between(ams(2013, 2, 12, 10), ams(2013, 2, 12, 12, 30)) == 2.5


def test_hours_between_over_a_weekend():
    assert CALENDAR.business_hours_between(ams(2013, 2, 15, 16), ams(2013, 2, 18, 10)) == 2


def test_hours_between_a_whole_week():
    assert CALENDAR.business_hours_between(ams(2013, 2, 11), ams(2013, 2, 18)) == 40


def test_hours_between_across_both_dst_changes():
    assert CALENDAR.business_hours_between(ams(2013, 3, 29, 9), ams(2013, 4, 1, 17)) == 16
    assert CALENDAR.business_hours_between(ams(2013, 10, 25, 9), ams(2013, 10, 28, 17)) == 16


def test_hours_between_is_zero_when_reversed_or_empty():
    a, b = ams(2013, 2, 12, 10), ams(2013, 2, 12, 12)
    assert CALENDAR.business_hours_between(b, a) == 0
    assert CALENDAR.business_hours_between(a, a) == 0


def test_hours_between_skips_holidays():
    calendar = BusinessCalendar(holidays=frozenset({date(2013, 2, 13)}))
    assert calendar.business_hours_between(ams(2013, 2, 12), ams(2013, 2, 15)) == 16


# -- pauses ("waiting for reply") -----------------------------------------------------------


def test_excluding_a_pause_inside_working_hours():
    paused = [(ams(2013, 2, 12, 11), ams(2013, 2, 12, 13))]
    hours = CALENDAR.business_hours_between_excluding(
        ams(2013, 2, 12, 9), ams(2013, 2, 12, 17), paused
    )
    assert hours == 6


def test_excluding_overlapping_pauses_counts_them_once():
    paused = [
        (ams(2013, 2, 12, 10), ams(2013, 2, 12, 12)),
        (ams(2013, 2, 12, 11), ams(2013, 2, 12, 14)),
        (ams(2013, 2, 12, 11), ams(2013, 2, 12, 11, 30)),
    ]
    hours = CALENDAR.business_hours_between_excluding(
        ams(2013, 2, 12, 9), ams(2013, 2, 12, 17), paused
    )
    assert hours == 4


def test_excluding_an_open_pause_runs_until_the_end():
    paused = [(ams(2013, 2, 12, 15), None)]
    hours = CALENDAR.business_hours_between_excluding(
        ams(2013, 2, 12, 9), ams(2013, 2, 14, 17), paused
    )
    assert hours == 6


def test_excluding_pauses_outside_the_range_changes_nothing():
    paused = [(ams(2013, 2, 1, 9), ams(2013, 2, 4, 9)), (ams(2013, 3, 1, 9), None)]
    hours = CALENDAR.business_hours_between_excluding(
        ams(2013, 2, 12, 9), ams(2013, 2, 13, 17), paused
    )
    assert hours == 16


def test_excluding_a_pause_that_started_before_the_range():
    paused = [(ams(2013, 2, 11, 9), ams(2013, 2, 12, 13))]
    hours = CALENDAR.business_hours_between_excluding(
        ams(2013, 2, 12, 9), ams(2013, 2, 12, 17), paused
    )
    assert hours == 4


def test_a_pause_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="before it starts"):
        CALENDAR.business_hours_between_excluding(
            ams(2013, 2, 12, 9),
            ams(2013, 2, 12, 17),
            [(ams(2013, 2, 12, 12), ams(2013, 2, 12, 11))],
        )


def test_deadline_without_pauses_equals_add_business_hours():
    start = ams(2013, 2, 15, 16)
    assert CALENDAR.deadline_with_pauses(start, 4, []) == CALENDAR.add_business_hours(start, 4)


def test_deadline_moves_by_the_paused_working_time():
    paused = [(ams(2013, 2, 12, 10), ams(2013, 2, 12, 12))]
    assert CALENDAR.deadline_with_pauses(ams(2013, 2, 12, 9), 4, paused) == ams(2013, 2, 12, 15)


def test_deadline_ignores_pauses_outside_working_hours():
    paused = [(ams(2013, 2, 12, 17), ams(2013, 2, 13, 9))]
    assert CALENDAR.deadline_with_pauses(ams(2013, 2, 12, 15), 4, paused) == ams(2013, 2, 13, 11)


def test_deadline_is_none_while_a_pause_is_open():
    paused = [(ams(2013, 2, 12, 10), None)]
    assert CALENDAR.deadline_with_pauses(ams(2013, 2, 12, 9), 4, paused) is None


def test_deadline_reached_before_an_open_pause_is_still_returned():
    paused = [(ams(2013, 2, 13, 10), None)]
    assert CALENDAR.deadline_with_pauses(ams(2013, 2, 12, 9), 4, paused) == ams(2013, 2, 12, 13)


def test_deadline_reached_exactly_when_the_pause_starts():
    paused = [(ams(2013, 2, 12, 13), None)]
    assert CALENDAR.deadline_with_pauses(ams(2013, 2, 12, 9), 4, paused) == ams(2013, 2, 12, 13)


def test_deadline_with_a_pause_open_since_before_the_start():
    paused = [(ams(2013, 2, 11, 9), None)]
    assert CALENDAR.deadline_with_pauses(ams(2013, 2, 12, 9), 4, paused) is None


def test_deadline_after_several_pauses():
    paused = [
        (ams(2013, 2, 12, 10), ams(2013, 2, 12, 11)),
        (ams(2013, 2, 12, 12), ams(2013, 2, 14, 12)),
    ]
    # 1 h (9–10) + 1 h (11–12) + 2 h from Thursday 12:00.
    assert CALENDAR.deadline_with_pauses(ams(2013, 2, 12, 9), 4, paused) == ams(2013, 2, 14, 14)


# -- is_working_time / next_working_moment --------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (ams(2013, 2, 12, 9), True),
        (ams(2013, 2, 12, 16, 59), True),
        (ams(2013, 2, 12, 17), False),
        (ams(2013, 2, 12, 8, 59), False),
        (ams(2013, 2, 16, 12), False),  # Saturday
        (ams(2013, 3, 31, 12), False),  # Sunday, DST starts
        (ams(2013, 4, 1, 9), True),
    ],
)
def test_is_working_time(moment, working):
    assert CALENDAR.is_working_time(moment) is working


def test_holidays_are_not_working_time():
    calendar = BusinessCalendar(holidays=frozenset({date(2013, 2, 12)}))
    assert not calendar.is_working_time(ams(2013, 2, 12, 12))


def test_next_working_moment():
    assert CALENDAR.next_working_moment(ams(2013, 2, 12, 12)) == ams(2013, 2, 12, 12)
    assert CALENDAR.next_working_moment(ams(2013, 2, 12, 17)) == ams(2013, 2, 13, 9)
    assert CALENDAR.next_working_moment(ams(2013, 2, 16, 3)) == ams(2013, 2, 18, 9)


def test_other_time_zone_and_workdays():
    calendar = BusinessCalendar(tz="UTC", workdays=frozenset({6}))  # Sundays only
    start = datetime(2013, 2, 12, 10, tzinfo=UTC)
    assert calendar.add_business_hours(start, 1) == datetime(2013, 2, 17, 10, tzinfo=UTC)


# -- construction ---------------------------------------------------------------------------


def test_invalid_calendars_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        BusinessCalendar(tz="Mars/Olympus")
    with pytest.raises(ValueError, match="time zone"):
        BusinessCalendar(tz="Europe")
    with pytest.raises(ValueError, match="end after it starts"):
        BusinessCalendar(start=time(17), end=time(9))
    with pytest.raises(ValueError, match="workdays"):
        BusinessCalendar(workdays=frozenset())
    with pytest.raises(ValueError, match="workdays"):
        BusinessCalendar(workdays=frozenset({7}))


def test_from_config_defaults():
    assert BusinessCalendar.from_config({}) == BusinessCalendar()


def test_from_config_reads_the_settings():
    calendar = BusinessCalendar.from_config(
        {
            "DMSU_TIMEZONE": "Europe/Prague",
            "DMSU_WORKDAY_START": "08:30",
            "DMSU_WORKDAY_END": "16:30",
            "DMSU_HOLIDAYS": "2013-12-24, 2013-12-25,,",
        }
    )
    assert calendar == BusinessCalendar(
        tz="Europe/Prague",
        start=time(8, 30),
        end=time(16, 30),
        holidays=frozenset({date(2013, 12, 24), date(2013, 12, 25)}),
    )


def test_from_config_takes_a_list_of_holidays():
    calendar = BusinessCalendar.from_config({"DMSU_HOLIDAYS": ["2013-12-25", date(2013, 1, 1)]})
    assert calendar.holidays == {date(2013, 12, 25), date(2013, 1, 1)}


def test_from_config_empty_holidays_string():
    assert BusinessCalendar.from_config({"DMSU_HOLIDAYS": ""}).holidays == frozenset()


def test_from_config_names_the_bad_setting():
    with pytest.raises(ValueError, match="DMSU_HOLIDAYS"):
        BusinessCalendar.from_config({"DMSU_HOLIDAYS": "2013-13-01"})
    with pytest.raises(ValueError, match="DMSU_WORKDAY_START"):
        BusinessCalendar.from_config({"DMSU_WORKDAY_START": "nine"})


# -- properties -----------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2012, 1, 1),
    max_value=datetime(2014, 12, 31),
    timezones=st.just(UTC),
)
hours = st.floats(min_value=0, max_value=200, allow_nan=False, allow_infinity=False)
holiday_calendar = BusinessCalendar(
    holidays=frozenset({date(2013, 1, 1), date(2013, 4, 1), date(2013, 12, 25)})
)


@settings(max_examples=200, deadline=None)
@given(start=moments, a=hours, b=hours)
def test_more_hours_never_give_an_earlier_deadline(start, a, b):
    low, high = sorted((a, b))
    assert CALENDAR.add_business_hours(start, low) <= CALENDAR.add_business_hours(start, high)


@settings(max_examples=200, deadline=None)
@given(start=moments, h=hours)
def test_hours_between_start_and_deadline_are_the_hours_added(start, h):
    deadline = holiday_calendar.add_business_hours(start, h)
    assert holiday_calendar.business_hours_between(start, deadline) == pytest.approx(h, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(start=moments, h=st.floats(min_value=1e-3, max_value=200))
def test_a_deadline_is_always_working_time_never_a_closing_time(start, h):
    deadline = holiday_calendar.add_business_hours(start, h)
    assert holiday_calendar.is_working_time(deadline)


@settings(max_examples=200, deadline=None)
@given(start=moments)
def test_zero_hours_deadline_is_working_time(start):
    assert CALENDAR.is_working_time(CALENDAR.add_business_hours(start, 0))


@settings(max_examples=100, deadline=None)
@given(
    start=moments,
    h=st.floats(min_value=0.01, max_value=100),
    gaps=st.lists(
        st.tuples(st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=50)),
        max_size=4,
    ),
)
def test_deadline_with_pauses_agrees_with_hours_excluding(start, h, gaps):
    paused = [
        (start + timedelta(hours=offset), start + timedelta(hours=offset + length))
        for offset, length in gaps
    ]
    deadline = CALENDAR.deadline_with_pauses(start, h, paused)
    assert deadline is not None
    counted = CALENDAR.business_hours_between_excluding(start, deadline, paused)
    assert counted == pytest.approx(h, abs=1e-6)


# -- SLA tables -----------------------------------------------------------------------------


def test_priorities_map_to_severities():
    assert SEVERITY_BY_PRIORITY == {
        "top priority": 1,
        "very urgent": 2,
        "urgent": 3,
        "less urgent": 4,
    }
    assert severity_of("Very Urgent") == 2
    assert severity_of(4) == 4


def test_unknown_priority_is_refused():
    with pytest.raises(ValueError, match="unknown priority"):
        severity_of("whenever")


def test_every_level_has_a_label():
    assert set(SLA_LEVEL_LABELS) == set(SLA_LEVELS)
    assert SLA_LEVEL_LABELS["legacy"] == "EMI/IGE SLA (Table 2)"
    assert SLA_LEVEL_LABELS["unspecified"] == "Level unspecified (best effort)"


@pytest.mark.parametrize(
    ("priority", "expected"),
    [("top priority", 4), ("very urgent", 16), ("urgent", 40), ("less urgent", 120)],
)
def test_table_2_legacy_sla(priority, expected):
    """Table 2: 4 hours within working hours; 2, 5 and 15 working days."""
    assert response_hours("legacy", priority) == expected


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("level1", [40, 40, 40, 40]),
        ("level2", [8, 8, 40, 40]),
        ("level3", [4, 8, 8, 40]),
    ],
)
def test_table_3_declared_levels(level, expected):
    priorities = ["top priority", "very urgent", "urgent", "less urgent"]
    assert [response_hours(level, p) for p in priorities] == expected


def test_unspecified_level_is_best_effort():
    assert all(response_hours("unspecified", severity) is None for severity in (1, 2, 3, 4))


def test_response_hours_follow_the_working_day():
    assert response_hours("legacy", "very urgent", hours_per_day=7.5) == 15
    assert response_hours("legacy", "top priority", hours_per_day=7.5) == 4


def test_unknown_level_is_refused():
    with pytest.raises(ValueError, match="unknown SLA level"):
        response_hours("gold", "urgent")


# --- against an independent business-hours engine ------------------------------------------


def _independent_engine():
    """businesstimedelta (PyPI), an engine of its own: Monday to Friday 09:00-17:00 in
    Europe/Amsterdam with the same holidays."""
    import businesstimedelta
    import pytz

    zone = pytz.timezone("Europe/Amsterdam")
    workdays = businesstimedelta.WorkDayRule(
        start_time=time(9), end_time=time(17), working_days=[0, 1, 2, 3, 4], tz=zone
    )
    holidays = businesstimedelta.HolidayRule(sorted(holiday_calendar.holidays), tz=zone)
    return businesstimedelta.Rules([workdays, holidays])


def _worked_hours(engine, a: datetime, b: datetime) -> float:
    if b <= a:
        return 0.0
    delta = engine.difference(a, b)
    return delta.hours + delta.seconds / 3600


def test_a_clock_is_late_exactly_when_the_independent_engine_counts_more_working_time():
    """400 random starts (a third outside working hours) and response times in whole working
    days or hours, and answers around the deadline: the site's deadline says "late" exactly
    when the independent engine counts more working time than allowed between start and
    answer. With deadlines at closing times, answers in the evening of the deadline day were
    counted late while the engine counted no more time than allowed."""
    import random

    engine = _independent_engine()
    rng = random.Random(2013)
    checked = 0
    for _ in range(400):
        start = datetime(2013, 1, 7, tzinfo=UTC) + timedelta(
            minutes=rng.randrange(0, 300 * 24 * 60)
        )
        hours = (
            rng.choice([8, 16, 24, 40, 4, 2, 12]) if rng.random() < 0.8 else rng.randrange(1, 60)
        )
        deadline = holiday_calendar.add_business_hours(start, hours)
        for answer in (
            deadline - timedelta(minutes=1),
            deadline,
            deadline + timedelta(minutes=1),
            deadline - timedelta(hours=3),
            deadline - timedelta(hours=15),
        ):
            late = answer > deadline
            worked = _worked_hours(engine, start, answer)
            assert late == (worked > hours + 1e-9), (start, hours, deadline, answer, worked)
            checked += 1
    assert checked == 2000
