"""Property tests (hypothesis) of the ticket import parser: every line gives a record or a
problem naming its line and field, valid records round-trip, and the API refuses what the
parser refuses. Example counts stay modest so the suite is fast.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dmsu.tickets.exchange.records import (
    EVENT_KEYS,
    TICKET_KEYS,
    InvalidTicket,
    TicketRecord,
    parse_line,
    read_lines,
)
from dmsu.tickets.models import ACTOR_ROLES, CATEGORIES, EVENT_KINDS, PRIORITIES, STATUSES

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- the ticket import parser ---------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(
        [
            "2013-02-11T09:00:00+00:00",
            "2013-02-11T04:51:38-05:00",
            "2013-02-11 09:00Z",
            "2013-02-30T09:00:00Z",
            "2013-02-11",
            "2013-02-09",
            "DMSU",
            "",
            "   ",
            *STATUSES,
            *EVENT_KINDS,
            *ACTOR_ROLES,
            *PRIORITIES,
        ]
    )
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
event_objects = st.dictionaries(
    st.sampled_from(sorted(EVENT_KEYS)) | st.text(max_size=6), json_values, max_size=6
)
ticket_objects = st.fixed_dictionaries(
    {},
    optional={
        "ggus_id": st.integers(min_value=-5, max_value=2**32) | json_values,
        "subject": st.text(max_size=30) | json_values,
        "created_at": json_scalars,
        "events": st.lists(event_objects | json_values, max_size=4) | json_values,
        **dict.fromkeys(sorted(TICKET_KEYS - {"ggus_id", "subject"}), json_values),
        "misspelt": json_values,
    },
)
lines = st.one_of(
    ticket_objects.map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=60),
    ticket_objects.map(lambda t: json.dumps(t)[:-1]),  # cut short
)


@FAST
@given(st.lists(lines, min_size=1, max_size=5))
def test_import_lines_give_a_record_or_a_problem_with_line_and_field(texts):
    texts = [t.replace("\n", " ") for t in texts]
    for number, record, problem, _size in read_lines(texts, start=7):
        if record is not None:
            assert isinstance(record, TicketRecord) and problem is None
            assert record.created_at.tzinfo is not None and 0 < record.ggus_id < 2**31
            assert [e.at for e in record.events] == sorted(e.at for e in record.events)
        elif problem is not None:
            assert problem.line == number and problem.message
            assert str(problem).startswith(f"line {number}")
            text = texts[number - 7]
            try:
                obj = json.loads(text)
            except ValueError:
                continue
            if isinstance(obj, dict):
                assert problem.field, f"no field named for {text!r}: {problem}"


@pytest.mark.parametrize("key", ["type", "status", "author_role"])
def test_unhashable_event_values_are_a_problem_not_a_crash(key):
    event = {"at": "2013-02-11T09:00:00Z", "type": "status", "status": "solved", key: []}
    line = json.dumps(
        {"ggus_id": 1, "subject": "s", "created_at": "2013-02-11T09:00:00Z", "events": [event]}
    )
    with pytest.raises(InvalidTicket) as refused:
        parse_line(line, 1)
    assert refused.value.field == f"events[0].{key}"


@pytest.mark.parametrize("instant", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_out_of_range_instants_are_a_problem_not_a_crash(instant):
    line = json.dumps({"ggus_id": 1, "subject": "s", "created_at": instant, "events": []})
    with pytest.raises(InvalidTicket) as refused:
        parse_line(line, 1)
    assert refused.value.field == "created_at"


def test_an_empty_key_is_named_in_the_problem():
    line = json.dumps({"ggus_id": 1, "subject": "s", "created_at": "2013-02-11T09:00Z", "": 1})
    problem = next(read_lines([line]))[2]
    assert problem.field and "''" in str(problem)


instants = st.datetimes(
    min_value=datetime(2005, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))
offsets = st.sampled_from(["+00:00", "-05:00", "+01:00", "+05:30", "Z"])
words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(lambda s: s.strip())


def iso(moment: datetime, offset: str) -> str:
    if offset == "Z":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    sign = 1 if offset[0] == "+" else -1
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    zone = UTC if offset == "+00:00" else None
    local = (
        moment.astimezone(zone) if zone else moment + sign * timedelta(hours=hours, minutes=minutes)
    )
    return local.strftime("%Y-%m-%dT%H:%M:%S") + offset


valid_events = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {
                "at": instants,
                "type": st.just("assigned"),
                "support_unit": st.sampled_from(["DMSU", "TPM", "CREAM"]),
            }
        ),
        st.fixed_dictionaries(
            {"at": instants, "type": st.just("status"), "status": st.sampled_from(STATUSES)}
        ),
        st.fixed_dictionaries(
            {
                "at": instants,
                "type": st.just("comment"),
                "author_role": st.sampled_from(ACTOR_ROLES),
                "public": st.booleans(),
                "text": words,
            }
        ),
        st.fixed_dictionaries(
            {
                "at": instants,
                "type": st.just("eta"),
                "due": st.dates(date(2005, 1, 1), date(2030, 1, 1)),
            }
        ),
    ),
    max_size=6,
)
valid_tickets = st.fixed_dictionaries(
    {
        "ggus_id": st.integers(min_value=1, max_value=2**31 - 1),
        "subject": words.map(lambda s: s[:500]),
        "created_at": instants,
        "events": valid_events,
    },
    optional={
        "category": st.sampled_from(CATEGORIES),
        "priority": st.sampled_from(PRIORITIES),
        "description": st.text(max_size=200),
        "submitter_email": st.emails().filter(lambda e: len(e) <= 254),
        "broad_impact": st.booleans(),
        "component": words.map(lambda s: s[:120]),
    },
)


@FAST
@given(valid_tickets, offsets)
def test_valid_records_round_trip(ticket, offset):
    obj = dict(ticket)
    obj["created_at"] = iso(ticket["created_at"], offset)
    obj["events"] = [
        {**e, "at": iso(e["at"], offset), **({"due": e["due"].isoformat()} if "due" in e else {})}
        for e in ticket["events"]
    ]
    record = parse_line(json.dumps(obj), 1)
    assert record.ggus_id == ticket["ggus_id"]
    assert record.subject == ticket["subject"].replace("\0", "").strip()  # NUL is dropped
    assert record.created_at == ticket["created_at"]
    expected = sorted(ticket["events"], key=lambda e: e["at"])  # stable, like the parser
    assert [(e.at, e.kind) for e in record.events] == [(e["at"], e["type"]) for e in expected]
    for got, want in zip(record.events, expected, strict=True):
        assert got.status == want.get("status")
        assert got.support_unit == ((want.get("support_unit") or "").replace("\0", "") or None)
        assert got.due == want.get("due")
        assert got.text == want.get("text", "").replace("\0", "")
        assert got.public == want.get("public", True)
    for name in ("category", "priority", "broad_impact", "description"):
        if name in ticket:
            want = ticket[name]
            assert record.fields[name] == (
                want.replace("\0", "") if isinstance(want, str) else want
            )
    # The record written back in the format parses to the same record.
    again = {
        "ggus_id": record.ggus_id,
        "subject": record.subject,
        "created_at": record.created_at.isoformat(),
        "events": [
            {
                "at": e.at.isoformat(),
                "type": e.kind,
                **({"support_unit": e.support_unit} if e.support_unit else {}),
                **({"status": e.status} if e.status else {}),
                **({"due": e.due.isoformat()} if e.due else {}),
                "author_role": e.author_role,
                "public": e.public,
                "text": e.text,
            }
            for e in record.events
        ],
        **record.fields,
    }
    assert parse_line(json.dumps(again), 1) == record


def test_the_api_refuses_an_unhashable_event_type_in_json(app, client, make_user):
    from dmsu.api.tokens import create_token

    with app.app_context():
        _, raw = create_token(make_user("admin"), "fuzz")
    ticket = {
        "ggus_id": 4242,
        "subject": "s",
        "created_at": "2013-02-11T09:00:00Z",
        "events": [{"at": "2013-02-11T09:00:00Z", "type": []}],
    }
    response = client.post(
        "/api/v1/tickets", json=ticket, headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code in (400, 422)
    assert "error" in response.get_json()
