"""The 3rd-line backlog (seed 001: "about 100 tickets assigned to third level support teams in
an open state older than two months"), SLA violations per product team, per-product weighting."""

from __future__ import annotations

from datetime import UTC, datetime

from dmsu.metrics.backlog import third_line_backlog
from dmsu.metrics.page import sla_table
from dmsu.metrics.per_product import per_product
from dmsu.metrics.periods import parse_period
from dmsu.metrics.queries import unit_ids


def a(at, unit):
    return {"at": at, "type": "assigned", "support_unit": unit}


def test_the_backlog_counts_open_tickets_at_the_3rd_line_by_age(app, make_ticket):
    make_ticket(
        1, events=[a("2012-05-01T09:00:00+00:00", "DMSU"), a("2012-05-01T10:00:00+00:00", "CREAM")]
    )
    make_ticket(
        2, events=[a("2012-07-25T09:00:00+00:00", "DMSU"), a("2012-07-25T10:00:00+00:00", "CREAM")]
    )
    # Exactly 61 days before the snapshot: not older than 61 days.
    make_ticket(3, events=[a("2012-06-01T00:00:00+00:00", "dCache")])
    make_ticket(  # solved at the 3rd line: not open
        4,
        events=[
            a("2012-05-01T09:00:00+00:00", "CREAM"),
            {"at": "2012-05-09T09:00:00+00:00", "type": "status", "status": "solved"},
        ],
    )
    make_ticket(  # back in DMSU: not at the 3rd line
        5, events=[a("2012-05-01T09:00:00+00:00", "CREAM"), a("2012-05-02T09:00:00+00:00", "DMSU")]
    )
    make_ticket(  # reopened after a close: open again
        6,
        events=[
            a("2012-03-01T09:00:00+00:00", "ARC"),
            {"at": "2012-03-09T09:00:00+00:00", "type": "status", "status": "closed"},
            {"at": "2012-03-19T09:00:00+00:00", "type": "status", "status": "reopened"},
        ],
    )
    make_ticket(7, events=[a("2012-08-05T09:00:00+00:00", "CREAM")])  # after the snapshot
    with app.app_context():
        backlog = third_line_backlog(datetime(2012, 8, 1, tzinfo=UTC), unit_ids(), 61)
    assert dict(backlog.buckets) == {
        "up to a week": 1,
        "1 to 4 weeks": 0,
        "4 weeks to 61 days": 1,
        "over 61 days, up to 6 months": 2,
        "over 6 months": 0,
    }
    assert backlog.total == 4
    assert backlog.stale == 2
    assert backlog.per_unit == [("CREAM", 2, 1), ("ARC", 1, 1), ("dCache", 1, 0)]


def test_per_product_counts_the_tickets_assigned_to_dmsu_by_category(app, make_ticket):
    from dmsu.cheatsheet.models import Component

    for n, category in enumerate(["incident", "incident", "documentation"], 1):
        make_ticket(
            n,
            events=[a("2012-05-03T09:00:00+00:00", "DMSU")],
            component="dCache",
            category=category,
        )
    make_ticket(9, events=[a("2012-05-03T09:00:00+00:00", "DMSU")], component="VOMS")
    make_ticket(10, events=[a("2012-05-03T09:00:00+00:00", "TPM")], component="VOMS")  # not DMSU
    make_ticket(11, events=[a("2012-09-03T09:00:00+00:00", "DMSU")], component="VOMS")  # PQ10
    with app.app_context():
        Component.update(deployment_size=150).where(Component.name == "dCache").execute()
        rows = per_product(parse_period("PQ9"))
    dcache, voms = rows
    assert (dcache.name, dcache.total, dcache.by_category["incident"]) == ("dCache", 3, 2)
    assert dcache.per_100_instances == 2.0
    assert (voms.name, voms.total, voms.by_category["uncategorised"]) == ("VOMS", 1, 1)
    assert voms.per_100_instances is None


