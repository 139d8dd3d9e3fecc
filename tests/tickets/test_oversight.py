"""The sweep's groups and due lists, computed in SQL from events (seeds 000 and 001)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dmsu.cheatsheet.models import Component
from dmsu.core.calendar import BusinessCalendar
from dmsu.tickets.oversight.groups import Settings, working_days_before
from dmsu.tickets.oversight.sweep import GROUPS, sweep, sweep_row
from dmsu.tickets.units import SupportUnit
from tests.support.queries import QueryCounter

CAL = BusinessCalendar()
# Thursday 2013-02-21 12:00 UTC (13:00 Amsterdam): a sweep meeting.
NOW = datetime(2013, 2, 21, 12, 0, tzinfo=UTC)


def settings(**kwargs) -> Settings:
    return Settings(now=kwargs.pop("now", NOW), calendar=CAL, **kwargs)


def groups_of(s: Settings | None = None) -> dict[str, list[int]]:
    return {g.group.key: [row["ggus_id"] for row in g.rows] for g in sweep(s or settings())}


def to(at, unit):
    return {"at": at, "type": "assigned", "support_unit": unit}


def test_working_days_before_counts_back_in_working_time():
    # 3 working days before Thursday 13:00 local is Monday 13:00 local (12:00 UTC).
    assert working_days_before(CAL, NOW, 3) == datetime(2013, 2, 18, 12, 0, tzinfo=UTC)
    # over a weekend: 3 working days before Tuesday 10:00 local is Thursday 10:00 local
    tuesday = datetime(2013, 2, 19, 9, 0, tzinfo=UTC)
    assert working_days_before(CAL, tuesday, 3) == datetime(2013, 2, 14, 9, 0, tzinfo=UTC)


def test_needs_reaction_after_three_working_days_without_a_supporter(app, make_ticket):
    make_ticket(1, events=[to("2013-02-18T11:00:00+00:00", "DMSU")])  # 3 wd + 1 h ago
    make_ticket(2, events=[to("2013-02-18T13:00:00+00:00", "DMSU")])  # not yet 3 wd
    make_ticket(
        3,
        events=[
            to("2013-02-01T09:00:00+00:00", "DMSU"),
            {"at": "2013-02-20T09:00:00+00:00", "type": "comment", "author_role": "dmsu"},
        ],
    )
    make_ticket(
        4,
        events=[
            to("2013-02-01T09:00:00+00:00", "DMSU"),
            # only the submitter and the system spoke since: no supporter's reaction
            {"at": "2013-02-20T09:00:00+00:00", "type": "comment", "author_role": "submitter"},
            {"at": "2013-02-20T10:00:00+00:00", "type": "status", "status": "in progress"},
        ],
    )
    assert groups_of()["needs-reaction"] == [4, 1]


def test_waiting_for_the_submitter_is_left_to_the_reminders(app, make_ticket):
    waiting = {"type": "status", "status": "waiting for reply", "author_role": "dmsu"}
    make_ticket(
        5,
        events=[
            to("2013-02-01T09:00:00+00:00", "DMSU"),
            {**waiting, "at": "2013-02-01T10:00:00+00:00"},
        ],
    )
    make_ticket(
        6,
        events=[
            to("2013-02-01T09:00:00+00:00", "DMSU"),
            {**waiting, "at": "2013-02-01T10:00:00+00:00"},
            {"at": "2013-02-05T10:00:00+00:00", "type": "comment", "author_role": "submitter"},
        ],
    )
    result = groups_of()
    assert result["needs-reaction"] == [6]  # the submitter answered, nobody reacted
    assert result["waiting-for-reply"] == [5, 6]


def test_waiting_rows_say_when_a_close_is_due(app, make_ticket):
    make_ticket(
        7,
        events=[
            to("2013-01-02T09:00:00+00:00", "DMSU"),
            {"at": "2013-01-02T10:00:00+00:00", "type": "status", "status": "waiting for reply"},
        ],
    )
    make_ticket(
        8,
        events=[
            to("2013-02-10T09:00:00+00:00", "DMSU"),
            {"at": "2013-02-10T10:00:00+00:00", "type": "status", "status": "waiting for reply"},
        ],
    )
    make_ticket(
        9,  # waiting only 3 days: not in the group
        events=[
            to("2013-02-18T09:00:00+00:00", "DMSU"),
            {"at": "2013-02-18T10:00:00+00:00", "type": "status", "status": "waiting for reply"},
        ],
    )
    (group,) = [g for g in sweep(settings()) if g.group.key == "waiting-for-reply"]
    rows = {row["ggus_id"]: row for row in group.rows}
    assert set(rows) == {7, 8}
    assert rows[7]["close_due"] and not rows[8]["close_due"]


def test_eta_lists_use_the_latest_eta_of_the_current_unit(app, make_ticket):
    SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2")
    at_cream = to("2013-01-07T09:00:00+00:00", "CREAM")
    make_ticket(
        10,
        events=[at_cream, {"at": "2013-01-08T09:00:00+00:00", "type": "eta", "due": "2013-02-25"}],
    )
    make_ticket(
        11,
        events=[
            at_cream,
            {"at": "2013-01-08T09:00:00+00:00", "type": "eta", "due": "2013-03-30"},
            # a revision: the latest ETA counts, earlier ones are kept
            {"at": "2013-02-01T09:00:00+00:00", "type": "eta", "due": "2013-02-20"},
        ],
    )
    make_ticket(
        12,
        events=[at_cream, {"at": "2013-01-08T09:00:00+00:00", "type": "eta", "due": "2013-04-01"}],
    )
    make_ticket(13, events=[to("2013-02-18T09:00:00+00:00", "CREAM")])  # no ETA, 3 wd only
    make_ticket(14, events=[to("2013-02-11T09:00:00+00:00", "CREAM")])  # no ETA, 8 wd
    make_ticket(
        15,  # an ETA given to another unit before the reassignment does not count
        events=[
            to("2013-01-01T09:00:00+00:00", "dCache"),
            {"at": "2013-01-02T09:00:00+00:00", "type": "eta", "due": "2013-02-22"},
            to("2013-02-01T09:00:00+00:00", "CREAM"),
        ],
    )
    result = groups_of()
    assert result["eta-this-week"] == [10]
    assert result["eta-expired"] == [11]
    assert result["no-eta"] == [15, 14]


def test_on_hold_postponed_umd_and_third_line_stale(app, make_ticket):
    SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2")
    make_ticket(
        20,
        events=[
            to("2013-02-19T09:00:00+00:00", "DMSU"),
            {
                "at": "2013-02-19T10:00:00+00:00",
                "type": "status",
                "status": "on hold",
                "author_role": "dmsu",
            },
        ],
    )
    make_ticket(21, postponed=True, events=[to("2013-02-20T09:00:00+00:00", "DMSU")])
    make_ticket(22, fixed_version="1.2", events=[to("2013-01-10T09:00:00+00:00", "UMD release")])
    make_ticket(23, fixed_version="1.3", events=[to("2013-02-10T09:00:00+00:00", "UMD release")])
    make_ticket(24, events=[to("2012-12-01T09:00:00+00:00", "CREAM")])  # 82 days
    make_ticket(25, events=[to("2013-01-01T09:00:00+00:00", "CREAM")])  # 51 days
    make_ticket(
        26,  # closed tickets are nowhere but in the digest group
        events=[
            to("2012-12-01T09:00:00+00:00", "CREAM"),
            {"at": "2013-01-01T09:00:00+00:00", "type": "status", "status": "closed"},
        ],
    )
    make_ticket(27, events=[to("2013-01-01T09:00:00+00:00", "TPM")])  # not in DMSU's care
    result = groups_of()
    assert result["on-hold"] == [20]
    assert result["postponed"] == [21]
    assert result["umd-release"] == [22]
    assert result["third-line-stale"] == [24]
    everywhere = {ggus for ids in result.values() for ggus in ids}
    assert 26 not in everywhere and 27 not in everywhere


def test_umd_release_rows_show_the_version_seen_in_testing(app, make_ticket):
    """Issue 22: a ticket waiting in UMD release too long shows the component release
    delivered to UMD (a testing channel), if there is one, and nothing once it is verified."""
    from dmsu.tickets.models import Release

    events = [to("2013-01-10T09:00:00+00:00", "UMD release")]
    make_ticket(22, fixed_version="1.2", component="CREAM CE", events=events)
    make_ticket(23, fixed_version="1.2", component="BDII", events=events)
    cream = Component.get(Component.name == "CREAM CE")
    Release.create(component=cream, version="1.2-1.el9", status="verified", recorded_at=NOW)
    Release.create(component=cream, version="1.3-1.el9", status="delivered", recorded_at=NOW)

    def versions():
        (group,) = [g for g in sweep(settings()) if g.group.key == "umd-release"]
        return {row["ggus_id"]: row["testing_version"] for row in group.rows}

    assert versions() == {22: "1.3-1.el9", 23: None}
    Release.update(status="verified").where(Release.version == "1.3-1.el9").execute()
    assert versions() == {22: None, 23: None}


def test_solution_digest_to_write_until_a_page_or_a_digest_event(app, make_ticket):
    from dmsu.wiki.models import Page

    solved = [
        to("2013-01-01T09:00:00+00:00", "CREAM"),
        {"at": "2013-02-01T09:00:00+00:00", "type": "status", "status": "solved"},
    ]
    make_ticket(30, lack_of_expertise=True, events=solved)
    linked = make_ticket(31, lack_of_expertise=True, events=solved)
    Page.create(slug="solution-31", title="Solution 31", ticket=linked)
    make_ticket(
        32,
        lack_of_expertise=True,
        events=[*solved, {"at": "2013-02-02T09:00:00+00:00", "type": "digest", "text": "dup"}],
    )
    make_ticket(33, lack_of_expertise=False, events=solved)
    make_ticket(34, lack_of_expertise=True, events=solved[:1])  # still open
    assert groups_of()["digest-to-write"] == [30]


def test_a_row_shows_component_unit_assignee_and_age(app, make_ticket, make_user):
    alice = make_user("resolver", "alice", display_name="Alice R")
    make_ticket(
        40,
        subject="BDII crashes",
        component="BDII top",
        assignee=alice,
        events=[to("2013-02-01T09:00:00+00:00", "DMSU")],
    )
    (row,) = [g for g in sweep(settings()) if g.group.key == "needs-reaction"][0].rows
    assert row["subject"] == "BDII crashes" and row["component_name"] == "BDII top"
    assert row["unit_name"] == "DMSU" and row["assignee_name"] == "Alice R"
    assert row["age_days"] == 20
    assert row["last_reaction"] == datetime(2013, 2, 1, 9, 0, tzinfo=UTC)


def test_sweep_row_rereads_one_ticket(app, make_ticket):
    ticket = make_ticket(41, events=[to("2013-02-01T09:00:00+00:00", "DMSU")])
    assert sweep_row("needs-reaction", ticket, settings())["ggus_id"] == 41
    assert sweep_row("on-hold", ticket, settings()) is None


@pytest.mark.parametrize("n", [40])
def test_the_sweep_costs_a_fixed_number_of_queries(app, make_ticket, n):
    SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2")

    def count_queries():
        with QueryCounter(at="execute_sql") as counter:
            sweep(settings(), limit=5)
        return len(counter)

    for i in range(3):
        make_ticket(100 + i, events=[to("2013-01-01T09:00:00+00:00", "CREAM")])
    few = count_queries()
    for i in range(n):
        make_ticket(200 + i, events=[to("2013-01-01T09:00:00+00:00", "CREAM")])
        make_ticket(300 + i, events=[to("2013-01-01T09:00:00+00:00", "DMSU")])
    assert count_queries() <= few + len(GROUPS)  # at most one count query more per group
    assert few <= 2 * len(GROUPS) + 1
