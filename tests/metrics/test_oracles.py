"""The metrics read derived columns (dmsu/tickets/facts.py); here they are checked against
event-only oracles — the queries the metrics ran before the columns existed, and the flow
definitions read off the events in Python — on random histories, however the events arrive.

The tickets' ETA outcome columns (``eta_fix_at``, ``eta_initial_due``, ``eta_final_due``,
``eta_fix_unit_id``) equal what the ETA definition of issue 8 says of their events.

The oracle is the event-only SQL the metrics used before the columns existed (kept here):
"the fix is the ticket's first assignment to ``UMD release`` or its first ``solved`` status
while in a 3rd-line unit, after its first ETA. The initial ETA is the due date of the earliest
``eta`` event; the final ETA is the due date of the latest ``eta`` event before the fix"."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from math import floor
from statistics import median
from unittest.mock import patch

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dmsu.core.db import database
from dmsu.metrics.queries import unit_ids
from dmsu.metrics.sqltools import run
from dmsu.tickets.exchange.importer import import_records
from dmsu.tickets.models import Ticket
from dmsu.tickets.units import SupportUnit, ensure_built_in_units
from tests.support.derived_events import START, record
from tests.support.events import write_event

ORACLE = """
WITH first_eta AS (
  SELECT ticket_id, at, id, due FROM (
    SELECT e.ticket_id, e.at, e.id, e.due,
           ROW_NUMBER() OVER (PARTITION BY e.ticket_id ORDER BY e.at, e.id) AS nth
    FROM ticket_event e WHERE e.kind = 'eta' AND e.due IS NOT NULL) x
  WHERE nth = 1
),
candidates AS (
  SELECT c.ticket_id, c.at, c.id, f.due AS initial_due,
         ROW_NUMBER() OVER (PARTITION BY c.ticket_id ORDER BY c.at, c.id) AS nth
  FROM first_eta f JOIN ticket_event c ON c.ticket_id = f.ticket_id
  WHERE (c.at > f.at OR (c.at = f.at AND c.id > f.id))
    AND ((c.kind = 'assigned' AND c.support_unit_id IN (:umd))
         OR (c.kind = 'status' AND c.status = 'solved'
             AND (SELECT a.support_unit_id FROM ticket_event a
                  WHERE a.ticket_id = c.ticket_id AND a.kind = 'assigned'
                    AND (a.at < c.at OR (a.at = c.at AND a.id < c.id))
                  ORDER BY a.at DESC, a.id DESC LIMIT 1) IN (:third)))
)
SELECT x.ticket_id, x.at, x.initial_due,
       (SELECT e.due FROM ticket_event e
        WHERE e.ticket_id = x.ticket_id AND e.kind = 'eta' AND e.due IS NOT NULL
          AND (e.at < x.at OR (e.at = x.at AND e.id < x.id))
        ORDER BY e.at DESC, e.id DESC LIMIT 1) AS final_due,
       (SELECT a.support_unit_id FROM ticket_event a
        WHERE a.ticket_id = x.ticket_id AND a.kind = 'assigned'
          AND (a.at < x.at OR (a.at = x.at AND a.id < x.id))
        ORDER BY a.at DESC, a.id DESC LIMIT 1) AS fix_unit
