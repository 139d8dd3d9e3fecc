"""The SQL form of the ticket's oversight columns, for the migration's backfill of a database
made before them (m0191, when the events' derived columns of later migrations do not exist yet).

THE definition of these columns is :func:`dmsu.tickets.projection.history.project`
(ARCHITECTURE.md rule 1: "Events are the truth"); this ``UPDATE`` computes the same values for
every ticket at once with indexed correlated subqueries, and a property test
(tests of the projection) holds it equal to the pure function on random histories written in any
order, on both databases:

- ``unit_since``: when the ticket entered its current support unit (its latest ``assigned``);
- ``eta_due``: the due date of the latest ETA given since then;
- ``last_reaction_at``: the last supporter reaction — an event by a DMSU actor of a reacting
  kind, or the assignment to DMSU;
- ``waiting_since``: when the ticket last went to ``waiting for reply``;
- ``submitter_wrote_at``: the submitter's latest comment;
- ``escalated_at``: the latest escalation.

"Latest" orders events by (time, id), as the projection reads them.
"""

from __future__ import annotations

from collections.abc import Iterable

from dmsu.core.db import database, marks
from dmsu.tickets.sla.clocks import DMSU_REACTIONS, WAITING

COLUMNS = (
    "unit_since",
    "eta_due",
    "last_reaction_at",
    "waiting_since",
    "submitter_wrote_at",
    "escalated_at",
)
CHUNK = 500


def _latest(condition: str) -> str:
    return f"(SELECT MAX(e.at) FROM ticket_event e WHERE e.ticket_id = ticket.id AND {condition})"


def _assignments() -> str:
    return """(SELECT a.at FROM ticket_event a WHERE a.ticket_id = ticket.id AND a.kind = 'assigned'
               ORDER BY a.at DESC, a.id DESC LIMIT 1)"""


def _eta_due() -> str:
    """The latest ETA not followed by an assignment (an ETA is the promise of the unit it
    was given to; a new assignment clears it)."""
    return """(SELECT e.due FROM ticket_event e WHERE e.ticket_id = ticket.id AND e.kind = 'eta'
                AND NOT EXISTS (SELECT 1 FROM ticket_event a
                                WHERE a.ticket_id = e.ticket_id AND a.kind = 'assigned'
                                  AND (a.at > e.at OR (a.at = e.at AND a.id > e.id)))
               ORDER BY e.at DESC, e.id DESC LIMIT 1)"""


def _set_clause() -> tuple[str, list]:
    kinds = ", ".join(f"'{kind}'" for kind in DMSU_REACTIONS)
    reaction = _latest(
        f"((e.actor_role = 'dmsu' AND e.kind IN ({kinds})) OR (e.kind = 'assigned' AND "
        "e.support_unit_id IN (SELECT u.id FROM support_unit u WHERE u.kind = 'dmsu')))"
    )
    values = {
        "unit_since": (_assignments(), []),
        "eta_due": (_eta_due(), []),
        "last_reaction_at": (reaction, []),
        "waiting_since": (_latest(f"e.kind = 'status' AND e.status = {marks(1)}"), [WAITING]),
        "submitter_wrote_at": (
            _latest("e.kind = 'comment' AND e.actor_role = 'submitter'"),
            [],
        ),
        "escalated_at": (_latest("e.kind = 'escalated'"), []),
    }
    parts, params = [], []
    for column in COLUMNS:
        sql, extra = values[column]
        parts.append(f"{column} = {sql}")
        params += extra
    return ", ".join(parts), params


def refresh(ticket_ids: Iterable[int]) -> None:
    """Recompute the derived columns of the tickets with these ids from their events."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return
    assignments, params = _set_clause()
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        database.execute_sql(
            f"UPDATE ticket SET {assignments} WHERE id IN ({marks(len(part))})",
            [*params, *part],
        )


def refresh_all() -> None:
    """Recompute every ticket (a migration's backfill)."""
    assignments, params = _set_clause()
    database.execute_sql(f"UPDATE ticket SET {assignments}", params)
