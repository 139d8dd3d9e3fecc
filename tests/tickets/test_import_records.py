"""The import format's checks: every kind of bad input names its line and field."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from dmsu.tickets.exchange.records import InvalidTicket, parse_line, read_lines, validate_ticket


def ticket(**overrides):
    base = {
        "ggus_id": 91039,
        "subject": "top BDII drops sites",
        "created_at": "2013-02-11T04:51:38-05:00",
        "events": [{"at": "2013-02-11T10:00:00+01:00", "type": "assigned", "support_unit": "DMSU"}],
    }
    base.update(overrides)
    return base


def problem_of(obj):
    with pytest.raises(InvalidTicket) as caught:
        validate_ticket(obj)
    return caught.value.field, caught.value.message


def test_minimal_ticket_is_valid_and_times_become_utc():
    record = validate_ticket(ticket())
    assert record.ggus_id == 91039
    assert record.created_at == datetime(2013, 2, 11, 9, 51, 38, tzinfo=UTC)
    assert record.events[0].at == datetime(2013, 2, 11, 9, 0, tzinfo=UTC)
    assert record.fields == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2013-02-11T04:51:38+05:45", datetime(2013, 2, 10, 23, 6, 38, tzinfo=UTC)),
        ("2013-02-11T04:51:38-09:30", datetime(2013, 2, 11, 14, 21, 38, tzinfo=UTC)),
        ("2013-02-11T04:51:38Z", datetime(2013, 2, 11, 4, 51, 38, tzinfo=UTC)),
        ("2013-02-11T04:51:38.250+14:00", datetime(2013, 2, 10, 14, 51, 38, 250000, tzinfo=UTC)),
        ("2013-02-11T04:51+0100", datetime(2013, 2, 11, 3, 51, tzinfo=UTC)),
    ],
)
def test_odd_offsets_are_normalised_to_utc(text, expected):
    assert validate_ticket(ticket(created_at=text)).created_at == expected


def test_events_are_ordered_by_time_and_ties_keep_file_order():
    events = [
        {"at": "2013-02-12T10:00:00+00:00", "type": "comment", "text": "tie 1"},
        {"at": "2013-02-12T11:00:00+01:00", "type": "comment", "text": "tie 2"},
        {"at": "2013-02-12T10:00:00Z", "type": "comment", "text": "tie 3"},
        {"at": "2013-02-11T23:00:00-05:00", "type": "status", "status": "solved"},  # 04:00Z
        {"at": "2013-02-12T09:59:59Z", "type": "status", "status": "in progress"},
    ]
    record = validate_ticket(ticket(events=events))
    assert [e.text or e.status for e in record.events] == [
        "solved",
        "in progress",
        "tie 1",
        "tie 2",
        "tie 3",
    ]


def test_defaults_of_event_roles_and_visibility():
    events = [
        {"at": "2013-02-12T10:00:00Z", "type": "comment", "text": "hi"},
        {"at": "2013-02-12T10:00:00Z", "type": "eta", "due": "2013-03-01"},
        {"at": "2013-02-12T10:00:00Z", "type": "comment", "text": "x", "author_role": "tpm",
         "public": False},
    ]  # fmt: skip
    comment, eta, internal = validate_ticket(ticket(events=events)).events
    assert (comment.author_role, comment.public) == ("dmsu", True)
    assert (eta.author_role, eta.due) == ("system", date(2013, 3, 1))
    assert (internal.author_role, internal.public) == ("tpm", False)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"ggus_id": None}, "ggus_id", "not a positive whole number"),
        ({"ggus_id": "91039"}, "ggus_id", "not a positive whole number"),
        ({"ggus_id": True}, "ggus_id", "not a positive whole number"),
        ({"ggus_id": -4}, "ggus_id", "not a positive whole number"),
        ({"subject": ""}, "subject", "must not be empty"),
        ({"subject": 12}, "subject", "must be a string"),
        ({"subject": "x" * 501}, "subject", "longer than 500"),
        ({"created_at": "2013-02-11T04:51:38"}, "created_at", "with an offset"),
        ({"created_at": "yesterday"}, "created_at", "with an offset"),
        ({"events": {}}, "events", "must be a list"),
        ({"category": "bug"}, "category", "unknown value 'bug'"),
        ({"priority": "asap"}, "priority", "unknown value 'asap'"),
        ({"broad_impact": "yes"}, "broad_impact", "true or false"),
        ({"priorty": "urgent"}, "priorty", "not a field of the import format"),
    ],
)
def test_bad_ticket_fields_are_named(change, field, words):
    found_field, message = problem_of(ticket(**change))
    assert found_field == field
    assert words in message


@pytest.mark.parametrize("missing", ["ggus_id", "subject", "created_at", "events"])
def test_missing_required_field_is_named(missing):
    obj = ticket()
    del obj[missing]
    assert problem_of(obj) == (missing, "is missing")


@pytest.mark.parametrize(
    ("event", "field", "words"),
    [
        ({"at": "2013-02-30T10:00", "type": "comment"}, "events[1].at",
         "'2013-02-30T10:00' is not an ISO-8601 time with an offset"),
        ({"at": "2013-02-30T10:00:00+00:00", "type": "comment"}, "events[1].at", "with an offset"),
        ({"at": "2013-02-12T10:00:00", "type": "comment"}, "events[1].at", "with an offset"),
        ({"type": "comment"}, "events[1].at", "is missing"),
        ({"at": "2013-02-12T10:00:00Z"}, "events[1].type", "is missing"),
        ({"at": "2013-02-12T10:00:00Z", "type": "closed"}, "events[1].type", "unknown value"),
        ({"at": "2013-02-12T10:00:00Z", "type": "status", "status": "done"}, "events[1].status",
         "unknown value 'done'"),
        ({"at": "2013-02-12T10:00:00Z", "type": "status"}, "events[1].status", "is missing"),
        ({"at": "2013-02-12T10:00:00Z", "type": "assigned"}, "events[1].support_unit",
         "is missing"),
        ({"at": "2013-02-12T10:00:00Z", "type": "comment", "author_role": "boss"},
         "events[1].author_role", "unknown value 'boss'"),
        ({"at": "2013-02-12T10:00:00Z", "type": "eta", "due": "9 March"}, "events[1].due",
         "not a date"),
        ({"at": "2013-02-12T10:00:00Z", "type": "eta", "due": "2013-02-30"}, "events[1].due",
         "not a date"),
        ({"at": "2013-02-12T10:00:00Z", "type": "eta"}, "events[1].due", "is missing"),
        ({"at": "2013-02-12T10:00:00Z", "type": "comment", "public": "no"}, "events[1].public",
         "true or false"),
        ({"at": "2013-02-12T10:00:00Z", "type": "comment", "colour": "red"},
         "events[1].colour", "not a field"),
        ("just text", "events[1]", "must be an object"),
    ],
)  # fmt: skip
def test_bad_events_are_named_with_their_index(event, field, words):
    obj = ticket()
    obj["events"].append(event)
    found_field, message = problem_of(obj)
    assert found_field == field
    assert words in message


def test_read_lines_reports_line_numbers_and_skips_blank_lines():
    good = json.dumps(ticket())
    bad_event = ticket()
    bad_event["events"].append({"at": "2013-02-30T10:00", "type": "comment"})
    lines = [good, "", "{not json", json.dumps(bad_event), "[1, 2]"]
    results = list(read_lines(lines))
    problems = [str(p) for _, _, p, _ in results if p is not None]
    assert problems[0].startswith("line 3: not valid JSON")
    assert problems[1] == (
        "line 4, field events[1].at: '2013-02-30T10:00' is not an ISO-8601 time with an offset"
    )
    assert problems[2] == "line 5: a ticket must be a JSON object, not a list"
    assert [r.ggus_id for _, r, _, _ in results if r is not None] == [91039]


def test_parse_line_accepts_the_contract_example():
    line = (
        '{"ggus_id": 91039, "subject": "...", "description": "...", "submitter": "...", '
        '"submitter_email": "...", "component": "BDII top", "category": "configuration", '
        '"priority": "urgent", "created_at": "2013-02-11T04:51:38-05:00", '
        '"fixed_version": "1.4.3", "events": []}'
    )
    record = parse_line(line, 1)
    assert record.fields["component"] == "BDII top"
    assert record.fields["fixed_version"] == "1.4.3"
