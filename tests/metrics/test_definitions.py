"""The ticket-flow definitions of issue 8, pinned on hand-built event histories.

Every test builds the events of a few tickets and checks the numbers of a period; the same
tests run on SQLite and on PostgreSQL (DMSU_TEST_DATABASE_URL) and must give the same numbers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dmsu.core.cache.registry import clear_all
from dmsu.metrics.periods import parse_period
from dmsu.metrics.report import period_metrics
from dmsu.tickets.models import Ticket
from dmsu.tickets.units import SupportUnit
from tests.support.events import write_event
from tests.support.records import assigned, eta, status

START = date(2010, 5, 1)


@pytest.fixture
def numbers(app):
    """``numbers("PQ9")`` → the total of PQ9; ``numbers("PY3", "quarter")`` → the whole dict."""

    def compute(name: str, by: str = "none"):
        with app.app_context():
            result = period_metrics(parse_period(name), by, START)
        return result if by != "none" else result["total"]

    return compute


# -- periods and time zones -----------------------------------------------------------------


def test_an_assignment_just_before_midnight_utc_counts_in_the_quarter_it_ends(make_ticket, numbers):
    # 2012-08-01T01:30+02:00 is 2012-07-31T23:30Z: still PQ9 (which ends 2012-08-01 00:00 UTC).
    make_ticket(1, events=[assigned("2012-08-01T01:30:00+02:00", "DMSU")])
    # 2012-05-01T01:30+02:00 is 2012-04-30T23:30Z: PQ8, not PQ9.
    make_ticket(2, events=[assigned("2012-05-01T01:30:00+02:00", "DMSU")])
    # 2012-07-31T20:30-04:00 is 2012-08-01T00:30Z: PQ10.
    make_ticket(3, events=[assigned("2012-07-31T20:30:00-04:00", "DMSU")])
    assert numbers("PQ9")["assigned_to_dmsu"] == 1
    assert numbers("PQ8")["assigned_to_dmsu"] == 1
    assert numbers("PQ10")["assigned_to_dmsu"] == 1
    by_quarter = numbers("PY3", "quarter")
    assert [p["assigned_to_dmsu"] for p in by_quarter["periods"]] == [1, 1, 0, 0]
    assert by_quarter["total"]["assigned_to_dmsu"] == 2


def test_a_ticket_assigned_twice_in_a_period_counts_once(make_ticket, numbers):
    make_ticket(
        1,
        events=[
            assigned("2012-05-02T09:00:00+00:00", "DMSU"),
            assigned("2012-05-03T09:00:00+00:00", "TPM"),
            assigned("2012-06-03T09:00:00+00:00", "DMSU"),
        ],
    )
    assert numbers("PQ9")["assigned_to_dmsu"] == 1
    months = numbers("PQ9", "month")["periods"]
    assert [m["assigned_to_dmsu"] for m in months] == [1, 1, 0]


# -- reassignment loops and "straight from DMSU" -----------------------------------------------


def test_a_loop_dmsu_third_line_dmsu_third_line_counts_once_from_the_first_assignment(
    make_ticket, numbers
):
    make_ticket(
        1,
        events=[
            assigned("2012-05-02T09:00:00+00:00", "TPM"),
            assigned("2012-05-02T10:00:00+00:00", "DMSU"),
            assigned("2012-05-02T16:00:00+00:00", "CREAM"),  # 6 h after DMSU
            assigned("2012-05-10T09:00:00+00:00", "DMSU"),
            assigned("2012-05-10T11:00:00+00:00", "CREAM"),  # 2 h, not counted again
        ],
    )
    result = numbers("PQ9")
    assert result["assigned_to_dmsu"] == 1
    assert result["assigned_to_third_line"] == 1
    assert result["reassign_hours_mean"] == 6.0
    assert result["reassign_hours_median"] == 6.0


def test_the_second_third_line_assignment_counts_in_the_next_period(make_ticket, numbers):
    make_ticket(
        1,
        events=[
            assigned("2012-07-30T09:00:00+00:00", "DMSU"),
            assigned("2012-07-30T12:00:00+00:00", "dCache"),
            assigned("2012-08-02T09:00:00+00:00", "DMSU"),
            assigned("2012-08-02T09:30:00+00:00", "dCache"),
        ],
    )
    year = numbers("PY3", "quarter")
    pq9, pq10 = year["periods"][:2]
    assert (pq9["assigned_to_third_line"], pq9["reassign_hours_mean"]) == (1, 3.0)
    assert (pq10["assigned_to_third_line"], pq10["reassign_hours_mean"]) == (1, 0.5)
    assert (year["total"]["assigned_to_third_line"], year["total"]["reassign_hours_mean"]) == (
        1,
        3.0,
    )


def test_only_assignments_straight_from_dmsu_count_as_reassigned(make_ticket, numbers):
    # TPM → DMSU → TPM: reassigned to TPM.
    make_ticket(
        1,
        events=[
            assigned("2012-05-02T09:00:00+00:00", "TPM"),
            assigned("2012-05-02T10:00:00+00:00", "DMSU"),
            assigned("2012-05-03T10:00:00+00:00", "TPM"),
        ],
    )
    # DMSU → CREAM → TPM: to the 3rd line, but not back to TPM straight from DMSU.
    make_ticket(
        2,
        events=[
            assigned("2012-05-02T09:00:00+00:00", "DMSU"),
            assigned("2012-05-02T10:00:00+00:00", "CREAM"),
            assigned("2012-05-03T10:00:00+00:00", "TPM"),
        ],
    )
    # TPM → CREAM (never in DMSU) and a first assignment to TPM: neither counts.
    make_ticket(
        3,
        events=[
            assigned("2012-05-02T09:00:00+00:00", "TPM"),
            assigned("2012-05-02T10:00:00+00:00", "CREAM"),
        ],
    )
    result = numbers("PQ9")
    assert result["reassigned_to_tpm"] == 1
    assert result["assigned_to_third_line"] == 1
    assert result["assigned_to_dmsu"] == 2


def test_the_unit_before_comes_from_the_events_not_from_the_stored_from_unit(app, numbers):
    """Events written out of time order (ids not in time order) and with a wrong
    ``from_unit``: the unit before is the previous assignment by time."""
    with app.app_context():
        dmsu = SupportUnit.named("DMSU")
        tpm = SupportUnit.named("TPM")
        cream = SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2")
        ticket = Ticket.create(ggus_id=7, subject="x", created_at=datetime(2012, 5, 2, tzinfo=UTC))

        def event(day, hour, kind, unit=None, wrong_from=None, status_value=None):
            write_event(
                ticket=ticket,
                at=datetime(2012, 5, day, hour, tzinfo=UTC),
                kind=kind,
                support_unit=unit,
                from_unit=wrong_from,
                status=status_value,
            )

        # Written newest first; every from_unit claims "TPM".
        event(9, 9, "status", status_value="solved")
        event(4, 9, "assigned", tpm, wrong_from=tpm)  # really from CREAM
        event(3, 9, "assigned", cream, wrong_from=tpm)  # really from DMSU
        event(8, 9, "assigned", dmsu, wrong_from=tpm)  # really from TPM
        event(2, 9, "assigned", dmsu, wrong_from=tpm)  # really the first
    result = numbers("PQ9")
    assert result["assigned_to_dmsu"] == 1
    assert result["assigned_to_third_line"] == 1
    assert result["reassign_hours_mean"] == 24.0
    assert result["reassigned_to_tpm"] == 0
    assert result["solved_by_dmsu"] == 1
    assert result["solve_days_mean"] == 1.0  # from the DMSU assignment of the 8th


def test_events_at_the_same_second_keep_their_recorded_order(app, numbers):
    with app.app_context():
        dmsu, cream = (
            SupportUnit.named("DMSU"),
            SupportUnit.create(name="CREAM", kind="third_line"),
        )
        ticket = Ticket.create(ggus_id=8, subject="x", created_at=datetime(2012, 5, 2, tzinfo=UTC))
        moment = datetime(2012, 5, 2, 9, tzinfo=UTC)
        write_event(ticket=ticket, at=moment, kind="assigned", support_unit=dmsu)
        write_event(ticket=ticket, at=moment, kind="status", status="solved")
        write_event(ticket=ticket, at=moment, kind="assigned", support_unit=cream)
    result = numbers("PQ9")
    assert (result["solved_by_dmsu"], result["solve_days_mean"]) == (1, 0.0)
    assert (result["assigned_to_third_line"], result["reassign_hours_median"]) == (1, 0.0)


# -- solved by DMSU and the time to solve -----------------------------------------------------


def test_solve_time_runs_from_the_latest_assignment_to_dmsu_before_the_solve(make_ticket, numbers):
    make_ticket(
        1,
        events=[
            assigned("2012-05-01T09:00:00+00:00", "DMSU"),
            assigned("2012-05-02T09:00:00+00:00", "CREAM"),
            assigned("2012-05-11T09:00:00+00:00", "DMSU"),
            status("2012-05-13T21:00:00+00:00", "solved"),  # 2.5 days after the 11th
        ],
    )
    result = numbers("PQ9")
    assert result["solved_by_dmsu"] == 1
    assert result["solve_days_mean"] == 2.5
    assert result["solve_days_median"] == 2.5


def test_solved_outside_dmsu_or_closed_without_solving_is_not_solved_by_dmsu(make_ticket, numbers):
    make_ticket(  # solved while at the 3rd line
        1,
        events=[
            assigned("2012-05-01T09:00:00+00:00", "DMSU"),
            assigned("2012-05-02T09:00:00+00:00", "CREAM"),
            status("2012-05-05T09:00:00+00:00", "solved"),
        ],
    )
    make_ticket(  # closed (and unsolved) in DMSU, never solved
        2,
        events=[
            assigned("2012-05-01T09:00:00+00:00", "DMSU"),
            status("2012-05-03T09:00:00+00:00", "unsolved"),
            status("2012-05-04T09:00:00+00:00", "closed"),
        ],
    )
    make_ticket(3, events=[status("2012-05-05T09:00:00+00:00", "solved")])  # in no unit
    make_ticket(  # solved at TPM after DMSU sent it back
        4,
        events=[
            assigned("2012-05-01T09:00:00+00:00", "DMSU"),
            assigned("2012-05-01T10:00:00+00:00", "TPM"),
            status("2012-05-02T09:00:00+00:00", "solved"),
        ],
    )
    result = numbers("PQ9")
    assert result["solved_by_dmsu"] == 0
    assert result["solve_days_mean"] is None
    assert result["solve_days_median"] is None
    assert result["assigned_to_dmsu"] == 3


def test_a_ticket_solved_twice_counts_once_with_its_first_solve(make_ticket, numbers):
    make_ticket(
        1,
        events=[
            assigned("2012-05-01T00:00:00+00:00", "DMSU"),
            status("2012-05-02T00:00:00+00:00", "solved"),
            status("2012-05-03T00:00:00+00:00", "reopened"),
            status("2012-05-11T00:00:00+00:00", "solved"),
        ],
    )
    result = numbers("PQ9")
    assert (result["solved_by_dmsu"], result["solve_days_mean"]) == (1, 1.0)


def test_mean_and_median_are_rounded_half_up_and_null_without_tickets(make_ticket, numbers):
    # Solve times of 1, 2, 4 and 10.25 days: mean 4.3125 → 4.3, median (2 + 4) / 2 = 3.0.
    for ggus_id, solved_at in enumerate(
        ["2012-05-02T00:00", "2012-05-03T00:00", "2012-05-05T00:00", "2012-05-11T06:00"], 1
    ):
        make_ticket(
            ggus_id,
            events=[
                assigned("2012-05-01T00:00:00+00:00", "DMSU"),
                status(f"{solved_at}:00+00:00", "solved"),
            ],
        )
    # Reassignment after 1 h, 2 h and 2 h 20 min: mean 1.7777… → 1.78, median 2.0.
    for ggus_id, minutes in ((11, 60), (12, 120), (13, 140)):
        make_ticket(
            ggus_id,
            events=[
                assigned("2012-06-01T00:00:00+00:00", "DMSU"),
                assigned(f"2012-06-01T{minutes // 60:02d}:{minutes % 60:02d}:00+00:00", "ARC"),
            ],
        )
    result = numbers("PQ9")
    assert (result["solve_days_mean"], result["solve_days_median"]) == (4.3, 3.0)
    assert (result["reassign_hours_mean"], result["reassign_hours_median"]) == (1.78, 2.0)
    assert numbers("PQ10")["solve_days_mean"] is None
    assert numbers("PQ10")["reassign_hours_median"] is None


# -- ETA accuracy ---------------------------------------------------------------------------


def eta_ticket(make_ticket, ggus_id, etas, fix_at, fix="umd", extra=()):
    events = [
        assigned("2012-05-01T09:00:00+00:00", "DMSU"),
        assigned("2012-05-01T10:00:00+00:00", "CREAM"),
        *etas,
        *extra,
    ]
    if fix == "umd":
        events.append(assigned(fix_at, "UMD release"))
    else:
        events.append(status(fix_at, "solved"))
    return make_ticket(ggus_id, events=events)


def test_eta_initial_and_final_and_the_end_of_the_due_day(make_ticket, numbers):
    revised = [
        eta("2012-05-02T09:00:00+00:00", "2012-06-10"),
        eta("2012-06-05T09:00:00+00:00", "2012-06-20"),
    ]
    # Fixed after the initial ETA, on the last second of the final ETA's day.
    eta_ticket(make_ticket, 1, revised, "2012-06-20T23:59:59+00:00")
    # Fixed at midnight after the final ETA's day: late, but within a week.
    eta_ticket(make_ticket, 2, revised, "2012-06-21T00:00:00+00:00")
    # Fixed by the initial ETA (given in another time zone: 2012-06-10T23:30Z).
    eta_ticket(make_ticket, 3, revised[:1], "2012-06-11T01:30:00+02:00", fix="solved")
    result = numbers("PQ9")
    assert result["eta_fixes"] == 3
    assert result["eta_by_initial"] == 1
    assert result["eta_by_revised"] == 2
    assert result["eta_within_week"] == 3
    assert result["eta_within_month"] == 3


def test_eta_within_a_week_and_a_month_after_the_final_eta(make_ticket, numbers):
    due = [eta("2012-05-02T09:00:00+00:00", "2012-06-01")]
    eta_ticket(make_ticket, 1, due, "2012-06-08T23:59:59+00:00")  # due + 7 days: in a week
    eta_ticket(make_ticket, 2, due, "2012-06-09T00:00:00+00:00")  # a week late: in a month
    eta_ticket(make_ticket, 3, due, "2012-07-01T23:59:59+00:00")  # due + 30 days: in a month
    eta_ticket(make_ticket, 4, due, "2012-07-02T00:00:00+00:00")  # later than a month
    result = numbers("PQ9")
    assert result["eta_fixes"] == 4
    assert result["eta_by_revised"] == 0
    assert result["eta_within_week"] == 1
    assert result["eta_within_month"] == 3


def test_what_counts_as_the_fix(make_ticket, numbers):
    # A UMD release assignment before the first ETA is not the fix; the later one is.
    eta_ticket(
        make_ticket,
        1,
        [eta("2012-05-05T09:00:00+00:00", "2012-05-20")],
        "2012-05-18T09:00:00+00:00",
        extra=[
            assigned("2012-05-03T09:00:00+00:00", "UMD release"),
            assigned("2012-05-04T09:00:00+00:00", "CREAM"),
        ],
    )
    # Solved while in DMSU after the ETA: not a fix (the fix must be at the 3rd line).
    make_ticket(
        2,
        events=[
            assigned("2012-05-01T09:00:00+00:00", "DMSU"),
            assigned("2012-05-01T10:00:00+00:00", "CREAM"),
            eta("2012-05-02T09:00:00+00:00", "2012-05-20"),
            assigned("2012-05-03T09:00:00+00:00", "DMSU"),
            status("2012-05-04T09:00:00+00:00", "solved"),
        ],
    )
    # An ETA recorded after the fix does not become the final ETA.
    eta_ticket(
        make_ticket,
        3,
        [
            eta("2012-05-02T09:00:00+00:00", "2012-05-10"),
            eta("2012-05-30T09:00:00+00:00", "2012-06-30"),
        ],
        "2012-05-25T09:00:00+00:00",
    )
    # No ETA at all: not counted.
    eta_ticket(make_ticket, 4, [], "2012-05-25T09:00:00+00:00")
    result = numbers("PQ9")
    assert result["eta_fixes"] == 2
    assert result["eta_by_initial"] == 1
    assert result["eta_by_revised"] == 1
    assert result["eta_within_week"] == 1
    assert result["eta_within_month"] == 2


def test_an_eta_fix_counts_in_the_period_it_arrives_in(make_ticket, numbers):
    eta_ticket(
        make_ticket,
        1,
        [eta("2012-07-02T09:00:00+00:00", "2012-08-15")],
        "2012-08-10T09:00:00+00:00",
    )
    year = numbers("PY3", "quarter")
    assert [p["eta_fixes"] for p in year["periods"]] == [0, 1, 0, 0]
    assert year["total"]["eta_by_initial"] == 1


# -- the shape and the cache ----------------------------------------------------------------


def test_the_json_shape_of_a_year_by_quarter(make_ticket, numbers):
    make_ticket(1, events=[assigned("2012-05-02T09:00:00+00:00", "DMSU")])
    result = numbers("PY3", "quarter")
    assert list(result) == ["periods", "total"]
    assert [(p["name"], p["start"], p["end"]) for p in result["periods"]] == [
        ("PQ9", "2012-05-01", "2012-08-01"),
        ("PQ10", "2012-08-01", "2012-11-01"),
        ("PQ11", "2012-11-01", "2013-02-01"),
        ("PQ12", "2013-02-01", "2013-05-01"),
    ]
    keys = [
        "name",
        "start",
        "end",
        "assigned_to_dmsu",
        "solved_by_dmsu",
        "reassigned_to_tpm",
        "assigned_to_third_line",
        "solve_days_mean",
        "solve_days_median",
        "reassign_hours_mean",
        "reassign_hours_median",
        "eta_fixes",
        "eta_by_initial",
        "eta_by_revised",
        "eta_within_week",
        "eta_within_month",
    ]
    assert all(list(p) == keys for p in result["periods"])
    assert list(result["total"]) == keys
    assert result["total"]["name"] == "PY3"


def test_new_events_invalidate_the_cached_numbers(app, make_ticket, numbers):
    ticket = make_ticket(1, events=[assigned("2012-05-02T09:00:00+00:00", "DMSU")])
    assert numbers("PQ9")["solved_by_dmsu"] == 0
    with app.app_context():
        write_event(
            ticket=ticket, at=datetime(2012, 5, 3, tzinfo=UTC), kind="status", status="solved"
        )
    assert numbers("PQ9")["solved_by_dmsu"] == 1
    with app.app_context():
        clear_all()
    assert numbers("PQ9")["solved_by_dmsu"] == 1
