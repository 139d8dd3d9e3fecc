"""Who is named in a ticket, from the database: its submitter (name and e-mail address), its
assignee and everyone who acted on it. One query per kind for any number of tickets."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from peewee import fn

from dmsu.auth.models import User
from dmsu.core.publictext.names import People
from dmsu.tickets.models import Ticket, TicketEvent


def _user_names(user: User) -> list[str]:
    return [user.display_name] if user.display_name.strip() else []


def people_of_tickets(ticket_ids: Iterable[int]) -> dict[int, People]:
    """The people of each ticket (two queries): submitter, assignee and actors."""
    ids = sorted({int(i) for i in ticket_ids if i is not None})
    if not ids:
        return {}
    names: dict[int, list[str]] = defaultdict(list)
    addresses: dict[int, list[str]] = defaultdict(list)
    users: dict[int, set[int]] = defaultdict(set)
    rows = Ticket.select(
        Ticket.id, Ticket.submitter, Ticket.submitter_email, Ticket.assignee
    ).where(Ticket.id.in_(ids))
    for ticket_id, submitter, email, assignee in rows.tuples():
        names[ticket_id].append(submitter or "")
        addresses[ticket_id].append(email or "")
        if assignee:
            users[ticket_id].add(assignee)
    actors = (
        TicketEvent.select(TicketEvent.ticket, TicketEvent.actor)
        .where(TicketEvent.ticket.in_(ids) & TicketEvent.actor.is_null(False))
        .distinct()
    )
    for ticket_id, actor in actors.tuples():
        users[ticket_id].add(actor)
    wanted = {u for found in users.values() for u in found}
    by_id = {}
    if wanted:
        query = User.select(User.id, User.display_name, User.email).where(User.id.in_(wanted))
        by_id = {user.id: user for user in query}
    result = {}
    for ticket_id in ids:
        known = [by_id[u] for u in users[ticket_id] if u in by_id]
        result[ticket_id] = People.of(
            names[ticket_id] + [n for user in known for n in _user_names(user)],
            addresses[ticket_id] + [user.email for user in known],
        )
    return result


def people_of(ticket: Ticket) -> People:
    return people_of_tickets([ticket.id]).get(ticket.id, People())


def submitters_of(ticket_ids: Iterable[int]) -> People:
    """The submitters (names and addresses) of the tickets: one query."""
    ids = sorted({int(i) for i in ticket_ids if i is not None})
    if not ids:
        return People()
    rows = Ticket.select(Ticket.submitter, Ticket.submitter_email).where(Ticket.id.in_(ids))
    names, addresses = [], []
    for submitter, email in rows.tuples():
        names.append(submitter or "")
        addresses.append(email or "")
    return People.of(names, addresses)


def tickets_referenced(ggus_ids: Iterable[int]) -> list[int]:
    """The ids of the tickets with these GGUS numbers (``#91039`` in a text)."""
    numbers = sorted({int(n) for n in ggus_ids if 0 < int(n) < 2**31})
    if not numbers:
        return []
    query = Ticket.select(Ticket.id).where(Ticket.ggus_id.in_(numbers[:500]))
    return [row[0] for row in query.tuples()]


def known_submitters(candidates: set[str]) -> set[str]:
    """Which of ``candidates`` ("Mario Rossi") is the name of a ticket's submitter."""
    if not candidates:
        return set()
    wanted = sorted({c.lower() for c in candidates} | set(candidates))
    found = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = (
            Ticket.select(fn.LOWER(Ticket.submitter))
            .where(fn.LOWER(Ticket.submitter).in_(chunk))
            .distinct()
        )
        found |= {row[0] for row in query.tuples()}
    return {c for c in candidates if c.lower() in found}
