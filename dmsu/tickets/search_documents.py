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
from collections.abc import Iterable

from dmsu.core.db import database, marks
from dmsu.core.search.documents import CHUNK, Document, put, remove
from dmsu.tickets.models import CLOSED_STATUSES, Ticket

AREA = "tickets"
SOLVED_BOOST = 1.6
_SOLVED = ("solved", "verified", "closed")


def documents(ticket_ids: list[int]) -> list[Document]:
    """The current documents of these tickets (those that exist)."""
    result: list[Document] = []
    for start in range(0, len(ticket_ids), CHUNK):
        part = ticket_ids[start : start + CHUNK]
        places = marks(len(part))
        tickets = database.execute_sql(
            "SELECT id, ggus_id, subject, description, impact, workaround, fixed_version, "
            f"status, component_id, updated_at FROM ticket WHERE id IN ({places})",
            part,
        ).fetchall()
        diaries: dict[int, list[str]] = defaultdict(list)
        solution: dict[int, str] = {}
        for ticket_id, kind, status, text in database.execute_sql(
            "SELECT ticket_id, kind, status, text FROM ticket_event "
            f"WHERE ticket_id IN ({places}) AND kind IN ('comment', 'status') AND text <> '' "
            "ORDER BY ticket_id, at, id",
            part,
        ):
            diaries[ticket_id].append(text)
            if kind == "status" and status in CLOSED_STATUSES:
                solution[ticket_id] = text if status in _SOLVED else ""
        for row in tickets:
            ticket_id, ggus_id, subject, description, impact, workaround, fixed, status = row[:8]
            body = "\n".join(t for t in (description, impact, workaround, fixed) if t)
            solved = status in _SOLVED and bool(solution.get(ticket_id))
            result.append(
                Document(
                    area=AREA,
                    key=str(ggus_id),
                    title=subject,
                    body=body,
                    diary="\n".join(diaries.get(ticket_id, ())),
                    audience="staff",
                    component_id=row[8],
                    status=status,
                    at=Ticket.updated_at.python_value(row[9]),
                    boost=SOLVED_BOOST if solved else 1.0,
                )
            )
    return result


def reindex(ticket_ids: Iterable[int]) -> int:
    """Write the documents of these tickets again (in the caller's transaction)."""
    ids = sorted(set(ticket_ids))
    found = documents(ids)
    put(found)
    return len(found)


def forget(ggus_ids: Iterable[int]) -> None:
    """Take deleted tickets out of the index."""
    remove(AREA, [str(ggus_id) for ggus_id in ggus_ids])


def all_ids() -> list[int]:
    return [row[0] for row in database.execute_sql("SELECT id FROM ticket ORDER BY id")]
