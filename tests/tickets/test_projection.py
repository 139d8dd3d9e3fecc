"""The one projection of a ticket's history (dmsu/tickets/projection/history.py) is THE
definition of its derived values; every stored form must equal it, however the events arrive.

Random histories (every kind of event, ties in time, units of every kind) are written to the
database in a random order, so that ids and times disagree, and then:

- the SQL form of the oversight columns (``columns.refresh``, the backfill of m0191) gives what
  the pure function gives for the events in (time, id) order;
- the projection's store (``store.refresh_tickets``, what a workflow step runs) gives the same
  for every derived column of the ticket and of each event;
- the importer, fed the same history in two shuffled parts (the second a re-import that adds
  earlier events), stores what the pure function says of the events as it stored them.

Runs on both databases, like the whole suite.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dmsu.core.db import database
from dmsu.tickets.exchange.importer import import_records
from dmsu.tickets.exchange.records import validate_ticket
from dmsu.tickets.models import Ticket, TicketEvent
from dmsu.tickets.projection import columns, history, store
from dmsu.tickets.projection.facts import EtaFix, UnitKinds
from dmsu.tickets.units import SupportUnit

START = datetime(2013, 2, 11, 9, tzinfo=UTC)
UNITS = {"TPM": "first_line", "DMSU": "dmsu", "CREAM": "third_line", "dCache": "third_line",
         "UMD release": "umd_release"}  # fmt: skip
STATUSES = ("in progress", "waiting for reply", "on hold", "solved", "closed", "reopened")
ROLES = ("dmsu", "submitter", "third_line", "tpm", "system")

event_strategy = st.one_of(
    st.tuples(st.just("assigned"), st.sampled_from(sorted(UNITS))),
    st.tuples(st.just("status"), st.sampled_from(STATUSES)),
    st.tuples(st.just("eta"), st.one_of(st.none(), st.integers(0, 60))),
    st.tuples(st.just("comment"), st.sampled_from(ROLES)),
    st.tuples(st.just("escalated"), st.sampled_from(ROLES)),
    st.tuples(st.just("involved"), st.sampled_from(sorted(UNITS))),
    st.tuples(st.just("uninvolved"), st.sampled_from(sorted(UNITS))),
    st.tuples(st.just("field"), st.sampled_from(("postponed", "fixed_version"))),
)
histories = st.lists(st.tuples(st.integers(0, 12), event_strategy), min_size=1, max_size=14)


def units() -> dict[str, SupportUnit]:
    return {
        name: SupportUnit.get_or_create(name=name, defaults={"kind": kind})[0]
        for name, kind in UNITS.items()
    }


def kinds() -> UnitKinds:
    return store.kinds_of(
        {u.id: store.Unit(u.id, u.kind, u.sla_level, u.name) for u in SupportUnit.select()}
    )


def event_fields(hours: int, event: tuple, by_name: dict) -> dict:
    kind, value = event
    fields = {"kind": kind, "at": START + timedelta(hours=hours), "actor_role": "system"}
    if kind in ("assigned", "involved", "uninvolved"):
        fields["support_unit"] = by_name[value]
    elif kind == "status":
        fields["status"] = value
    elif kind == "eta":
        fields["due"] = None if value is None else date(2013, 3, 1) + timedelta(days=value)
        fields["support_unit"] = by_name["CREAM"]
    elif kind in ("comment", "escalated"):
        fields["actor_role"] = value
    elif kind == "field":
        after = True if value == "postponed" else "1.2.3"
        fields["data"] = json.dumps({"field": value, "before": None, "after": after})
    return fields


def truth(ticket_id: int) -> history.Projection:
    """The pure function over the ticket's events as stored, in (time, id) order."""
    events = TicketEvent.select().where(TicketEvent.ticket == ticket_id)
    steps = [
        history.Step(e.kind, e.at, e.support_unit_id, e.status, e.due, e.actor_role, e.data)
        for e in sorted(events, key=lambda e: (e.at, e.id))
    ]
    return history.project(steps, kinds())


def stored_event_facts(ticket_id: int) -> list[tuple]:
    events = TicketEvent.select().where(TicketEvent.ticket == ticket_id)
    return [
        (e.unit_before_id, e.unit_before_at, e.prev_same_at, e.next_of_kind_at, e.flow_fact)
        for e in sorted(events, key=lambda e: (e.at, e.id))
    ]


def wanted_event_facts(projection: history.Projection) -> list[tuple]:
    return [
        (f.unit_before_id, f.unit_before_at, f.prev_same_at, f.next_of_kind_at, f.flow_fact)
        for f in projection.events
    ]


