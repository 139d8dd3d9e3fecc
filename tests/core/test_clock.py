"""The clock's formats."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from dmsu.core.clock import html_datetime


def test_html_datetime_is_what_the_checker_accepts():
    assert html_datetime(date(2013, 2, 11)) == "2013-02-11"
    assert html_datetime(datetime(2013, 2, 11, 9, 5, 7, 123456, tzinfo=UTC)) == (
        "2013-02-11T09:05:07Z"
    )
    cet = timezone(timedelta(hours=1))
    assert html_datetime(datetime(2013, 2, 11, 10, 5, 7, tzinfo=cet)) == "2013-02-11T09:05:07Z"
    assert html_datetime(datetime(2013, 2, 11, 9, 5, 7, 999999)) == "2013-02-11T09:05:07Z"
