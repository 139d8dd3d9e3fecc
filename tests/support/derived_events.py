"""What a ticket's derived event columns (unit before, previous same fact, next of its kind,
flow fact) must be, read off its events, and histories in the importer's shape to build them
from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dmsu.tickets.exchange.records import validate_ticket
from dmsu.tickets.models import TicketEvent
from dmsu.tickets.units import SupportUnit

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
