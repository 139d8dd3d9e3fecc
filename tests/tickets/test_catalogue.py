"""The strict list query of :mod:`dmsu.tickets.catalogue`: what a tool asks for is read
exactly or refused in one sentence naming the field, and a query string made from a query
reads back as the same query (the paging links depend on it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dmsu.tickets.catalogue import BadListQuery, ListQuery


def test_defaults_are_every_ticket_newest_change_first():
    query = ListQuery.from_args({})
    assert (query.state, query.sort, query.order, query.page, query.per_page) == (
        "all", "updated", "desc", 1, 50,
    )  # fmt: skip
    assert query.as_args() == {}


@pytest.mark.parametrize(
    "args",
    [
        {"status": "new,solved", "state": "open"},
        {"unit": "CREAM", "priority": "urgent,top priority", "category": "usage"},
        {"updated_since": "2013-02-11T09:00:00+00:00", "sort": "created", "order": "asc"},
        {"page": "3", "per_page": "200", "component": "BDII top"},
    ],
)
def test_a_query_string_reads_back_as_the_same_query(args):
    query = ListQuery.from_args(args)
    assert query.as_args() == args
    assert ListQuery.from_args(query.as_args(page=2)).page == 2
    assert "page" not in query.as_args(page=1)


def test_times_are_read_as_utc_instants():
    query = ListQuery.from_args({"updated_since": "2013-02-11T10:00:00+01:00"})
    assert query.updated_since == datetime(2013, 2, 11, 9, tzinfo=UTC)
    assert ListQuery.from_args({"updated_since": "2013-02-11T09:00:00Z"}).updated_since == (
        query.updated_since
    )


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"status": "open"}, "status"),
        ({"page": "²"}, "page"),
        ({"per_page": "1e3"}, "per_page"),
        ({"updated_since": "2013-02-11"}, "updated_since"),
        ({"order": "random"}, "order"),
    ],
)
def test_what_cannot_be_is_refused_naming_the_field(args, field):
    with pytest.raises(BadListQuery) as refused:
        ListQuery.from_args(args)
    assert refused.value.field == field and refused.value.status == 400
    assert str(refused.value).endswith(".")


@pytest.mark.parametrize("name", ["\x00", "CREAM\x00", "x" * 5000])
def test_a_name_no_unit_can_have_is_refused_before_the_database_sees_it(app, name):
    """The web strips control characters from query values (dmsu/web.py); a CLI or job
    caller may not, and PostgreSQL refuses NUL in text with an error."""
    with pytest.raises(BadListQuery, match="no support unit with such a name"):
        ListQuery(unit=name).tickets()
