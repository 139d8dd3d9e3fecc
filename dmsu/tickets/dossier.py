"""A ticket's dossier: what its events say about its SLA clocks, its ETAs, its status and
assignment history and the units involved, as plain data a page, the API or an export can
show (read here once, so they tell the same story).

Everything comes from the ticket's events (ARCHITECTURE.md rule 1) read with one query, the
support units with one, the involvements with one: a bounded read whatever the history's length.
The SLA clocks are :func:`dmsu.tickets.sla.rules.ticket_clocks` run as of ``now`` (seed 001:
"The product teams are obliged to react to the ticket in a given time, depending on the
priority, as described by the SLAs"), so they carry their pauses, which the stored
``sla_clock`` rows do not keep.

Internal comments are text only some may read: :func:`sees_internal_comments` is the one
predicate, the ``ticket.view`` permission that also opens the ticket itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dmsu.auth.permissions import can
from dmsu.core.calendar import SLA_LEVEL_LABELS, BusinessCalendar, severity_of
from dmsu.tickets.models import Ticket, TicketInvolvement
from dmsu.tickets.pages.queries import timeline_of
from dmsu.tickets.sla.clocks import EventRow
from dmsu.tickets.sla.rules import ticket_clocks, units_by_id
from dmsu.tickets.units import SupportUnit


def sees_internal_comments(user) -> bool:
    """Whether ``user`` may read a ticket's internal (diary) comments: whoever may read the
    ticket (tickets are internal; only staff hold ``ticket.view``)."""
    return can(user, "ticket.view")


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Dossier:
    sla_clocks: list[dict]
    etas: dict
    status_history: list[dict]
    assignments: list[dict]
    involvements: list[dict]


def severity(priority: str) -> int:
    """The SLA severity of a priority; 4 (the mildest) for one the SLA tables do not name,
    as the SLA rules count it."""
    try:
        return severity_of(priority)
    except ValueError:
        return 4


def _name(units: dict, unit_id) -> str | None:
    unit = units.get(unit_id)
    return unit.name if unit is not None else None


def _pauses_of(clock) -> list[dict]:
    """The stretches in "waiting for reply" while the clock ran: the clock's own pauses cut
    to begin at its start (a ticket already waiting when it was assigned pauses the clock
    from the assignment on)."""
    found = []
    for begin, end in clock.pauses:
        if end is not None and end <= clock.started_at:
            continue
        found.append({"from": _iso(max(begin, clock.started_at)), "until": _iso(end)})
    return found


def sla_clocks(ticket: Ticket, rows: list[EventRow], units: dict, calendar, now) -> list[dict]:
    """Every SLA clock of the ticket as of ``now``: one per assignment to a 3rd-line unit."""
    found = []
    for seq, clock in enumerate(ticket_clocks(ticket.priority, rows, units, calendar, now)):
        unit = units[clock.unit_id]
        stopped = clock.responded_at or clock.ended_at
        found.append(
            {
                "seq": seq,
                "support_unit": unit.name,
                "sla_level": unit.sla_level,
                "sla_level_label": SLA_LEVEL_LABELS.get(unit.sla_level, unit.sla_level),
                "severity": severity(ticket.priority),
                "priority": ticket.priority,
                "response_hours": clock.hours,
                "started_at": _iso(clock.started_at),
                "pauses": _pauses_of(clock),
                "due_at": _iso(clock.due_at),
                "stopped_at": _iso(stopped),
                "stopped_by": (
                    "response"
                    if clock.responded_at is not None
                    else ("end" if clock.ended_at is not None else None)
                ),
                "state": clock.state(now),
            }
        )
    return found


def _actor(event) -> str | None:
    return event.actor.username if event.actor_id is not None else None


def etas(ticket: Ticket, timeline: list, units: dict, internal: bool) -> dict:
    """The ticket's current ETA (its unit's latest since the last assignment), the first ETA
    it was ever given, its ETA outcome as the metrics count it (once fixed: when the fix came,
    from which unit, the initial and final due dates; else None) and every ETA given, oldest
    first, the current one marked."""
    history = []
    current_index = None
    for event in timeline:
        if event.kind == "assigned":
            current_index = None
        elif event.kind == "eta":
            shows_text = event.public or internal
            history.append(
                {
                    "at": _iso(event.at),
                    "due": _iso(event.due),
                    "support_unit": _name(units, event.unit_before_id),
                    "actor": _actor(event),
                    "author_role": event.actor_role,
                    "public": bool(event.public),
                    "text": event.text if shows_text else None,
                    "current": False,
                }
            )
            current_index = len(history) - 1 if event.due is not None else current_index
    if current_index is not None and ticket.eta_due is not None:
        history[current_index]["current"] = True
    outcome = None
    if ticket.eta_fix_at is not None:
        outcome = {
            "fixed_at": _iso(ticket.eta_fix_at),
            "initial_due": _iso(ticket.eta_initial_due),
            "final_due": _iso(ticket.eta_final_due),
            "fixed_in_unit": _name(units, ticket.eta_fix_unit_id),
        }
    dues = [entry["due"] for entry in history if entry["due"] is not None]
    return {
        "due": _iso(ticket.eta_due),
        "first_due": dues[0] if dues else None,
        "outcome": outcome,
        "history": history,
    }


def status_history(timeline: list) -> list[dict]:
    """Every status the ticket was given, oldest first."""
    return [
        {
            "at": _iso(e.at),
            "status": e.status,
            "actor": _actor(e),
            "author_role": e.actor_role,
        }
        for e in timeline
        if e.kind == "status"
    ]


def assignments(timeline: list, units: dict) -> list[dict]:
    """Every assignment to a support unit, oldest first, with the unit it came from."""
    return [
        {
            "at": _iso(e.at),
            "support_unit": _name(units, e.support_unit_id),
            "from_unit": _name(units, e.unit_before_id),
            "actor": _actor(e),
        }
        for e in timeline
        if e.kind == "assigned"
    ]


def involvements(ticket: Ticket) -> list[dict]:
    """The units kept informed about the ticket now, with since when (one query)."""
    rows = (
        TicketInvolvement.select(TicketInvolvement.since, SupportUnit.name, SupportUnit.kind)
        .join(SupportUnit)
        .where(TicketInvolvement.ticket == ticket.id)
        .order_by(TicketInvolvement.since, SupportUnit.name)
        .tuples()
    )
    return [
        {"support_unit": name, "kind": kind, "since": _iso(since)} for since, name, kind in rows
    ]


def _event_row(event) -> EventRow:
    return EventRow(
        event.id,
        event.ticket_id,
        event.at,
        event.kind,
        event.actor_id,
        event.actor_role,
        event.support_unit_id,
        event.status,
    )


def dossier_of(ticket: Ticket, user, calendar: BusinessCalendar, now: datetime) -> Dossier:
    """The ticket's dossier as ``user`` may read it, as of ``now`` (three queries)."""
    timeline = timeline_of(ticket)
    units = units_by_id()
    rows = [_event_row(e) for e in timeline]
    return Dossier(
        sla_clocks=sla_clocks(ticket, rows, units, calendar, now),
        etas=etas(ticket, timeline, units, sees_internal_comments(user)),
        status_history=status_history(timeline),
        assignments=assignments(timeline, units),
        involvements=involvements(ticket),
    )