FROM candidates x WHERE x.nth = 1
"""


def text(value) -> str | None:
    return None if value is None else str(value)[:19]


def from_events() -> dict[int, tuple]:
    units = unit_ids()
    rows = run(ORACLE, umd=units["umd_release"], third=units["third_line"])
    return {row[0]: tuple(text(v) for v in row[1:]) for row in rows}


def from_columns() -> dict[int, tuple]:
    query = Ticket.select(
        Ticket.id,
        Ticket.eta_fix_at,
        Ticket.eta_initial_due,
        Ticket.eta_final_due,
        Ticket.eta_fix_unit_id,
    ).where(Ticket.eta_fix_at.is_null(False))
    return {
        row[0]: (row[1].replace(tzinfo=None).isoformat(" ")[:19], *(text(v) for v in row[2:]))
        for row in query.tuples()
    }


KINDS = ["TPM", "DMSU", "CREAM", "UMD release", "solved", "in progress", "eta"]


def events_from(steps) -> list[dict]:
    events = []
    for hours, what, due_days in steps:
        at = (START + timedelta(hours=hours)).isoformat()
        if what in ("TPM", "DMSU", "CREAM", "UMD release"):
            events.append({"at": at, "type": "assigned", "support_unit": what})
        elif what in ("solved", "in progress"):
            events.append({"at": at, "type": "status", "status": what})
        else:
            due = (date(2013, 2, 11) + timedelta(days=due_days)).isoformat()
            events.append({"at": at, "type": "eta", "support_unit": "CREAM", "due": due})
    return events


steps_strategy = st.lists(
    st.tuples(st.integers(0, 200), st.sampled_from(KINDS), st.integers(0, 20)),
    min_size=1,
    max_size=10,
)


def _units():
    ensure_built_in_units()
    SupportUnit.get_or_create(name="CREAM", defaults={"kind": "third_line"})


EXAMPLES = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
HISTORIES = {
    "tickets": st.lists(steps_strategy, min_size=1, max_size=4),
    "split": st.integers(0, 10),
    "seed": st.integers(0, 1000),
}  # random tickets imported in two parts (see import_in_two_parts)


def import_in_two_parts(tickets, split: int, seed: int) -> None:
    """A fresh set of tickets from ``tickets`` (steps each), their events shuffled; part of
    each history imported first, the whole of it again later (what came before, later on)."""
    database.execute_sql("DELETE FROM ticket_event")
    database.execute_sql("DELETE FROM ticket")
    _units()
    shuffled = []
    for n, steps in enumerate(tickets):
        events = events_from(steps)
        random.Random(seed + n).shuffle(events)
        shuffled.append(events)
    import_records([record(92000 + n, events[:split]) for n, events in enumerate(shuffled)])
    import_records([record(92000 + n, events) for n, events in enumerate(shuffled)])


@EXAMPLES
@given(**HISTORIES)
def test_the_columns_agree_with_the_events_after_imports_in_any_order(app, tickets, split, seed):
    import_in_two_parts(tickets, split, seed)
    assert from_columns() == from_events()


def test_orm_writes_keep_the_columns_true(app, make_ticket):
    _units()
    ticket = make_ticket(
        92100,
        events=events_from([(0, "DMSU", 0), (1, "CREAM", 0), (2, "eta", 9), (3, "eta", 12)]),
    )
    assert from_columns() == from_events() == {}
    make_ticket(92101, events=events_from([(0, "CREAM", 0), (1, "eta", 3), (5, "solved", 0)]))

    write_event(
        ticket=ticket,
        at=START + timedelta(hours=30),
        kind="assigned",
        actor_role="system",
        support_unit=SupportUnit.get(SupportUnit.name == "UMD release"),
    )
    found = from_columns()
    assert found == from_events()
    assert set(found) == {ticket.id, Ticket.get(Ticket.ggus_id == 92101).id}
    cream = SupportUnit.get(SupportUnit.name == "CREAM").id
    assert found[ticket.id][1:] == ("2013-02-20", "2013-02-23", str(cream))


BACKLOG_ORACLE = """
WITH moved AS (
  SELECT e.ticket_id, e.support_unit_id AS unit, e.at,
         LEAD(e.id) OVER (PARTITION BY e.ticket_id ORDER BY e.at, e.id) AS next_id
  FROM ticket_event e WHERE e.kind = 'assigned' AND e.at < :as_of
)
SELECT m.ticket_id FROM moved m
WHERE m.next_id IS NULL AND m.unit IN (:third)
  AND COALESCE((SELECT s.status FROM ticket_event s
                WHERE s.kind = 'status' AND s.ticket_id = m.ticket_id AND s.at < :as_of
                ORDER BY s.at DESC, s.id DESC LIMIT 1), 'assigned') NOT IN (:closed)
