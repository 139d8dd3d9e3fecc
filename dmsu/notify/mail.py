"""The one mail path. Every notification is first recorded in the notification log under a
key that names what it is about (so a job that runs twice or late records nothing twice), then
delivered by :func:`deliver_pending`: by SMTP when ``DMSU_SMTP_HOST`` is set, otherwise into the
outbox an admin can read. Failed deliveries stay queued and are retried.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from peewee import IntegrityError

from dmsu.core import clock
from dmsu.core.db import database
from dmsu.notify.models import Notification

MAX_ATTEMPTS = 10


def queue(
    key: str,
    recipients: str | Iterable[str],
    subject: str,
    body: str,
    *,
    kind: str,
    ticket_ggus_id: int | None = None,
    suppress: bool = False,
) -> Notification | None:
    """Record a notification once per ``key``; return it, or None when the key is known.

    ``suppress`` records it without mailing (a deadline noticed more than a day late).
    """
    if not isinstance(recipients, str):
        recipients = ", ".join(r for r in recipients if r)
    if Notification.select().where(Notification.key == key).exists():
        return None
    try:
        with database.atomic():
            return Notification.create(
                key=key,
                kind=kind,
                ticket_ggus_id=ticket_ggus_id,
                recipient=recipients,
                subject=subject[:500],
                body=body,
                state="suppressed" if suppress or not recipients else "queued",
            )
    except IntegrityError:
        return None


def _message(note: Notification, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = note.recipient
    message["Subject"] = note.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["X-DMSU-Notification"] = note.key
    message.set_content(note.body)
    return message


def _claim(note: Notification) -> bool:
    """Take a notification for sending; False when another process took it first."""
    claimed = (
        Notification.update(
            state="sending", attempts=Notification.attempts + 1, claimed_at=clock.now()
        )
        .where((Notification.id == note.id) & Notification.state.in_(("queued", "failed")))
        .execute()
    )
    return claimed == 1


def deliver_pending(config) -> dict[str, int]:
    """Send what is queued (or put it in the outbox when no SMTP server is configured)."""
    counts = {"sent": 0, "failed": 0, "outbox": 0}
    pending = list(
        Notification.select()
        .where(
            Notification.state.in_(("queued", "failed")) & (Notification.attempts < MAX_ATTEMPTS)
        )
        .order_by(Notification.id)
    )
    if not pending:
        return counts
    host = config.get("DMSU_SMTP_HOST")
    if not host:
        for note in pending:
            Notification.update(state="outbox").where(Notification.id == note.id).execute()
            counts["outbox"] += 1
        return counts
    try:
        smtp = smtplib.SMTP(
            host, int(config["DMSU_SMTP_PORT"]), timeout=config["DMSU_SMTP_TIMEOUT"]
        )
    except OSError as exc:
        for note in pending:
            _mark_failed(note, f"cannot connect to {host}: {exc}")
        counts["failed"] += len(pending)
        return counts
    with smtp:
        if config.get("DMSU_SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("DMSU_SMTP_USER"):
            smtp.login(config["DMSU_SMTP_USER"], config["DMSU_SMTP_PASSWORD"])
        for note in pending:
            if not _claim(note):
                continue
            try:
                smtp.send_message(_message(note, config["DMSU_MAIL_FROM"]))
            except (smtplib.SMTPException, OSError) as exc:
                _mark_failed(note, str(exc))
                counts["failed"] += 1
                continue
            Notification.update(state="sent", sent_at=clock.now(), last_error="").where(
                Notification.id == note.id
            ).execute()
            counts["sent"] += 1
    return counts


def _mark_failed(note: Notification, error: str) -> None:
    Notification.update(state="failed", last_error=error[:2000]).where(
        Notification.id == note.id
    ).execute()


def release_stuck(older_than_minutes: int = 10) -> int:
    """Put back notifications left in 'sending' by a crashed process (at-least-once delivery):
    those claimed long ago, never one that another process has just taken."""
    from datetime import timedelta

    cutoff = clock.now() - timedelta(minutes=older_than_minutes)
    return (
        Notification.update(state="queued")
        .where(
            (Notification.state == "sending")
            & (Notification.claimed_at.is_null() | (Notification.claimed_at < cutoff))
        )
        .execute()
    )
