"""Waiting for the submitter: reminders, then the automatic close.

Seed 001, "Ticket oversight and followup": "tickets may get stuck in the 'waiting for reply'
state when further information from the user is requested. If the user does not respond for
longer than a week, reminders are sent regularly. If the user still does not respond for a
month, such ticket is closed, assuming the user is not interested in solving the issue
anymore. The user can still reopen the ticket any time, though."

The silence is counted from the later of the move to ``waiting for reply`` and the
submitter's last comment. Reminder ``n`` falls ``DMSU_REMIND_SUBMITTER_AFTER_DAYS`` +
(n − 1) × ``DMSU_REMIND_SUBMITTER_EVERY_DAYS`` days into the silence; after
``DMSU_CLOSE_WAITING_AFTER_DAYS`` days the system closes the ticket through the workflow with
a public note saying why and that the submitter can reopen it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from dmsu.tickets import workflow
from dmsu.tickets.models import Ticket
from dmsu.tickets.oversight.groups import (
    WAITING,
    as_utc,
    db_instant,
    is_null,
    last_submitter_comment_at,
    waiting_since_at,
)
from dmsu.tickets.oversight.notices import known_keys, notify_once, ticket_url


@dataclass(frozen=True)
class WaitingRules:
    remind_after_days: int = 7
    remind_every_days: int = 7
    close_after_days: int = 30

    @classmethod
    def from_config(cls, config: Mapping) -> WaitingRules:
        return cls(
            remind_after_days=int(config.get("DMSU_REMIND_SUBMITTER_AFTER_DAYS", 7)),
            remind_every_days=max(1, int(config.get("DMSU_REMIND_SUBMITTER_EVERY_DAYS", 7))),
            close_after_days=int(config.get("DMSU_CLOSE_WAITING_AFTER_DAYS", 30)),
        )

    def reminder_number(self, quiet_since: datetime, now: datetime) -> int:
        """How many reminders are due by ``now`` (0 before the first)."""
        silent = now - quiet_since - timedelta(days=self.remind_after_days)
        if silent < timedelta(0):
            return 0
        return silent // timedelta(days=self.remind_every_days) + 1

    def reminder_at(self, quiet_since: datetime, n: int) -> datetime:
        days = self.remind_after_days + (n - 1) * self.remind_every_days
        return quiet_since + timedelta(days=days)

    def close_at(self, quiet_since: datetime) -> datetime:
        return quiet_since + timedelta(days=self.close_after_days)


def silent_submitters(rules: WaitingRules, now: datetime):
    """Open tickets waiting for reply whose submitter has been silent past the first reminder:
    rows of (ticket, waiting_since, submitter_wrote)."""
    since = waiting_since_at()
    wrote = last_submitter_comment_at()
    limit = db_instant(now - timedelta(days=min(rules.remind_after_days, rules.close_after_days)))
    return (
        Ticket.select(Ticket, since.alias("waiting_since"), wrote.alias("submitter_wrote"))
        .where((Ticket.status == WAITING) & (since < limit) & (is_null(wrote) | (wrote < limit)))
        .order_by(Ticket.ggus_id)
    )


def remind_waiting(now: datetime, config: Mapping) -> str:
    """Send the due reminders and close the tickets silent for too long."""
    rules = WaitingRules.from_config(config)
    reminded = closed = 0
    tickets = list(silent_submitters(rules, now))
    done = known_keys(("waiting_reminder",), [t.ggus_id for t in tickets])
    for ticket in tickets:
        quiet = max(filter(None, (as_utc(ticket.waiting_since), as_utc(ticket.submitter_wrote))))
        stamp = f"{quiet:%Y%m%dT%H%M%S}"
        if now >= rules.close_at(quiet):
            closed += close_silent_ticket(ticket, quiet, stamp, rules, now, config)
            continue
        n = rules.reminder_number(quiet, now)
        if n and f"waiting-remind:{ticket.ggus_id}:{stamp}:{n}" not in done:
            reminded += _remind_submitter(ticket, n, quiet, stamp, rules, now, config)
    return f"{reminded} reminders to submitters, {closed} tickets closed"


def _remind_submitter(ticket, n, quiet, stamp, rules, now, config) -> int:
    key = f"waiting-remind:{ticket.ggus_id}:{stamp}:{n}"
    close_on = f"{rules.close_at(quiet):%Y-%m-%d}"
    body = (
        f"Dear {ticket.submitter or 'submitter'},\n\n"
        f'ticket {ticket.ggus_id} "{ticket.subject}" is waiting for your reply since '
        f"{quiet:%Y-%m-%d}. Please add the information asked for in the ticket.\n"
        f"Without a reply the ticket will be closed on {close_on}; you can reopen it at any "
        f"time.\n\n{ticket_url(config, ticket.ggus_id)}\n"
    )
    done = notify_once(
        key,
        [ticket.submitter_email] if ticket.submitter_email else [],
        f"[GGUS {ticket.ggus_id}] waiting for your reply (reminder {n})",
        body,
        kind="waiting_reminder",
        ticket_ggus_id=ticket.ggus_id,
        due=rules.reminder_at(quiet, n),
        now=now,
        event={
            "ticket": ticket,
            "kind": "reminder",
            "at": now,
            "text": f"Reminder {n} to the submitter: the ticket waits for a reply since "
            f"{quiet:%Y-%m-%d}; it will be closed on {close_on} without one.",
            "public": True,
        },
    )
    return int(done)


def close_note(rules: WaitingRules) -> str:
    return (
        f"Closed automatically: no reply from the submitter for {rules.close_after_days} days "
        "while the ticket was waiting for reply. The submitter can reopen the ticket at any "
        "time by replying to it."
    )


def close_silent_ticket(ticket, quiet, stamp, rules, now, config) -> int:
    """Close through the workflow as the system; tell the submitter (unless noticed late)."""
    try:
        workflow.change_status(
            ticket, workflow.SYSTEM, "closed", note=close_note(rules), public=True, at=now
        )
    except workflow.WorkflowError:
        return 0
    notify_once(
        f"waiting-close:{ticket.ggus_id}:{stamp}",
        [ticket.submitter_email] if ticket.submitter_email else [],
        f"[GGUS {ticket.ggus_id}] closed: no reply",
        f"{close_note(rules)}\n\n{ticket_url(config, ticket.ggus_id)}\n",
        kind="waiting_close",
        ticket_ggus_id=ticket.ggus_id,
        due=rules.close_at(quiet),
        now=now,
    )
    return 1