"""


@EXAMPLES
@given(
    **HISTORIES,
    hours=st.lists(st.integers(-1, 210), min_size=1, max_size=4),
)
def test_the_third_line_backlog_agrees_with_the_events_at_any_instant(
    app, tickets, split, seed, hours
):
    from dmsu.metrics.backlog import third_line_backlog
    from dmsu.tickets.models import CLOSED_STATUSES

    import_in_two_parts(tickets, split, seed)
    units = unit_ids()
    for hour in hours:
        as_of = START + timedelta(hours=hour, minutes=30)
        wanted = run(BACKLOG_ORACLE, as_of=as_of, third=units["third_line"], closed=CLOSED_STATUSES)
        assert third_line_backlog(as_of, units).total == len(wanted)


def flow_oracle(piece) -> dict:
    """Issue 8's flow numbers of one piece, read off the events in Python: per ticket, its
    first event of each flow fact inside the piece (the unit before an event is that of its
    latest assignment before it by time then id), and the whole seconds from that unit's
    assignment to each timed fact."""
    kinds = dict(SupportUnit.select(SupportUnit.id, SupportUnit.kind).tuples())
    counts = dict.fromkeys(("to_dmsu", "to_tpm", "to_third", "solved"), 0)
    seconds: dict[str, list[int]] = {"to_third": [], "solved": []}
    for ticket in Ticket.select():
        unit = since = None
        seen = set()
        for event in sorted(ticket.events, key=lambda e: (e.at, e.id)):
            before, fact = kinds.get(unit), None
            if event.kind == "assigned":
                target = kinds.get(event.support_unit_id)
                if target == "dmsu":
                    fact = "to_dmsu"
                elif before == "dmsu":
                    fact = {"first_line": "to_tpm", "third_line": "to_third"}.get(target)
            elif event.kind == "status" and event.status == "solved" and before == "dmsu":
                fact = "solved"
            if fact and fact not in seen and piece.start <= event.at < piece.end:
                seen.add(fact)
                counts[fact] += 1
                if fact in seconds:
                    seconds[fact].append(floor(event.at.timestamp()) - floor(since.timestamp()))
            if event.kind == "assigned":
                unit, since = event.support_unit_id, event.at
    return counts, seconds


def half_up(value, places: int):
    return float(Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def expected_row(piece) -> dict:
    counts, seconds = flow_oracle(piece)
    row = {
        "assigned_to_dmsu": counts["to_dmsu"],
        "solved_by_dmsu": counts["solved"],
        "reassigned_to_tpm": counts["to_tpm"],
        "assigned_to_third_line": counts["to_third"],
    }
    for key, fact, unit, places in (
        ("solve_days", "solved", 86400, 1),
        ("reassign_hours", "to_third", 3600, 2),
    ):
        values = seconds[fact]
        row[f"{key}_mean"] = (
            half_up(Decimal(sum(values)) / (len(values) * unit), places) if values else None
        )
        row[f"{key}_median"] = half_up(Decimal(median(values)) / unit, places) if values else None
    return row


@EXAMPLES
@given(
    **HISTORIES,
    first=st.integers(0, 5),
    days=st.integers(1, 10),
    by=st.sampled_from(["week", "month", "none"]),
    chunks=st.sampled_from([(1, 1), (2, 3), (1000, 100)]),
)
@example(  # two of each timed fact in one piece: the median is the mean of the middle two
    tickets=[
        [(0, "TPM", 0), (1, "DMSU", 0), (3, "CREAM", 0)],
        [(0, "TPM", 0), (2, "DMSU", 0), (7, "CREAM", 0)],
        [(5, "DMSU", 0), (6, "solved", 0)],
        [(5, "DMSU", 0), (9, "solved", 0)],
    ],
    split=10,
    seed=0,
    first=1,
    days=10,
    by="none",
    chunks=(1000, 100),
)
def test_the_flow_numbers_agree_with_the_events(app, tickets, split, seed, first, days, by, chunks):
    """Every count, mean and median of every piece, whatever the period's edges, its cut and
    how many slots and pieces each statement takes."""
    from dmsu.core.cache.registry import clear_all
    from dmsu.metrics import queries
    from dmsu.metrics.periods import date_range
    from dmsu.metrics.report import make_grid, numbers

    import_in_two_parts(tickets, split, seed)
    start = date(2013, 2, 9) + timedelta(days=first)
    period = date_range(start, start + timedelta(days=days))
    grid = make_grid(period, (by,), date(2010, 5, 1))
    clear_all()
    with (
        patch.object(queries, "SLOTS", chunks[0]),
        patch.object(queries, "PARTS", chunks[1]),
    ):
        rows = numbers(grid)
    for grain, pieces in grid.grains.items():
        for piece, row in zip(pieces, rows[grain], strict=True):
            wanted = expected_row(piece)
            assert {key: row[key] for key in wanted} == wanted, (grain, piece.name)