def test_sla_violations_per_product_team(app, make_ticket):
    from dmsu.tickets.units import SupportUnit

    with app.app_context():
        SupportUnit.create(name="CREAM", kind="third_line", sla_level="level1")
    # Monday 2012-05-07: no response from the unit for weeks → violated.
    make_ticket(
        1,
        priority="urgent",
        events=[a("2012-05-07T09:00:00+00:00", "DMSU"), a("2012-05-07T10:00:00+00:00", "CREAM")],
    )
    # Answered by the unit an hour later → met.
    make_ticket(
        2,
        priority="urgent",
        events=[
            a("2012-05-07T09:00:00+00:00", "DMSU"),
            a("2012-05-07T10:00:00+00:00", "CREAM"),
            {
                "at": "2012-05-07T11:00:00+00:00",
                "type": "comment",
                "author_role": "third_line",
                "text": "Looking.",
            },
        ],
    )
    with app.app_context():
        table = sla_table(parse_period("PQ9"), app.config, datetime(2013, 1, 1, tzinfo=UTC))
    row = dict(zip(table.columns, table.rows[0], strict=True))
    assert row["3rd-line unit"] == "CREAM"
    assert (row["Assignments"], row["Met"], row["Violated"]) == (2, 1, 1)
    assert row["Violated (%)"] == 50.0


def test_eta_accuracy_per_product_team(app, make_ticket):
    from dmsu.metrics.page import page_tables
    from dmsu.metrics.report import period_metrics, project_start
    from tests.support.records import eta

    solved = {"type": "status", "status": "solved"}
    # CREAM solves by its initial ETA.
    make_ticket(
        1,
        events=[
            a("2012-05-07T09:00:00+00:00", "DMSU"),
            a("2012-05-07T10:00:00+00:00", "CREAM"),
            eta("2012-05-08T10:00:00+00:00", "2012-05-20"),
            {**solved, "at": "2012-05-20T23:00:00+00:00"},
        ],
    )
    # dCache revises its ETA and sends the fix to UMD release five days after the final one.
    make_ticket(
        2,
        events=[
            a("2012-05-07T09:00:00+00:00", "dCache"),
            eta("2012-05-08T10:00:00+00:00", "2012-05-15"),
            eta("2012-05-16T10:00:00+00:00", "2012-06-01"),
            a("2012-06-06T10:00:00+00:00", "UMD release"),
        ],
    )
    # dCache again, within a month of its ETA; a later solve in UMD release is not a new fix.
    make_ticket(
        3,
        events=[
            a("2012-05-07T09:00:00+00:00", "dCache"),
            eta("2012-05-08T10:00:00+00:00", "2012-05-15"),
            {**solved, "at": "2012-06-10T10:00:00+00:00"},
            a("2012-06-11T10:00:00+00:00", "UMD release"),
        ],
    )
    # Fixed after the quarter: not counted.
    make_ticket(
        4,
        events=[
            a("2012-05-07T09:00:00+00:00", "CREAM"),
            eta("2012-05-08T10:00:00+00:00", "2012-05-15"),
            {**solved, "at": "2012-08-02T10:00:00+00:00"},
        ],
    )
    with app.app_context():
        period = parse_period("PQ9")
        table = page_tables(period, app.config, datetime(2013, 1, 1, tzinfo=UTC))["eta-per-team"]
        total = period_metrics(period, "none", project_start(app.config))["total"]
    rows = [dict(zip(table.columns, row, strict=True)) for row in table.rows]
    assert [(r["Product team"], r["Fixes with an ETA"]) for r in rows] == [
        ("dCache", 2),
        ("CREAM", 1),
    ]
    assert sum(r["Fixes with an ETA"] for r in rows) == total["eta_fixes"] == 3
    dcache, cream = rows
    assert (cream["By the initial ETA (%)"], cream["By the final ETA (%)"]) == (100.0, 100.0)
    assert dcache["By the initial ETA (%)"] == dcache["By the final ETA (%)"] == 0.0
    assert (dcache["Within a week (%)"], dcache["Within a month (%)"]) == (50.0, 100.0)
    exported = app.test_client().get("/metrics/eta-per-team.csv?period=PQ9")
    assert exported.status_code == 200
    assert "dCache,2,0.0,0.0,50.0,100.0" in exported.get_data(as_text=True)
    page = app.test_client().get("/metrics/?period=PQ9").get_data(as_text=True)
    assert 'id="table-eta-per-team"' in page
