"""What the oversight jobs share: the "noticed too late" rule, the once-only system events and
the mail text around a ticket.

"Every job is idempotent: what was sent is in a notification log, so a rerun
or a late run sends nothing twice; a deadline noticed more than a day late (after importing
history, or after an outage) is recorded but not mailed, so replaying 2012 never mails anyone."
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from peewee import IntegrityError

from dmsu.core.db import database
from dmsu.notify import mail
from dmsu.tickets.models import Ticket, TicketEvent
from dmsu.tickets.workflow.events import SYSTEM, append, step

LATE = timedelta(days=1)


def noticed_late(due: datetime, now: datetime) -> bool:
    """Whether a deadline that fell at ``due`` is noticed more than a day late at ``now``."""
    return now - due > LATE


def known_keys(kinds: Iterable[str], ggus_ids: Iterable[int]) -> set[str]:
    """The notification keys already recorded for these tickets (one query per 2000 tickets),
    so a job that runs every few minutes checks its whole list without a query per row."""
    from dmsu.notify.models import Notification

    ids = sorted(set(ggus_ids))
    keys: set[str] = set()
    for start in range(0, len(ids), 2000):
        query = Notification.select(Notification.key).where(
            Notification.kind.in_(list(kinds))
            & Notification.ticket_ggus_id.in_(ids[start : start + 2000])
        )
        keys.update(key for (key,) in query.tuples())
    return keys


def ticket_url(config: Mapping, ggus_id: int) -> str:
    return f"{str(config.get('DMSU_BASE_URL', '')).rstrip('/')}/tickets/{ggus_id}"


def notify_once(
    key: str,
    recipients: Iterable[str],
    subject: str,
    body: str,
    *,
    kind: str,
    ticket_ggus_id: int,
    due: datetime,
    now: datetime,
    event: dict | None = None,
) -> bool:
    """Queue a notification under ``key`` (suppressed when noticed late) and, with ``event``,
    record a system event on the ticket with the same key; False when already done.

    ``event`` holds ``ticket``, ``kind``, ``text``, ``public`` and the event's other fields.
    """
    if TicketEvent.select().where(TicketEvent.dedupe_key == key[:64]).exists():
        return False
    try:
        with database.atomic():
            note = mail.queue(
                key,
                list(recipients),
                subject,
                body,
                kind=kind,
                ticket_ggus_id=ticket_ggus_id,
                suppress=noticed_late(due, now),
            )
            if note is None:
                return False
            if event is not None:
                record_system_event(key=key, **event)
    except IntegrityError:
        return False
    return True


def record_system_event(
    *, ticket: Ticket, kind: str, key: str, at: datetime, text: str, public: bool, **fields
) -> TicketEvent | None:
    """Append one event by the system actor, at most once per ``key`` (its dedupe key).

    Reminders and SLA violations change no summary column, so they are appended without the
    workflow's rule checks; status changes (the auto-close) go through the workflow. Events are
    recorded in time order, so one noticed after the ticket's last change is dated then (the
    text says when the deadline fell).
    """
    key = key[:64]
    if TicketEvent.select().where(TicketEvent.dedupe_key == key).exists():
        return None
    if ticket.updated_at and at < ticket.updated_at:
        at = ticket.updated_at
    with step(ticket):
        return append(ticket, SYSTEM, kind, at, text=text, public=public, dedupe_key=key, **fields)
