"""The derived event columns ``unit_before_id`` / ``unit_before_at`` (dmsu/tickets/projection/)
always equal what the event log says — the ticket's latest assignment before each event by
(time, id) — however the events arrive: through the workflow, the ORM, an import in any
order, a re-import that adds earlier history, or the migration's backfill."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dmsu.core.db import database
from dmsu.tickets import workflow
from dmsu.tickets.exchange.importer import import_records
from dmsu.tickets.models import Ticket
from dmsu.tickets.projection import columns as derived
from dmsu.tickets.projection import store
from dmsu.tickets.units import SupportUnit
from tests.support.derived_events import START, UNITS, expected, history, make_units, record, stored
from tests.support.events import write_event

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
