"""Period maths: project quarters and years, months, ISO weeks and date ranges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dmsu.metrics.periods import (
    Period,
    PeriodError,
    add_months,
    iso_week_name,
    parse_period,
    quarter_of,
    split,
    week_bounds,
)


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def bounds(period: Period) -> tuple[datetime, datetime]:
    return period.start, period.end


# -- parse_period ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("PQ1", utc(2010, 5, 1), utc(2010, 8, 1)),
        ("PQ9", utc(2012, 5, 1), utc(2012, 8, 1)),
        ("PQ12", utc(2013, 2, 1), utc(2013, 5, 1)),
        ("PQ13", utc(2013, 5, 1), utc(2013, 8, 1)),
        ("PY1", utc(2010, 5, 1), utc(2011, 5, 1)),
        ("PY3", utc(2012, 5, 1), utc(2013, 5, 1)),
        ("2012-07", utc(2012, 7, 1), utc(2012, 8, 1)),
        ("2012-12", utc(2012, 12, 1), utc(2013, 1, 1)),
        ("2012-02", utc(2012, 2, 1), utc(2012, 3, 1)),
        ("2013-W07", utc(2013, 2, 11), utc(2013, 2, 18)),
        ("2013-W01", utc(2012, 12, 31), utc(2013, 1, 7)),
        ("2015-W53", utc(2015, 12, 28), utc(2016, 1, 4)),
        ("2012", utc(2012, 1, 1), utc(2013, 1, 1)),
        ("2012-05-01..2013-05-01", utc(2012, 5, 1), utc(2013, 5, 1)),
        ("2013-02-11..2013-02-12", utc(2013, 2, 11), utc(2013, 2, 12)),
    ],
)
def test_parse_period(text, start, end):
    period = parse_period(text)
    assert bounds(period) == (start, end)
    assert period.name == text


def test_py3_is_pq9_to_pq12():
    """ "PY3 = PQ9–PQ12 = 2012-05-01 to 2013-05-01"."""
    py3 = parse_period("PY3")
    assert py3.start == parse_period("PQ9").start
    assert py3.end == parse_period("PQ12").end


def test_names_are_normalised():
    assert parse_period(" pq9 ").name == "PQ9"
    assert parse_period("py3").name == "PY3"
    assert parse_period("2013-w07").name == "2013-W07"
    assert parse_period("2012-05-01 .. 2013-05-01").name == "2012-05-01..2013-05-01"


def test_other_project_start():
    period = parse_period("PQ1", project_start=date(2013, 5, 1))
    assert bounds(period) == (utc(2013, 5, 1), utc(2013, 8, 1))
    assert parse_period("PY2", project_start=date(2013, 5, 1)).start == utc(2014, 5, 1)


def test_project_start_at_a_months_end_keeps_quarters_contiguous():
    start = date(2010, 1, 31)
    first, second = parse_period("PQ1", start), parse_period("PQ2", start)
    assert first.end == second.start == utc(2010, 4, 30)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("PQ0", "counted from 1"),
        ("PY0", "counted from 1"),
        ("2013-W53", "not an ISO week"),
        ("2013-W00", "not an ISO week"),
        ("2012-13", "not a month"),
        ("2012-00", "not a month"),
        ("2013-05-01..2012-05-01", "must end after it starts"),
        ("2013-05-01..2013-05-01", "must end after it starts"),
        ("2013-02-30..2013-03-01", "not a date"),
        ("2013-02-01..soon", "not a date"),
        ("Q3", "not a period"),
        ("", "not a period"),
        ("PQ99999", "outside the dates"),
    ],
)
def test_bad_periods_get_one_clear_sentence(text, message):
    with pytest.raises(PeriodError, match=message) as raised:
        parse_period(text)
    sentence = str(raised.value)
    assert sentence.endswith(".")
    assert sentence.count(". ") == 0


def test_period_error_is_a_value_error():
    assert issubclass(PeriodError, ValueError)


# -- Period ---------------------------------------------------------------------------------


def test_period_end_is_exclusive():
    pq9 = parse_period("PQ9")
    assert utc(2012, 5, 1) in pq9
    assert utc(2012, 7, 31, 23) in pq9
    assert utc(2012, 8, 1) not in pq9
    assert utc(2012, 4, 30, 23) not in pq9


def test_period_is_frozen():
    with pytest.raises(AttributeError):
        parse_period("PQ9").name = "PQ10"


def test_period_must_end_after_it_starts():
    with pytest.raises(PeriodError):
        Period("x", utc(2012, 5, 1), utc(2012, 5, 1))


def test_period_needs_aware_datetimes():
    with pytest.raises(PeriodError, match="timezone-aware"):
        Period("x", datetime(2012, 5, 1), datetime(2012, 6, 1))


# -- quarters, weeks, months ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "quarter"),
    [
        (utc(2010, 5, 1), 1),
        (utc(2010, 7, 31, 23), 1),
        (utc(2010, 8, 1), 2),
        (utc(2012, 5, 1), 9),
        (utc(2013, 4, 30, 23), 12),
        (utc(2013, 5, 1), 13),
    ],
)
def test_quarter_of(moment, quarter):
    assert quarter_of(moment) == quarter


def test_quarter_of_uses_utc():
    after_midnight_in_amsterdam = datetime(2012, 8, 1, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    assert quarter_of(after_midnight_in_amsterdam) == 9  # still 2012-07-31 in UTC


def test_quarter_of_before_the_project_start_is_refused():
    with pytest.raises(PeriodError, match="before the project start"):
        quarter_of(utc(2010, 4, 30))


@given(st.datetimes(min_value=datetime(2010, 5, 1), max_value=datetime(2030, 1, 1)))
def test_quarter_of_agrees_with_parse_period(moment):
    moment = moment.replace(tzinfo=UTC)
    assert moment in parse_period(f"PQ{quarter_of(moment)}")


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2013, 2, 11), "2013-W07"),
        (date(2013, 2, 17), "2013-W07"),
        (date(2012, 12, 31), "2013-W01"),
        (date(2016, 1, 3), "2015-W53"),
        (date(2010, 1, 3), "2009-W53"),
    ],
)
def test_iso_week_name(day, name):
    assert iso_week_name(day) == name


def test_week_bounds():
    assert week_bounds("2013-W07") == (utc(2013, 2, 11), utc(2013, 2, 18))
    assert week_bounds("2013-W01") == (utc(2012, 12, 31), utc(2013, 1, 7))


def test_week_bounds_refuses_other_names():
    with pytest.raises(PeriodError, match="ISO week"):
        week_bounds("2013-07")
    with pytest.raises(PeriodError, match="not an ISO week"):
        week_bounds("2013-W53")


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
def test_every_day_lies_in_its_named_week(day):
    start, end = week_bounds(iso_week_name(day))
    assert start.weekday() == 0
    assert end - start == timedelta(days=7)
    assert start <= datetime(day.year, day.month, day.day, tzinfo=UTC) < end


def test_add_months_rolls_over_years_and_clamps_days():
    assert add_months(date(2012, 11, 1), 3) == date(2013, 2, 1)
    assert add_months(date(2013, 1, 31), 1) == date(2013, 2, 28)
    assert add_months(date(2012, 1, 31), 1) == date(2012, 2, 29)
    assert add_months(date(2013, 3, 15), -3) == date(2012, 12, 15)


# -- split ----------------------------------------------------------------------------------


def test_split_py3_by_quarter():
    pieces = split(parse_period("PY3"), "quarter")
    assert [piece.name for piece in pieces] == ["PQ9", "PQ10", "PQ11", "PQ12"]
    assert [bounds(piece) for piece in pieces] == [
        bounds(parse_period(name)) for name in ("PQ9", "PQ10", "PQ11", "PQ12")
    ]


def test_split_by_quarter_clips_to_the_period():
    pieces = split(parse_period("2012-07-15..2012-09-01"), "quarter")
    assert [(p.name, *bounds(p)) for p in pieces] == [
        ("PQ9", utc(2012, 7, 15), utc(2012, 8, 1)),
        ("PQ10", utc(2012, 8, 1), utc(2012, 9, 1)),
    ]


def test_split_by_quarter_before_the_project_start_has_one_piece_before_pq1():
    """It was refused, and the metrics page answered 500 for such a period: what lies before
    the first project quarter is one piece of its own."""
    pieces = split(parse_period("2010"), "quarter")
    assert pieces[0].name == "before PQ1"
    assert (pieces[0].start, pieces[0].end) == (utc(2010, 1, 1), pieces[1].start)
    assert pieces[1].name == "PQ1" and pieces[-1].end == utc(2011, 1, 1)


def test_split_by_month_rolls_over_the_year():
    pieces = split(parse_period("PQ11"), "month")
    assert [piece.name for piece in pieces] == ["2012-11", "2012-12", "2013-01"]
    assert pieces[1].end == pieces[2].start == utc(2013, 1, 1)


def test_split_by_month_clips_to_the_period():
    pieces = split(parse_period("2013-W05"), "month")
    assert [(p.name, *bounds(p)) for p in pieces] == [
        ("2013-01", utc(2013, 1, 28), utc(2013, 2, 1)),
        ("2013-02", utc(2013, 2, 1), utc(2013, 2, 4)),
    ]


def test_split_by_week_clips_partial_weeks():
    pieces = split(parse_period("2013-01"), "week")
    assert [piece.name for piece in pieces] == [
        "2013-W01",
        "2013-W02",
        "2013-W03",
        "2013-W04",
        "2013-W05",
    ]
    assert bounds(pieces[0]) == (utc(2013, 1, 1), utc(2013, 1, 7))
    assert bounds(pieces[-1]) == (utc(2013, 1, 28), utc(2013, 2, 1))


def test_split_py3_by_week_covers_it_without_gaps():
    py3 = parse_period("PY3")
    pieces = split(py3, "week")
    assert pieces[0].start == py3.start
    assert pieces[-1].end == py3.end
    assert all(a.end == b.start for a, b in pairwise(pieces))
    assert len(pieces) == 53


def test_split_by_none_is_the_period_itself():
    period = parse_period("PQ9")
    assert split(period, "none") == [period]


def test_split_by_unknown_unit_is_refused():
    with pytest.raises(PeriodError, match="Cannot split by 'day'"):
        split(parse_period("PQ9"), "day")


@given(
    st.dates(min_value=date(2010, 5, 1), max_value=date(2020, 1, 1)),
    st.integers(min_value=1, max_value=800),
    st.sampled_from(["quarter", "month", "week", "none"]),
)
def test_split_pieces_tile_the_period(first, days, by):
    period = parse_period(f"{first}..{first + timedelta(days=days)}")
    pieces = split(period, by)
    assert pieces[0].start == period.start
    assert pieces[-1].end == period.end
    assert all(a.end == b.start for a, b in pairwise(pieces))
