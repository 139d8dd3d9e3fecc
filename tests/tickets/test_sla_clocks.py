"""The stored SLA clocks (dmsu/tickets/sla_clocks.py) give the SLA section exactly what the
rules of dmsu/tickets/sla.py give when they are run over the events as of the instant asked
for: for any history, any period and any instant, after an import in any order, a
re-import, workflow writes, a changed SLA level, priority or calendar, and the migration."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dmsu.core import schema
from dmsu.core.calendar import BusinessCalendar
from dmsu.core.db import database, is_postgres
from dmsu.metrics import sla_report
from dmsu.metrics.periods import parse_period
from dmsu.metrics.sla_report import SlaRow, sla_by_unit
from dmsu.tickets.exchange.importer import import_records
from dmsu.tickets.exchange.records import validate_ticket
from dmsu.tickets.models import SlaClock, Ticket
from dmsu.tickets.sla import stored_clocks as sla_clocks
from dmsu.tickets.sla.rules import response_outcomes
from dmsu.tickets.units import SupportUnit

START = datetime(2013, 2, 11, 9, tzinfo=UTC)  # a Monday
LEVELS = {"CREAM": "legacy", "dCache": "level2", "WMS": "level3", "ARC": "unspecified"}
UNITS = ("TPM", "DMSU", *LEVELS)
WHAT = (*UNITS, "unit comment", "dmsu comment", "in progress", "waiting for reply", "solved",
        "closed", "involve CREAM", "uninvolve CREAM")  # fmt: skip
PRIORITIES = ("less urgent", "urgent", "very urgent", "top priority")


def make_units():
    kinds = {"TPM": "first_line", "DMSU": "dmsu"}
    for name in UNITS:
        SupportUnit.get_or_create(
            name=name,
            defaults={"kind": kinds.get(name, "third_line"), "sla_level": LEVELS.get(name, "")},
        )


def event(hours: float, what: str) -> dict:
    at = (START + timedelta(hours=hours)).isoformat()
    if what in UNITS:
        return {"at": at, "type": "assigned", "support_unit": what}
    if what == "unit comment":
        return {"at": at, "type": "comment", "author_role": "third_line", "text": "On it."}
    if what == "dmsu comment":
        return {"at": at, "type": "comment", "author_role": "dmsu", "text": "Noted."}
    if what.startswith(("involve", "uninvolve")):
        kind, unit = what.split()
        return {"at": at, "type": f"{kind}d", "support_unit": unit}
    return {"at": at, "type": "status", "status": what}


def record(ggus_id: int, priority: str, events: list[dict]):
    return validate_ticket(
        {"ggus_id": ggus_id, "subject": f"T{ggus_id}", "created_at": START.isoformat(),
         "priority": priority, "events": events}
    )  # fmt: skip


def oracle(period, config, as_of) -> list[SlaRow]:
    """The SLA table straight from the rules run over every ticket's events as of
    ``as_of`` (what the section computed before the clocks were stored)."""
    calendar = BusinessCalendar.from_config(config)
    tally: dict = defaultdict(lambda: defaultdict(int))
    for outcome in response_outcomes(Ticket.select(), calendar, now=as_of):
        if period.start <= outcome.assigned_at < period.end:
            state = {"running": "pending", "paused": "pending"}.get(outcome.state, outcome.state)
            tally[(outcome.unit_name, outcome.sla_level)][state] += 1
    rows = [
        SlaRow(name, level, sum(c.values()), c["met"], c["violated"], c["pending"],
               c["best_effort"], c["withdrawn"])
        for (name, level), c in tally.items()
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (-r.violated, -r.assignments, r.unit_name.lower()))


def stored_rows() -> list[tuple]:
    query = SlaClock.select().order_by(SlaClock.ticket, SlaClock.seq)
    return [
        (c.ticket_id, c.seq, c.unit_id, c.started_at, c.level, c.priority, c.calendar,
         c.hours, c.due_at, c.stop_at, c.outcome)
        for c in query
    ]  # fmt: skip


def period_of(first_day: int, days: int):
    start = (START + timedelta(days=first_day)).date()
    return parse_period(f"{start}..{start + timedelta(days=days)}")


tickets_strategy = st.lists(
    st.tuples(
        st.sampled_from(PRIORITIES),
        st.lists(
            st.tuples(st.integers(0, 24 * 25), st.sampled_from(WHAT)), min_size=1, max_size=10
        ),
    ),  # fmt: skip
    min_size=1,
    max_size=4,
)


def clear():
    for table in ("sla_clock", "ticket_event", "ticket_involvement", "ticket"):
        database.execute_sql(f"DELETE FROM {table}")


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    tickets=tickets_strategy,
    split=st.integers(0, 10),
    seed=st.integers(0, 1000),
    first_day=st.integers(-3, 20),
    days=st.integers(1, 30),
    as_of_hours=st.integers(0, 24 * 40),
)
@example(  # a deadline reached before a pause that is still open at the instant asked for
    tickets=[("urgent", [(0, "dCache"), (50, "waiting for reply"), (300, "in progress")])],
    split=0, seed=0, first_day=0, days=7, as_of_hours=200,
)  # fmt: skip
@example(  # answered after the instant asked for: violated by then, or still pending
    tickets=[("top priority", [(0, "WMS"), (2, "waiting for reply"), (30, "in progress"),
                               (40, "unit comment")])],
    split=0, seed=0, first_day=0, days=7, as_of_hours=20,
)  # fmt: skip
@example(  # asked for at the very instant of the deadline: violated
    tickets=[("top priority", [(0, "WMS")])],
    split=0, seed=0, first_day=0, days=7, as_of_hours=4,
)  # fmt: skip
def test_the_stored_clocks_count_what_the_rules_say_as_of_any_instant(
    app, tickets, split, seed, first_day, days, as_of_hours
):
    clear()
    make_units()
    rng = random.Random(seed)
    first, second = [], []
    for n, (priority, steps) in enumerate(tickets):
        events = [event(hours, what) for hours, what in steps]
        rng.shuffle(events)
        first.append(record(94000 + n, priority, events[split:]))
        second.append(record(94000 + n, priority, events))  # a re-import with more history
    import_records(first)
    import_records(second)
    imported = stored_rows()
    sla_clocks.refresh_all()
    assert imported == stored_rows()  # the importer's clocks are the rules' clocks
    period, as_of = period_of(first_day, days), START + timedelta(hours=as_of_hours)
    as_of = max(as_of, period.start)
    assert sla_by_unit(period, app.config, as_of) == oracle(period, app.config, as_of)


@pytest.fixture
def year(app):
    """Tickets at every SLA level with met, violated, pending and withdrawn clocks."""
    make_units()
    histories = [
        ("urgent", [(0, "DMSU"), (1, "CREAM"), (2, "unit comment")]),
        ("top priority", [(0, "DMSU"), (1, "CREAM")]),
        ("very urgent", [(0, "dCache"), (3, "waiting for reply"), (80, "in progress")]),
        ("urgent", [(0, "WMS"), (5, "DMSU")]),
        ("less urgent", [(0, "ARC"), (100, "unit comment")]),
        ("urgent", [(0, "dCache"), (200, "unit comment"), (201, "solved")]),
    ]
    import_records(
        [record(95000 + n, p, [event(h, w) for h, w in steps])
         for n, (p, steps) in enumerate(histories)]
    )  # fmt: skip
    return period_of(0, 60), START + timedelta(days=30)


def test_a_changed_sla_level_is_worked_out_from_the_events_until_refreshed(app, year):
    period, as_of = year
    before = sla_by_unit(period, app.config, as_of)
    database.execute_sql("UPDATE support_unit SET sla_level = 'level1' WHERE name = 'CREAM'")
    after = sla_by_unit(period, app.config, as_of)
    assert after == oracle(period, app.config, as_of) != before
    assert len(sla_clocks.stale_tickets()) == 2
    assert sla_clocks.refresh_stale() == 2
    assert sla_clocks.stale_tickets() == []
    assert {c.level for c in SlaClock.select() if c.unit_id == unit_id("CREAM")} == {"level1"}
    assert sla_by_unit(period, app.config, as_of) == after


def unit_id(name: str) -> int:
    return SupportUnit.get(SupportUnit.name == name).id


@pytest.mark.parametrize("all_stale_from_events", [False, True])
def test_another_calendar_makes_every_clock_stale(app, year, monkeypatch, all_stale_from_events):
    period, as_of = year
    if all_stale_from_events:
        monkeypatch.setattr(sla_report, "MAX_STALE", 0)
    app.config["DMSU_TIMEZONE"] = "America/Chicago"
    app.config["DMSU_HOLIDAYS"] = ["2013-02-12"]
    assert sla_by_unit(period, app.config, as_of) == oracle(period, app.config, as_of)
    assert len(sla_clocks.stale_tickets(BusinessCalendar.from_config(app.config))) == 6
    runner = app.test_cli_runner()
    result = runner.invoke(args=["dmsu", "init"])
    assert "SLA clocks worked out again for 6 tickets." in result.output
    assert sla_clocks.stale_tickets(BusinessCalendar.from_config(app.config)) == []
    assert sla_by_unit(period, app.config, as_of) == oracle(period, app.config, as_of)


def test_a_priority_changed_in_the_workflow_moves_the_deadlines(app, year, make_user):
    from dmsu.tickets.workflow.fields import update_fields

    ticket = Ticket.get(Ticket.ggus_id == 95001)
    triage = make_user("assigner", "tess")
    update_fields(ticket, triage, priority="less urgent", at=START + timedelta(days=1))
    assert sla_clocks.stale_tickets() == []
    assert {c.priority for c in SlaClock.select().where(SlaClock.ticket == ticket.id)} == {
        "less urgent"
    }
    period, as_of = year
    assert sla_by_unit(period, app.config, as_of) == oracle(period, app.config, as_of)


def test_workflow_events_keep_the_clocks_in_step(app, year, make_user):
    from dmsu.tickets import workflow

    supporter = make_user("assigner", "dora")
    ticket = Ticket.get(Ticket.ggus_id == 95001)  # at CREAM, unanswered
    workflow.assign(ticket, supporter, "dCache", at=START + timedelta(hours=30))
    rows = SlaClock.select().where(SlaClock.ticket == ticket.id).order_by(SlaClock.seq)
    assert [(r.unit_id, r.outcome) for r in rows] == [
        (unit_id("CREAM"), "violated"),  # 4 working hours from Monday 10:00, left at 15:00 Tue
        (unit_id("dCache"), "open"),
    ]
    period, as_of = year
    assert sla_by_unit(period, app.config, as_of) == oracle(period, app.config, as_of)


def test_the_hourly_job_brings_stale_clocks_in_step(app, year):
    from dmsu.tickets.schedule import sla_clocks_in_step

    database.execute_sql("UPDATE support_unit SET sla_level = 'level1' WHERE name = 'WMS'")
    with app.test_request_context():
        assert sla_clocks_in_step(START) == "SLA clocks worked out again for 1 ticket."
        assert sla_clocks_in_step(START) == "SLA clocks worked out again for 0 tickets."


def test_the_migration_fills_the_table_of_an_older_database(app, year):
    from dmsu.migrations import m0904_sla_clocks

    if is_postgres():
        pytest.skip("dropping a table of the shared PostgreSQL schema would affect other tests")
    before = stored_rows()
    assert len(before) == 6
    database.execute_sql("DROP TABLE sla_clock")
    m0904_sla_clocks.up(database, schema.migrator())
    assert stored_rows() == before
    m0904_sla_clocks.up(database, schema.migrator())  # a no-op now
    assert stored_rows() == before


def test_a_priority_changed_behind_the_sites_back_is_found_by_the_job(app, year):
    ticket = Ticket.get(Ticket.ggus_id == 95000)
    Ticket.update(priority="top priority").where(Ticket.id == ticket.id).execute()
    assert sla_clocks.stale_tickets() == [ticket.id]
    assert sla_clocks.stale_tickets(priority=False) == []  # the SLA section does not look
    assert sla_clocks.refresh_stale() == 1
    period, as_of = year
    assert sla_by_unit(period, app.config, as_of) == oracle(period, app.config, as_of)


def test_m0913_works_out_again_the_clocks_stored_by_the_old_deadline_rule(app, year, monkeypatch):
    """Issue 23 item 6: "a migration recomputes the stored clocks". The clocks of an older
    database carry the key of deadline rule 1 and its deadlines (here: put off by hand); the
    migration gives every one the deadline and key that the events give today."""
    from dmsu.migrations import m0913_deadlines_at_opening

    def stored():
        return {(c.ticket_id, c.seq): (c.due_at, c.outcome, c.calendar) for c in SlaClock.select()}

    today = stored()
    monkeypatch.setattr(sla_clocks, "DEADLINE_RULE", 1)
    assert sla_clocks.refresh_stale() == 6  # every clock now carries rule 1's key
    for clock in SlaClock.select().where(SlaClock.due_at.is_null(False)):
        clock.due_at -= timedelta(hours=14)
        clock.save()
    monkeypatch.undo()
    assert stored() != today and len(sla_clocks.stale_tickets()) == 6
    m0913_deadlines_at_opening.up(database, schema.migrator())
    assert stored() == today and sla_clocks.stale_tickets() == []
