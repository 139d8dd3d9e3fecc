"""The derived event columns ``unit_before_id`` / ``unit_before_at`` (dmsu/tickets/projection/)
always equal what the event log says — the ticket's latest assignment before each event by
(time, id) — however the events arrive: through the workflow, the ORM, an import in any
order, a re-import that adds earlier history, or the migration's backfill."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dmsu.core.db import database
from dmsu.tickets import workflow
from dmsu.tickets.exchange.importer import import_records
from dmsu.tickets.exchange.records import validate_ticket
from dmsu.tickets.models import Ticket, TicketEvent
from dmsu.tickets.projection import columns as derived
from dmsu.tickets.projection import store
from dmsu.tickets.units import SupportUnit
from tests.support.events import write_event

START = datetime(2013, 2, 11, 9, tzinfo=UTC)
UNITS = ("TPM", "DMSU", "CREAM", "dCache")
KINDS = {"TPM": "first_line", "DMSU": "dmsu"}
CODES = {"to dmsu": 0, "to tpm": 1, "to third": 2, "solved": 3}  # as ticket_event.flow_fact


def make_units():
    for name in UNITS:
        SupportUnit.get_or_create(name=name, defaults={"kind": KINDS.get(name, "third_line")})


def expected(ticket_id: int) -> list[tuple]:
    """(id, unit before, since, previous same fact's time, next of its kind's time, flow fact
    code) read off the events: the latest assignment before each, and the issue's flow facts
    (to DMSU, DMSU → TPM, DMSU → 3rd line, solved in DMSU)."""
    kinds = dict(SupportUnit.select(SupportUnit.id, SupportUnit.kind).tuples())
    order = sorted(
        TicketEvent.select().where(TicketEvent.ticket == ticket_id), key=lambda e: (e.at, e.id)
    )
    chain = [(e.at, e.id, e.support_unit_id) for e in order if e.kind == "assigned"]
    result, facts = [], []
    for event in order:
        before = [c for c in chain if (c[0], c[1]) < (event.at, event.id)]
        latest = before[-1] if before else (None, None, None)
        came_from = kinds.get(latest[2])
        if event.kind == "assigned" and kinds.get(event.support_unit_id) == "dmsu":
            fact = "to dmsu"
        elif event.kind == "assigned" and came_from == "dmsu":
            fact = {"first_line": "to tpm", "third_line": "to third"}.get(
                kinds.get(event.support_unit_id)
            )
        elif event.kind == "status" and event.status == "solved" and came_from == "dmsu":
            fact = "solved"
        else:
            fact = None
        same = [at for at, f in facts if f == fact] if fact else []
        after = [
            e.at for e in order if e.kind == event.kind and (e.at, e.id) > (event.at, event.id)
        ]
        result.append(
            (
                event.id,
                latest[2],
                latest[0],
                same[-1] if same else None,
                after[0] if after else None,
                CODES.get(fact),
            )
        )
        facts.append((event.at, fact))
    return result


def stored(ticket_id: int) -> list[tuple]:
    events = TicketEvent.select().where(TicketEvent.ticket == ticket_id)
    return [
        (e.id, e.unit_before_id, e.unit_before_at, e.prev_same_at, e.next_of_kind_at, e.flow_fact)
        for e in sorted(events, key=lambda e: (e.at, e.id))
    ]


def history(steps: list[tuple[int, str]]) -> list[dict]:
    """Events from (hours after START, unit or a status word)."""
    events = []
    for hours, what in steps:
        at = (START + timedelta(hours=hours)).isoformat()
        if what in UNITS:
            events.append({"at": at, "type": "assigned", "support_unit": what})
        elif what in ("dmsu", "submitter"):
            events.append({"at": at, "type": "comment", "author_role": what, "text": "Noted."})
        elif what == "escalated":
            events.append({"at": at, "type": "escalated", "author_role": "dmsu"})
        else:
            events.append({"at": at, "type": "status", "status": what})
    return events


def record(ggus_id: int, events: list[dict]):
    return validate_ticket(
        {"ggus_id": ggus_id, "subject": f"T{ggus_id}", "created_at": START.isoformat(),
         "events": events}
    )  # fmt: skip


steps_strategy = st.lists(
    st.tuples(
        st.integers(0, 30),
        st.sampled_from(
            [*UNITS, "in progress", "solved", "waiting for reply", "dmsu", "submitter", "escalated"]
        ),
    ),
    min_size=1,
    max_size=9,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps_strategy, split=st.integers(0, 9), seed=st.integers(0, 1000))
@example(steps=[(0, "TPM"), (0, "DMSU"), (1, "TPM"), (0, "TPM")], split=4, seed=0)  # a copy
def test_imports_in_any_order_and_reimports_keep_the_columns_true(app, steps, split, seed):
    database.execute_sql("DELETE FROM ticket_event")
    database.execute_sql("DELETE FROM ticket")
    make_units()
    events = history(steps)
    random.Random(seed).shuffle(events)
    later, earlier = events[:split], events[split:]
    import_records([record(91039, later)])
    ticket = Ticket.get(Ticket.ggus_id == 91039)
    columns = [getattr(ticket, column) for column in derived.COLUMNS]
    derived.refresh([ticket.id])  # the SQL rules agree with the importer's own for new tickets
    again = Ticket.get_by_id(ticket.id)
    assert [getattr(again, column) for column in derived.COLUMNS] == columns
    import_records([record(91039, later + earlier)])  # history that comes before, later on
    ticket_id = Ticket.get(Ticket.ggus_id == 91039).id
    assert stored(ticket_id) == expected(ticket_id)


def test_the_workflow_and_orm_writes_keep_the_columns_true(app, make_user, make_ticket):
    supporter = make_user("assigner", "ann")
    make_units()
    ticket = make_ticket(91040, events=history([(0, "TPM"), (1, "DMSU"), (2, "in progress")]))
    cream = SupportUnit.get(SupportUnit.name == "CREAM")
    workflow.reassign_to_third_line(ticket, supporter, cream, note="To the CREAM team.")
    workflow.add_comment(Ticket.get_by_id(ticket.id), supporter, "Asked the team.")
    assert stored(ticket.id) == expected(ticket.id)
    unit_after = stored(ticket.id)[-1]
    assert unit_after[1] == cream.id


def test_an_event_written_before_older_ones_moves_theirs(app, make_ticket):
    ticket = make_ticket(91041, events=history([(5, "DMSU"), (9, "solved")]))
    write_event(
        ticket=ticket, at=START, kind="assigned", actor_role="system",
        support_unit=SupportUnit.get_or_create(name="TPM", defaults={"kind": "first_line"})[0],
    )  # fmt: skip
    assert stored(ticket.id) == expected(ticket.id)
    assert stored(ticket.id)[1][1] is not None  # the DMSU assignment now comes from TPM


def test_the_backfill_rebuilds_every_ticket(app):
    make_units()
    import_records(
        [record(91050 + n, history([(n, "TPM"), (n + 1, "DMSU"), (n + 2, "CREAM"), (n + 3, "solved")]))
         for n in range(5)]
    )  # fmt: skip
    database.execute_sql(
        "UPDATE ticket_event SET unit_before_id = NULL, unit_before_at = NULL, prev_same_at = NULL,"
        " next_of_kind_at = NULL, flow_fact = NULL"
    )
    changed = store.refresh_all()
    assert changed == 5 * 4  # every event but the first has a unit before; all but the last a next
    for ticket in Ticket.select():
        assert stored(ticket.id) == expected(ticket.id)
    assert store.refresh_all() == 0
