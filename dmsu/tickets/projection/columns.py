"""Ticket columns derived from the event log, kept in step with it (ARCHITECTURE.md rule 1: "Events
are the truth"; these are summaries for the oversight lists, recomputable from events).

- ``unit_since``: when the ticket entered its current support unit (its latest ``assigned``);
- ``eta_due``: the due date of the latest ETA given since then;
- ``last_reaction_at``: the last supporter reaction — an event by a DMSU actor of a reacting
  kind, or the assignment to DMSU (seed 001: "no tickets are left without supporter's reaction
  for more than three working days");
- ``waiting_since``: when the ticket last went to ``waiting for reply``;
- ``submitter_wrote_at``: the submitter's latest comment;
- ``escalated_at``: the latest escalation.

The events' own derived columns and each ticket's ETA outcome, which the metrics read, are
kept by :mod:`dmsu.tickets.projection.facts` in the same transaction, and its SLA clocks by
:mod:`dmsu.tickets.sla.stored_clocks`.

"Latest" orders events by (time, id), as :func:`dmsu.tickets.workflow.events.replay` does. Every event
written through the ORM (the workflow's ``append``) refreshes its ticket in the same
transaction (:func:`event_written`); bulk writers (the importer) call :func:`refresh` with the
tickets they wrote. One ``UPDATE`` computes the columns from the events with indexed
correlated subqueries, so the values never depend on the order events arrive in.
"""

from __future__ import annotations

from collections.abc import Iterable

from dmsu.core.db import database, marks
from dmsu.tickets.sla.clocks import CLOCK_KINDS, DMSU_REACTIONS, WAITING

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


def refresh_ggus(ggus_ids: Iterable[int]) -> None:
    """:func:`refresh` for the tickets with these GGUS numbers (for the importer's batches)."""
    from dmsu.tickets.models import Ticket

    wanted = sorted(set(ggus_ids))
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        refresh(row[0] for row in Ticket.select(Ticket.id).where(Ticket.ggus_id.in_(part)).tuples())


def refresh_all() -> None:
    """Recompute every ticket (a migration's backfill)."""
    assignments, params = _set_clause()
    database.execute_sql(f"UPDATE ticket SET {assignments}", params)


def oversight_values(events, dmsu_units: frozenset) -> dict:
    """The oversight columns of :data:`COLUMNS` that :func:`refresh` computes in SQL, worked
    out in Python from a new ticket's events ``(kind, unit_id, status, at, role)`` (the
    importer's fast path for tickets it creates; the rules are the same: the latest event of
    each kind, by time)."""
    found = dict.fromkeys(("last_reaction_at", "waiting_since", "submitter_wrote_at",
                           "escalated_at"))  # fmt: skip

    def later(column: str, at) -> None:
        if found[column] is None or at > found[column]:
            found[column] = at

    for kind, unit_id, status, at, role in events:
        if (role == "dmsu" and kind in DMSU_REACTIONS) or (
            kind == "assigned" and unit_id in dmsu_units
        ):
            later("last_reaction_at", at)
        if kind == "status" and status == WAITING:
            later("waiting_since", at)
        if kind == "comment" and role == "submitter":
            later("submitter_wrote_at", at)
        if kind == "escalated":
            later("escalated_at", at)
    return found


def event_written(event) -> None:
    """Bring the event's ticket in step, in the database and on the ticket object the event
    was written with (so the caller's later ``ticket.save()`` keeps the new values)."""
    from dmsu.tickets.models import Ticket
    from dmsu.tickets.projection.facts import refresh_events
    from dmsu.tickets.sla import stored_clocks as sla_clocks

    refresh([event.ticket_id])
    refresh_events([event.ticket_id])
    if event.kind in CLOCK_KINDS:
        sla_clocks.refresh([event.ticket_id])
    ticket = event.__rel__.get("ticket")
    if ticket is None:
        return
    fields = [getattr(Ticket, column) for column in COLUMNS]
    row = Ticket.select(*fields).where(Ticket.id == event.ticket_id).tuples().first()
    if row is not None:
        for column, value in zip(COLUMNS, row, strict=True):
            setattr(ticket, column, value)
