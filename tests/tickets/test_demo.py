"""Demo tickets: shaped after seed 001 (Table 1, "METRICS"), deterministic, written through the
importer (so every summary column equals what the events say)."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import UTC, datetime

import pytest
from peewee import fn

from dmsu.cheatsheet.models import Component
from dmsu.demo import DemoContext, create_users
from dmsu.tickets import demo
from dmsu.tickets.exchange.exporter import export_lines
from dmsu.tickets.models import Release, Ticket, TicketEvent
from dmsu.tickets.units import SupportUnit
from dmsu.tickets.workflow.events import replay, summary_of

END = datetime(2013, 5, 1, tzinfo=UTC)


def run_demo(n=700, seed=2012):
    ctx = DemoContext(n_tickets=n, rng=random.Random(seed), end=END, echo=lambda *_: None)
    ctx.users = create_users()
    return demo.load(ctx)


@pytest.fixture
def demo_year(app):
    from dmsu.content import load_all

    load_all()  # what `dmsu init` loads: support units and the cheat sheet
    summary = run_demo()
    return summary


def _histories():
    units = {u.id: u for u in SupportUnit.select()}
    by_ticket = {}
    for event in TicketEvent.select().order_by(TicketEvent.at, TicketEvent.id):
        by_ticket.setdefault(event.ticket_id, []).append(event)
    return units, by_ticket


def test_shape_follows_seed_001(demo_year):
    assert demo_year.startswith("Tickets: 700 demo tickets")
    units, histories = _histories()
    solved_in_dmsu = third_line = back_to_tpm = 0
    solution_days, reassign_hours = [], []
    for events in histories.values():
        holder, at_dmsu = None, None
        for event in events:
            if event.kind == "assigned":
                unit = units[event.support_unit_id]
                if unit.name == "DMSU":
                    at_dmsu = event.at
                elif holder is not None and holder.name == "DMSU":
                    if unit.kind == "third_line":
                        third_line += 1
                        reassign_hours.append((event.at - at_dmsu).total_seconds() / 3600)
                    elif unit.name == "TPM":
                        back_to_tpm += 1
                holder = unit
            elif event.kind == "status" and event.status == "solved" and holder.name == "DMSU":
                solved_in_dmsu += 1
                solution_days.append((event.at - at_dmsu).total_seconds() / 86400)
    n = len(histories)
    assert n == 700
    assert 0.23 <= solved_in_dmsu / n <= 0.33
    assert 0.60 <= third_line / n <= 0.72
    assert 0.025 <= back_to_tpm / n <= 0.08
    assert 2.5 <= statistics.median(solution_days) <= 10
    assert statistics.mean(solution_days) > 2 * statistics.median(solution_days)
    assert statistics.median(reassign_hours) < 4
    assert statistics.mean(reassign_hours) > 12


def test_volume_dips_in_the_holidays(demo_year):
    months = Counter(t.created_at.month for t in Ticket.select(Ticket.created_at))
    holidays = [months[m] for m in (7, 8, 9, 12)]
    others = [months[m] for m in range(1, 13) if m not in (7, 8, 9, 12)]
    assert statistics.mean(holidays) < 0.85 * statistics.mean(others)
    assert min(t.created_at for t in Ticket.select()) >= datetime(2012, 5, 1, tzinfo=UTC)


def test_open_tickets_at_every_stage(demo_year):
    open_statuses = Counter(t.status for t in Ticket.open())
    for status in ("assigned", "in progress", "waiting for reply"):
        assert open_statuses[status] > 0, open_statuses
    kinds = Counter(u.kind for u in SupportUnit.select().join(Ticket, on=Ticket.support_unit)
                    .where(Ticket.id.in_(Ticket.open().select(Ticket.id))))  # fmt: skip
    assert kinds["third_line"] > 0 and kinds["umd_release"] > 0 and kinds["dmsu"] > 0
    assert Ticket.select().where(Ticket.broad_impact, Ticket.workaround != "").count() > 5
    assert Ticket.select().where(Ticket.lack_of_expertise).count() > 0
    assert Ticket.select().where(Ticket.assignee.is_null(False)).count() > 200
    assert Release.select().where(Release.status == "verified").count() > 5
    assert TicketEvent.select().where(TicketEvent.kind == "escalated").exists()
    revised = (
        TicketEvent.select(TicketEvent.ticket)
        .where(TicketEvent.kind == "eta")
        .group_by(TicketEvent.ticket)
        .having(fn.COUNT(TicketEvent.id) > 1)
    )
    assert revised.count() > 5
    fixed = Ticket.select().where(Ticket.fixed_version != "", Ticket.status == "closed")
    assert fixed.count() > 50


def test_subjects_name_the_component_most_of_the_time(demo_year):
    from dmsu.tickets.demo.texts import keywords

    hits = total = 0
    for t in Ticket.select(Ticket, Component).join(Component):
        names = [t.component.name, *t.component.alias_list, *keywords(t.component.description)]
        text = f"{t.subject} {t.description}".lower()
        hits += any(name.lower() in text for name in names)
        total += 1
    assert hits / total > 0.75


def test_summary_columns_equal_what_the_events_say(demo_year):
    for ticket in Ticket.select().order_by(Ticket.ggus_id).limit(250):
        assert summary_of(ticket) == replay(ticket), ticket.ggus_id


def test_deterministic_for_a_seed(app):
    run_demo(60, seed=5)
    first = list(export_lines())
    Ticket.delete().execute()
    run_demo(60, seed=5)
    assert list(export_lines()) == first
    Ticket.delete().execute()
    run_demo(60, seed=6)
    assert list(export_lines()) != first


def test_demo_without_a_cheat_sheet_creates_a_few_components(app):
    assert not Component.select().exists()
    run_demo(30)
    assert Component.select().count() >= 3
    assert Ticket.select().count() == 30
