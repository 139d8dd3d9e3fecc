"""A ticket as the search index holds it (:mod:`dmsu.core.search`): its subject (the title),
its description with impact, workaround and fixed version (the body), and its whole diary —
every comment and status note, public and internal — in order (the diary). Tickets are staff
documents: only the roles that may see tickets find them.

Seed 000 wants the knowledge of solved tickets kept and found: "the problem and its solution
are recorded" — a ticket closed with a solution note (the text of the status change that
closed it) is boosted, so "have we seen this before, and what fixed it?" finds it first.

The one place tickets are written is the end of a workflow step (:func:`dmsu.tickets.workflow.
events.step`) and the importer's batch; both call :func:`reindex` with the tickets they wrote.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from dmsu.core.db import database, marks
from dmsu.core.search.documents import CHUNK, Document, put, remove
from dmsu.tickets.models import CLOSED_STATUSES, Ticket

AREA = "tickets"
SOLVED_BOOST = 1.6
_SOLVED = ("solved", "verified", "closed")
DIARY_KINDS = ("comment", "status")


def documents(ticket_ids: list[int]) -> list[Document]:
    """The current documents of these tickets (those that exist), in one query per chunk:
    each ticket with its diary's events joined (a workflow step pays one read for it)."""
    result: list[Document] = []
    for start in range(0, len(ticket_ids), CHUNK):
        part = ticket_ids[start : start + CHUNK]
        places = marks(len(part))
        # the events' own ticket_id condition too: on a table just imported (no statistics
        # yet) PostgreSQL otherwise reads every comment and status event of the database
        rows = database.execute_sql(
            "SELECT t.id, t.ggus_id, t.subject, t.description, t.impact, t.workaround, "
            "t.fixed_version, t.status, t.component_id, t.updated_at, e.kind, e.status, e.text "
            "FROM ticket t LEFT JOIN ticket_event e ON e.ticket_id = t.id "
            f"AND e.ticket_id IN ({places}) AND e.kind IN {DIARY_KINDS!r} AND e.text <> '' "
            f"WHERE t.id IN ({places}) ORDER BY t.id, e.at, e.id",
            part + part,
        ).fetchall()
        by_ticket: dict[int, list[tuple]] = defaultdict(list)
        for row in rows:
            by_ticket[row[0]].append(row)
        result += [_document(ticket_rows) for ticket_rows in by_ticket.values()]
    return result


def _document(rows: list[tuple]) -> Document:
    """One ticket's document from its rows (the ticket's columns, then one event each)."""
    first = rows[0]
    events = [(kind, status, text) for *_, kind, status, text in rows if text]
    return document_of(*first[1:10], events)


def document_of(
    ggus_id, subject, description, impact, workaround, fixed, status, component_id, at, events
) -> Document:
    """A ticket's document from its columns and its events' ``(kind, status, text)`` in the
    order the database keeps them (time, then as written), from rows read back or from what
    a writer holds in memory (the importer's new tickets): the same document either way."""
    diary, solution = [], ""
    for kind, event_status, text in events:
        if text and kind in DIARY_KINDS:
            diary.append(text)
            if kind == "status" and event_status in CLOSED_STATUSES:
                solution = text if event_status in _SOLVED else ""
    body = "\n".join(t for t in (description, impact, workaround, fixed) if t)
    solved = status in _SOLVED and bool(solution)
    return Document(
        area=AREA,
        key=str(ggus_id),
        title=subject,
        body=body,
        diary="\n".join(diary),
        audience="staff",
        component_id=component_id,
        status=status,
        at=Ticket.updated_at.python_value(at),
        boost=SOLVED_BOOST if solved else 1.0,
    )


def _written(values: Mapping, events: Iterable) -> Document:
    """The document of a ticket just inserted, from the writer's column ``values`` and its
    event records (``.at``, ``.kind``, ``.status``, ``.text``) in the order written."""
    ordered = sorted(events, key=lambda e: e.at)  # stable: the database's (at, id)
    return document_of(
        values["ggus_id"],
        values["subject"],
        values["description"],
        values["impact"],
        values["workaround"],
        values["fixed_version"],
        values["status"],
        values["component"],
        values["updated_at"],
        [(e.kind, e.status, e.text) for e in ordered],
    )


def reindex(ticket_ids: Iterable[int], written: Mapping[int, tuple] | None = None) -> int:
    """Write the documents of these tickets again (in the caller's transaction).

    ``written``: ``{ticket id: (column values, event records)}`` of tickets the caller has
    just inserted, whose documents are made from that rather than read back (the importer's
    new tickets: at 100,000 tickets the read-back was most of the index upkeep)."""
    written = written or {}
    ids = sorted(set(ticket_ids) - set(written))
    found = documents(ids) + [_written(values, events) for values, events in written.values()]
    put(found)
    return len(found)


def forget(ggus_ids: Iterable[int]) -> None:
    """Take deleted tickets out of the index."""
    remove(AREA, [str(ggus_id) for ggus_id in ggus_ids])


def all_ids() -> list[int]:
    return [row[0] for row in database.execute_sql("SELECT id FROM ticket ORDER BY id")]