def ticket_values(ticket_id: int) -> tuple:
    ticket = Ticket.get_by_id(ticket_id)
    oversight = tuple(getattr(ticket, name) for name in history.OVERSIGHT)
    eta = EtaFix(ticket.eta_fix_at, ticket.eta_initial_due, ticket.eta_final_due,
                 ticket.eta_fix_unit_id)  # fmt: skip
    return oversight, eta


def empty_tables() -> None:
    for table in ("sla_clock", "ticket_involvement", "ticket_event", "ticket"):
        database.execute_sql(f"DELETE FROM {table}")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=histories, seed=st.integers(0, 10_000))
def test_the_sql_form_and_the_store_equal_the_pure_function(app, events, seed):
    empty_tables()
    by_name = units()
    ticket = Ticket.create(ggus_id=91039, subject="random history", created_at=START,
                           updated_at=START)  # fmt: skip
    written = list(events)
    random.Random(seed).shuffle(written)  # ids in another order than times
    for hours, event in written:
        TicketEvent.create(ticket=ticket, **event_fields(hours, event, by_name))
    projection = truth(ticket.id)

    columns.refresh([ticket.id])
    assert ticket_values(ticket.id)[0] == projection.oversight()

    database.execute_sql("UPDATE ticket SET unit_since = NULL, eta_due = NULL")
    store.refresh_tickets([ticket.id])
    assert ticket_values(ticket.id) == (projection.oversight(), projection.eta)
    assert stored_event_facts(ticket.id) == wanted_event_facts(projection)
    assert store.refresh_tickets([ticket.id]) == 0  # in step: nothing more to write


def import_shape(hours: int, event: tuple) -> dict:
    kind, value = event
    shaped = {"at": (START + timedelta(hours=hours)).isoformat(), "type": kind}
    if kind in ("assigned", "involved", "uninvolved"):
        shaped["support_unit"] = value
    elif kind == "status":
        shaped["status"] = value
    elif kind == "eta":
        shaped["support_unit"] = "CREAM"  # an imported ETA always has its date
        shaped["due"] = (date(2013, 3, 1) + timedelta(days=value or 0)).isoformat()
    elif kind in ("comment", "escalated"):
        shaped["author_role"] = value
        shaped["text"] = f"{kind} by {value}"
    elif kind == "field":
        after = True if value == "postponed" else "1.2.3"
        shaped["data"] = json.dumps({"field": value, "before": None, "after": after})
    return shaped


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=histories, split=st.integers(0, 14), seed=st.integers(0, 10_000))
def test_the_importer_stores_what_the_pure_function_says(app, events, split, seed):
    empty_tables()
    units()
    shaped = [import_shape(hours, event) for hours, event in events]
    random.Random(seed).shuffle(shaped)
    later, earlier = shaped[:split], shaped[split:]

    def record(part):
        return validate_ticket({"ggus_id": 91039, "subject": "T91039",
                                "created_at": START.isoformat(), "events": part})  # fmt: skip

    for part in (later, later + earlier):  # the second adds history from before the first
        import_records([record(part)])
        ticket = Ticket.get(Ticket.ggus_id == 91039)
        projection = truth(ticket.id)
        assert ticket_values(ticket.id) == (projection.oversight(), projection.eta)
        assert stored_event_facts(ticket.id) == wanted_event_facts(projection)
        if projection.events:
            assert (ticket.status, ticket.support_unit_id) == (
                projection.status,
                projection.support_unit_id,
            )


def test_the_pure_function_reads_a_whole_history():
    """One worked example: TPM routes to DMSU, DMSU sends it to CREAM with an ETA, the
    submitter writes, CREAM solves it."""
    kinds = UnitKinds(dmsu=frozenset({2}), first_line=frozenset({1}), third=frozenset({3}))
    at = [START + timedelta(hours=n) for n in range(6)]
    steps = [
        history.Step("assigned", at[0], 1),
        history.Step("assigned", at[1], 2, actor_role="tpm"),
        history.Step("assigned", at[2], 3, actor_role="dmsu"),
        history.Step("eta", at[3], 3, due=date(2013, 3, 1), actor_role="third_line"),
        history.Step("comment", at[4], actor_role="submitter"),
        history.Step("status", at[5], status="solved", actor_role="third_line"),
    ]
    result = history.project(steps, kinds)
    assert (result.status, result.support_unit_id, result.unit_since) == ("solved", 3, at[2])
    assert (result.eta_due, result.last_reaction_at, result.submitter_wrote_at) == (
        date(2013, 3, 1),
        at[2],
        at[4],
    )
    assert result.eta == EtaFix(at[5], date(2013, 3, 1), date(2013, 3, 1), 3)
    assert [f.flow_fact for f in result.events] == [None, 0, 2, None, None, None]
    assert [f.unit_before_id for f in result.events] == [None, 1, 2, 3, 3, 3]
    assert [f.from_unit_id for f in result.events] == [None, 1, 2, None, None, None]
