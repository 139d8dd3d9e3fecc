"""``export-tickets``: every ticket back in the import format (:mod:`dmsu.tickets.exchange.records`).

The output is stable: tickets by GGUS id, events by time (ties in the order they were
written), keys in a fixed order, times in UTC. Exporting, importing into an empty database
and exporting again gives the same bytes. Fields at their defaults beyond the contract
(``broad_impact`` false, empty ``impact``...) are left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from dmsu.auth.models import User
from dmsu.cheatsheet.models import Component
from dmsu.tickets.exchange.bulk import chunks
from dmsu.tickets.models import Ticket, TicketEvent
from dmsu.tickets.units import SupportUnit

BATCH = 500
_TICKET_FIELDS = (
    Ticket.id, Ticket.ggus_id, Ticket.subject, Ticket.description, Ticket.submitter,
    Ticket.submitter_email, Ticket.component, Ticket.category, Ticket.priority,
    Ticket.created_at, Ticket.fixed_version, Ticket.assignee, Ticket.broad_impact,
    Ticket.impact, Ticket.workaround, Ticket.postponed, Ticket.lack_of_expertise,
)  # fmt: skip
_EVENT_FIELDS = (
    TicketEvent.ticket, TicketEvent.at, TicketEvent.kind, TicketEvent.support_unit,
    TicketEvent.status, TicketEvent.due, TicketEvent.actor_role, TicketEvent.actor,
    TicketEvent.public, TicketEvent.text, TicketEvent.data,
)  # fmt: skip


def _iso(value) -> str:
    return value.isoformat()


def _data(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return text


class _Names:
    def __init__(self) -> None:
        self.units = dict(SupportUnit.select(SupportUnit.id, SupportUnit.name).tuples())
        self.components = dict(Component.select(Component.id, Component.name).tuples())
        self.users = dict(User.select(User.id, User.username).tuples())


def event_record(row, names: _Names) -> dict:
    """One event in the import shape, from a row of :data:`_EVENT_FIELDS`."""
    _, at, kind, unit, status, due, role, actor, public, text, data = row
    out = {"at": _iso(at), "type": kind}
    if unit is not None:
        out["support_unit"] = names.units[unit]
    if status is not None:
        out["status"] = status
    if due is not None:
        out["due"] = due.isoformat()
    if kind == "comment" or role != "system":
        out["author_role"] = role
    if actor is not None and actor in names.users:
        out["actor"] = names.users[actor]
    if kind == "comment" or not public:
        out["public"] = bool(public)
    if text:
        out["text"] = text
    if data:
        out["data"] = _data(data)
    return out


def ticket_record(row, events: list[dict], names: _Names) -> dict:
    """One ticket in the import shape, from a row of :data:`_TICKET_FIELDS`."""
    (_, ggus_id, subject, description, submitter, email, component, category, priority,
     created_at, fixed_version, assignee, broad_impact, impact, workaround, postponed,
     lack_of_expertise) = row  # fmt: skip
    out = {
        "ggus_id": ggus_id,
        "subject": subject,
        "description": description,
        "submitter": submitter,
        "submitter_email": email,
        "component": names.components.get(component),
        "category": category,
        "priority": priority,
        "created_at": _iso(created_at),
        "fixed_version": fixed_version,
    }
    if assignee is not None and assignee in names.users:
        out["assignee"] = names.users[assignee]
    for name, value in (
        ("broad_impact", bool(broad_impact)),
        ("impact", impact),
        ("workaround", workaround),
        ("postponed", bool(postponed)),
        ("lack_of_expertise", bool(lack_of_expertise)),
    ):
        if value:
            out[name] = value
    out["events"] = events
    return out


def ticket_records(query=None) -> Iterator[dict]:
    """The tickets of ``query`` (default: all) in the import shape, by GGUS id."""
    names = _Names()
    query = query if query is not None else Ticket.select()
    rows = list(query.select(*_TICKET_FIELDS).order_by(Ticket.ggus_id).tuples())
    for part in chunks(rows, BATCH):
        events: dict[int, list[dict]] = {row[0]: [] for row in part}
        found = (
            TicketEvent.select(*_EVENT_FIELDS)
            .where(TicketEvent.ticket.in_(list(events)))
            .order_by(TicketEvent.ticket, TicketEvent.at, TicketEvent.id)
            .tuples()
        )
        for event in found:
            events[event[0]].append(event_record(event, names))
        for row in part:
            yield ticket_record(row, events[row[0]], names)


def export_lines(query=None) -> Iterator[str]:
    """JSON lines (without newline) of :func:`ticket_records`."""
    for record in ticket_records(query):
        yield json.dumps(record, ensure_ascii=False)
