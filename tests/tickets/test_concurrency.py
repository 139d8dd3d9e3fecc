"""Four supporters write at the same moment (ETAs, involved units) over real HTTP against a
live server: every write succeeds and the counts add up afterwards (hardening round 2: on
SQLite 41 of 64 such writes answered 503 "database is not reachable", because a workflow
step's transaction began deferred and read before it wrote, so the busy timeout never helped;
a step now takes the write lock first, ``dmsu.core.db.write_transaction``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partial

from dmsu.tickets import workflow
from dmsu.tickets.models import Ticket, TicketEvent, TicketInvolvement
from dmsu.tickets.units import SupportUnit
from tests.support.live_http import LiveSession, race

ROUNDS = 8
PEOPLE = 4
T0 = datetime(2013, 2, 4, 9, tzinfo=UTC)


def test_simultaneous_etas_and_involvements_all_succeed(live_server, make_user):
    SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2")
    teams = [
        SupportUnit.create(name=f"Team {n}", kind="third_line", sla_level="level2").id
        for n in range(PEOPLE)
    ]
    admin = make_user("admin", "root")
    tickets = []
    for n in range(PEOPLE):
        ticket = workflow.create_ticket(admin, ggus_id=93000 + n, subject=f"T{n}", at=T0)
        workflow.route_to_dmsu(ticket, admin, at=T0 + timedelta(hours=1))
        workflow.reassign_to_third_line(ticket, admin, "CREAM", note="defect",
                                        at=T0 + timedelta(hours=2))  # fmt: skip
        tickets.append(ticket.ggus_id)
    people = [
        LiveSession(live_server.url).log_in(make_user("assigner", f"ann{n}")) for n in range(PEOPLE)
    ]
    answers = []
    for round_ in range(ROUNDS):
        calls = []
        for n, person in enumerate(people):
            if round_ % 2:
                data = {"unit": teams[(n + round_ // 2) % PEOPLE]}
                calls.append(partial(person.form, f"/tickets/{tickets[n]}/involve", data))
            else:
                due = (date(2013, 3, 1) + timedelta(days=round_)).isoformat()
                data = {"due": due, "confirm_past": "1"}  # a 2013 ETA: in the past on purpose
                calls.append(partial(person.form, f"/tickets/{tickets[n]}/eta", data))
        answers += [(round_, r.status_code) for r in race(*calls)]
    failed = [a for a in answers if a[1] != 302]
    assert failed == []
    assert TicketEvent.select().where(TicketEvent.kind == "eta").count() == PEOPLE * ROUNDS // 2
    involved = TicketEvent.select().where(TicketEvent.kind == "involved").count()
    assert involved == TicketInvolvement.select().count() == PEOPLE * ROUNDS // 2


def test_the_same_ticket_recorded_twice_at_once_is_recorded_once(live_server, make_user):
    """Two TPM people record the same GGUS ticket at the same moment: one is recorded, the
    other is told it already is (a clean 400 with the form kept), never a 500 or 503."""
    people = [LiveSession(live_server.url).log_in(make_user("tpm", f"tom{n}")) for n in range(2)]
    for n in range(6):
        form = {"ggus_id": str(94000 + n), "subject": "Jobs stuck", "priority": "urgent"}
        answers = race(*[partial(person.form, "/tickets/new", form) for person in people])
        assert sorted(a.status_code for a in answers) == [302, 400], n
        refused = next(a for a in answers if a.status_code == 400)
        assert "already recorded" in refused.text and 'value="Jobs stuck"' in refused.text
    assert Ticket.select().count() == 6
