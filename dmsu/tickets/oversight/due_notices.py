"""Follow-up notices from the due lists: missing and expired ETAs, tickets without reaction.

Seed 000, "The delegation and follow-up procedure": "Missing ETA assignments as well as those
not matching expectations are escalated"; "Unsolved tickets within the 3rd line support with
expired ETA are checked, re-assessed, and escalated eventually". Seed 001: "reminders on
tickets that were not touched for longer time are generated as well", and the sweep "makes
sure that no tickets are left without supporter's reaction for more than three working days".

The lists are those of the sweep (:mod:`dmsu.tickets.oversight.groups`); each notice is keyed by what
it is about, so it is sent once, and suppressed when noticed more than a day late.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from dmsu.notify.recipients import duty_addresses
from dmsu.tickets.models import TicketEvent
from dmsu.tickets.oversight.groups import (
    Settings,
    as_utc,
    eta_expired,
    needs_reaction,
    no_eta,
)
from dmsu.tickets.oversight.notices import known_keys, notify_once, ticket_url


def _line(row: dict) -> str:
    return f'{row["ggus_id"]} "{row["subject"]}" ({row["unit_name"]})'


def check_etas(s: Settings, config: Mapping) -> str:
    """Ask units for a missing ETA; tell the shift about expired ones (to escalate)."""
    missing = expired = 0
    rows = list(no_eta(s).dicts())
    done = known_keys(("eta_missing",), [row["ggus_id"] for row in rows])
    for row in rows:
        since = as_utc(row["unit_since"])
        key = f"eta-missing:{row['ggus_id']}:{since:%Y%m%dT%H%M%S}"
        if key in done:
            continue
        overdue_at = s.calendar.add_working_days(since, s.no_eta_working_days)
        missing += notify_once(
            key,
            [row["unit_email"]] if row["unit_email"] else [],
            f"[GGUS {row['ggus_id']}] please give an ETA",
            f"Ticket {_line(row)} was assigned to your unit on {since:%Y-%m-%d} and has no "
            "ETA yet. Please tell us when a fix can be expected.\n\n"
            f"{ticket_url(config, row['ggus_id'])}\n",
            kind="eta_missing",
            ticket_ggus_id=row["ggus_id"],
            due=overdue_at,
            now=s.now,
        )
    zone = ZoneInfo(s.calendar.tz)
    duty = duty_addresses(s.now)
    rows = list(eta_expired(s).dicts())
    done = known_keys(("eta_expired",), [row["ggus_id"] for row in rows])
    for row in rows:
        due = TicketEvent.due.python_value(row["eta_due"])
        key = f"eta-expired:{row['ggus_id']}:{due:%Y-%m-%d}"
        if key in done:
            continue
        expired_at = datetime.combine(due + timedelta(days=1), time(0), tzinfo=zone)
        expired += notify_once(
            key,
            duty,
            f"[GGUS {row['ggus_id']}] ETA {due:%Y-%m-%d} expired",
            f"The ETA of ticket {_line(row)} was {due:%Y-%m-%d}; the ticket is still open. "
            "Check, re-assess and escalate it if needed.\n\n"
            f"{ticket_url(config, row['ggus_id'])}\n",
            kind="eta_expired",
            ticket_ggus_id=row["ggus_id"],
            due=expired_at,
            now=s.now,
        )
    return f"{missing} ETA requests, {expired} expired ETAs reported"


def remind_reaction(s: Settings, config: Mapping) -> str:
    """Tell the assignee (else the shift) about tickets without reaction for too long."""
    sent = 0
    duty = duty_addresses(s.now)
    rows = list(needs_reaction(s).dicts())
    done = known_keys(("reaction_reminder",), [row["ggus_id"] for row in rows])
    for row in rows:
        last = as_utc(row["last_reaction"])
        key = f"reaction-remind:{row['ggus_id']}:{last:%Y%m%dT%H%M%S}"
        if key in done:
            continue
        stale_at = s.calendar.add_working_days(last, s.reaction_working_days)
        to = [row["assignee_email"]] if row["assignee_email"] else duty
        sent += notify_once(
            key,
            to,
            f"[GGUS {row['ggus_id']}] no reaction for {s.reaction_working_days:g} working days",
            f"Ticket {_line(row)} has had no supporter's reaction since "
            f"{last:%Y-%m-%d %H:%M} UTC. Please record the progress.\n\n"
            f"{ticket_url(config, row['ggus_id'])}\n",
            kind="reaction_reminder",
            ticket_ggus_id=row["ggus_id"],
            due=stale_at,
            now=s.now,
        )
    return f"{sent} reaction reminders"
