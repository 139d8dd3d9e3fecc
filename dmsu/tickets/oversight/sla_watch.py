"""Watching the SLA clocks: warn the unit at 75 % of its response time, record a violation after.

Seed 001: "Compliance to the agreed service level targets is continuously monitored by the
software support team ... Reminders are sent when the deadlines are approaching or they were
missed, and regular statistics on the SLA violations are generated and reported to TCB."

The warning goes to the unit's contact address once 75 % of the response time has passed in
working time (:data:`WARN_AT`, as the QoS reminders of GGUS do); a violation is an
``sla_violation`` event by the system, at the moment the deadline passed, and a notice to DMSU.
Both are keyed by the assignment event that started the clock, so a rerun does nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from peewee import fn

from dmsu.core.calendar import SLA_LEVEL_LABELS, BusinessCalendar
from dmsu.notify.recipients import dmsu_addresses, unit_addresses
from dmsu.tickets.models import CLOSED_STATUSES, Ticket, TicketEvent
from dmsu.tickets.oversight.notices import known_keys, notify_once, ticket_url
from dmsu.tickets.sla.clocks import Clock, event_rows
from dmsu.tickets.sla.rules import ticket_clocks
from dmsu.tickets.units import SupportUnit


def tickets_with_clocks():
    """Open tickets ever assigned to a 3rd-line unit that declared response times."""
    event = TicketEvent.alias()
    assigned = (
        event.select(event.id)
        .join(SupportUnit, on=(event.support_unit == SupportUnit.id))
        .where(
            (event.ticket == Ticket.id)
            & (event.kind == "assigned")
            & (SupportUnit.kind == "third_line")
            & (SupportUnit.sla_level != "unspecified")
        )
    )
    return Ticket.select().where(Ticket.status.not_in(CLOSED_STATUSES) & fn.EXISTS(assigned))


WARN_AT = 0.75
"""The share of the response time after which the unit is warned."""


def reminder_due_at(clock: Clock, calendar: BusinessCalendar) -> datetime | None:
    """When :data:`WARN_AT` of the response time has passed (working time, pauses not
    counting); None while a pause that is still open stops the clock."""
    working = clock.calendar or calendar  # the unit's working time
    return working.deadline_with_pauses(clock.started_at, clock.hours * WARN_AT, clock.pauses)


def _what(unit: SupportUnit, ticket: Ticket) -> str:
    level = SLA_LEVEL_LABELS.get(unit.sla_level, unit.sla_level)
    return f"{unit.name} ({level}) on ticket {ticket.ggus_id} ({ticket.priority})"


def check_sla(now: datetime, calendar: BusinessCalendar, config: Mapping) -> str:
    """Remind units whose response is due within a working day; record missed responses."""
    tickets = list(tickets_with_clocks())
    units = {unit.id: unit for unit in SupportUnit.select()}
    events = event_rows([t.id for t in tickets])
    done = known_keys(("sla_reminder", "sla_violation"), [t.ggus_id for t in tickets])
    reminded = violated = 0
    for ticket in tickets:
        for clock in ticket_clocks(ticket.priority, events[ticket.id], units, calendar, now):
            if clock.hours is None or clock.due_at is None:
                continue
            unit = units[clock.unit_id]
            state = clock.state(now)
            if state == "violated":
                if f"sla-violation:{clock.assignment_id}" not in done:
                    violated += _record_violation(ticket, unit, clock, now, config)
            elif state == "running" and f"sla-remind:{clock.assignment_id}" not in done:
                remind_at = reminder_due_at(clock, calendar)
                if remind_at is not None and remind_at <= now:
                    reminded += _remind_unit(ticket, unit, clock, remind_at, now, config)
    return f"{len(tickets)} tickets with SLA clocks, {reminded} reminders, {violated} violations"


def _remind_unit(ticket, unit, clock: Clock, remind_at, now, config) -> int:
    key = f"sla-remind:{clock.assignment_id}"
    due = f"{clock.due_at:%Y-%m-%d %H:%M} UTC"
    body = (
        f'Ticket {ticket.ggus_id} "{ticket.subject}" was assigned to {unit.name} on '
        f"{clock.started_at:%Y-%m-%d %H:%M} UTC and has no response yet.\n"
        f"Under the declared service level the response is due by {due}.\n\n"
        f"{ticket_url(config, ticket.ggus_id)}\n"
    )
    done = notify_once(
        key,
        unit_addresses(unit),
        f"[GGUS {ticket.ggus_id}] response due by {due}",
        body,
        kind="sla_reminder",
        ticket_ggus_id=ticket.ggus_id,
        due=remind_at,
        now=now,
        event={
            "ticket": ticket,
            "kind": "reminder",
            "at": now,
            "text": f"SLA reminder to {unit.name}: the response is due by {due}.",
            "public": False,
            "support_unit": unit,
        },
    )
    return int(done)


def _record_violation(ticket, unit, clock: Clock, now, config) -> int:
    key = f"sla-violation:{clock.assignment_id}"
    due = f"{clock.due_at:%Y-%m-%d %H:%M} UTC"
    answered = (
        f"answered late, on {clock.responded_at:%Y-%m-%d %H:%M} UTC"
        if clock.responded_at
        else "not answered"
    )
    body = (
        f"The response of {_what(unit, ticket)} was due by {due} and was {answered}.\n"
        f"Subject: {ticket.subject}\n\n{ticket_url(config, ticket.ggus_id)}\n"
    )
    done = notify_once(
        key,
        dmsu_addresses(),
        f"[GGUS {ticket.ggus_id}] SLA violated by {unit.name}",
        body,
        kind="sla_violation",
        ticket_ggus_id=ticket.ggus_id,
        due=clock.due_at,
        now=now,
        event={
            "ticket": ticket,
            "kind": "sla_violation",
            "at": clock.due_at,
            "text": f"No response from {unit.name} within the SLA: it was due by {due}.",
            "public": False,
            "support_unit": unit,
        },
    )
    return int(done)
