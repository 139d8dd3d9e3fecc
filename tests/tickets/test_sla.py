"""SLA clocks from events (seed 001, Tables 2 and 3): every 3rd-line assignment starts a clock,
the unit's first comment or status change stops it, waiting for reply pauses it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dmsu.core.calendar import BusinessCalendar
from dmsu.tickets.sla.rules import response_outcomes, running_deadlines
from dmsu.tickets.units import SupportUnit
from tests.support.queries import QueryCounter

CAL = BusinessCalendar()  # Europe/Amsterdam, Monday–Friday 09:00–17:00
# Monday 2013-02-11, 10:00 Amsterdam = 09:00 UTC.
MON_10 = "2013-02-11T09:00:00+00:00"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def unit(name: str, level: str) -> SupportUnit:
    return SupportUnit.create(name=name, kind="third_line", sla_level=level)


def assigned(at, name):
    return {"at": at, "type": "assigned", "support_unit": name}


def test_level2_urgent_is_due_in_five_working_days_and_met_by_a_third_line_comment(
    app, make_ticket
):
    unit("CREAM", "level2")
    ticket = make_ticket(
        1,
        priority="urgent",
        events=[
            assigned("2013-02-11T08:00:00+00:00", "DMSU"),
            assigned(MON_10, "CREAM"),
            {
                "at": "2013-02-13T10:00:00+00:00",
                "type": "comment",
                "author_role": "third_line",
                "text": "looking",
            },
        ],
    )
    (outcome,) = response_outcomes([ticket], CAL, now=utc("2013-03-01T00:00:00+00:00"))
    # severity 3 at level 2: "5 working days" = 40 business hours from Monday 10:00 local.
    assert outcome.severity == 3 and outcome.sla_level == "level2"
    assert outcome.due_at == utc("2013-02-18T09:00:00+00:00")
    assert outcome.responded_at == utc("2013-02-13T10:00:00+00:00")
    assert outcome.state == "met" and not outcome.violated


def test_legacy_top_priority_four_hours_within_working_hours_violated(app, make_ticket):
    unit("dCache", "legacy")
    ticket = make_ticket(
        2,
        priority="top priority",
        events=[
            assigned("2013-02-15T14:00:00+00:00", "dCache"),  # Friday 15:00 local
            {"at": "2013-02-18T12:00:00+00:00", "type": "status", "status": "in progress"},
        ],
    )
    (outcome,) = response_outcomes([ticket], CAL, now=utc("2013-03-01T00:00:00+00:00"))
    # 2 hours on Friday (15–17), 2 more on Monday: due Monday 11:00 local = 10:00 UTC.
    assert outcome.due_at == utc("2013-02-18T10:00:00+00:00")
    assert outcome.violated and outcome.violated_at == outcome.due_at
    assert outcome.responded_at == utc("2013-02-18T12:00:00+00:00")


def test_waiting_for_reply_pauses_the_clock(app, make_ticket):
    unit("VOMS", "level3")
    ticket = make_ticket(
        3,
        priority="very urgent",  # severity 2 at level 3: 1 working day
        events=[
            assigned(MON_10, "VOMS"),
            # DMSU asks the submitter: status by a DMSU supporter is not the unit's response
            {
                "at": "2013-02-11T10:00:00+00:00",
                "type": "status",
                "status": "waiting for reply",
                "author_role": "dmsu",
            },
            {
                "at": "2013-02-13T10:00:00+00:00",
                "type": "status",
                "status": "assigned",
                "author_role": "dmsu",
            },
        ],
    )
    (outcome,) = response_outcomes([ticket], CAL, now=utc("2013-02-13T11:00:00+00:00"))
    # one hour ran before the pause; 7 remain from Wednesday 11:00 local → Thursday 10:00 local
    assert outcome.due_at == utc("2013-02-14T09:00:00+00:00")
    assert outcome.state == "running"


def test_a_paused_clock_has_no_due_time(app, make_ticket):
    unit("VOMS", "level3")
    ticket = make_ticket(
        4,
        priority="very urgent",
        events=[
            assigned(MON_10, "VOMS"),
            {
                "at": "2013-02-11T10:00:00+00:00",
                "type": "status",
                "status": "waiting for reply",
                "author_role": "dmsu",
            },
        ],
    )
    now = utc("2013-02-20T10:00:00+00:00")
    (deadline,) = running_deadlines_at(app, ticket, now)
    assert deadline.state == "paused" and deadline.due_at is None
    assert deadline.remaining_hours == 7


def running_deadlines_at(app, ticket, now):
    from dmsu.tickets.models import Ticket

    with app.app_context():
        return running_deadlines(Ticket.get_by_id(ticket.id), now)


def test_every_running_deadline_is_shown_with_the_dmsu_reaction_deadline(app, make_ticket):
    unit("ARC", "level1")
    unit("UNICORE", "level2")
    ticket = make_ticket(
        5,
        priority="less urgent",
        events=[
            assigned(MON_10, "ARC"),
            {"at": "2013-02-11T09:30:00+00:00", "type": "involved", "support_unit": "ARC"},
            assigned("2013-02-11T10:00:00+00:00", "UNICORE"),
        ],
    )
    now = utc("2013-02-12T09:00:00+00:00")
    labels = [d.label for d in running_deadlines_at(app, ticket, now)]
    assert labels == [
        "ARC response (Level 1, severity 4)",
        "UNICORE response (Level 2, severity 4)",
    ]


def test_dmsu_reaction_deadline_on_a_ticket_in_dmsu(app, make_ticket):
    ticket = make_ticket(6, events=[assigned(MON_10, "DMSU")])
    (deadline,) = running_deadlines_at(app, ticket, utc("2013-02-15T09:00:00+00:00"))
    assert deadline.kind == "reaction"
    assert deadline.due_at == utc("2013-02-14T09:00:00+00:00")
    assert deadline.state == "violated" and deadline.remaining_hours == -8


def test_best_effort_units_have_no_deadline(app, make_ticket):
    unit("Ogsa-dai", "unspecified")
    ticket = make_ticket(7, events=[assigned(MON_10, "Ogsa-dai")])
    assert running_deadlines_at(app, ticket, utc("2013-06-01T00:00:00+00:00")) == []
    (outcome,) = response_outcomes([ticket], CAL)
    assert outcome.state == "best_effort" and outcome.due_at is None and not outcome.violated


def test_leaving_the_unit_before_the_deadline_withdraws_the_clock(app, make_ticket):
    unit("CREAM", "level2")
    ticket = make_ticket(
        8,
        events=[
            assigned(MON_10, "CREAM"),
            assigned("2013-02-12T09:00:00+00:00", "DMSU"),
        ],
    )
    (outcome,) = response_outcomes([ticket], CAL)
    assert outcome.state == "withdrawn" and not outcome.violated


def test_reassignment_is_a_new_clock_and_the_status_assigned_is_not_a_response(app, make_ticket):
    unit("CREAM", "level3")
    ticket = make_ticket(
        9,
        priority="urgent",
        events=[
            assigned(MON_10, "CREAM"),
            {"at": MON_10, "type": "status", "status": "assigned"},
            assigned("2013-02-25T09:00:00+00:00", "DMSU"),
            assigned("2013-02-26T09:00:00+00:00", "CREAM"),
            {"at": "2013-02-26T10:00:00+00:00", "type": "status", "status": "in progress"},
        ],
    )
    first, second = response_outcomes([ticket], CAL)
    assert first.state == "violated" and first.responded_at is None
    assert first.due_at == utc("2013-02-12T09:00:00+00:00")
    assert second.state == "met" and second.responded_at == utc("2013-02-26T10:00:00+00:00")


def test_status_changes_by_the_submitter_or_dmsu_are_not_the_units_response(app, make_ticket):
    unit("CREAM", "level2")
    ticket = make_ticket(
        10,
        events=[
            assigned(MON_10, "CREAM"),
            {
                "at": "2013-02-11T10:00:00+00:00",
                "type": "status",
                "status": "in progress",
                "author_role": "dmsu",
            },
            {
                "at": "2013-02-11T11:00:00+00:00",
                "type": "status",
                "status": "on hold",
                "author_role": "submitter",
            },
            {"at": "2013-02-11T12:00:00+00:00", "type": "comment", "author_role": "dmsu"},
        ],
    )
    (outcome,) = response_outcomes([ticket], CAL, now=utc("2013-02-12T09:00:00+00:00"))
    assert outcome.state == "running" and outcome.responded_at is None


@pytest.mark.parametrize("n", [300])
def test_outcomes_for_many_tickets_take_one_query_for_the_events(app, make_ticket, n):
    from dmsu.tickets.models import Ticket

    unit("CREAM", "level2")
    for i in range(n):
        make_ticket(
            1000 + i,
            events=[
                assigned(MON_10, "CREAM"),
                {"at": "2013-02-12T09:00:00+00:00", "type": "comment", "author_role": "third_line"},
            ],
        )
    with QueryCounter(at="execute_sql") as calls:
        outcomes = response_outcomes(Ticket.select(), CAL)
    assert len(outcomes) == n and all(o.state == "met" for o in outcomes)
    assert len(calls) == 3  # the tickets, the units, the events
