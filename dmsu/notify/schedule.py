"""Delivery of queued notifications (runs after the other jobs in ``dmsu.jobs``)."""

from __future__ import annotations

from flask import current_app

from dmsu.core.schedule import JobSpec
from dmsu.notify import mail


def deliver(now) -> str:
    mail.release_stuck()
    counts = mail.deliver_pending(current_app.config)
    return ", ".join(f"{k} {v}" for k, v in counts.items())


JOBS = [JobSpec("deliver-mail", deliver, {"trigger": "interval", "minutes": 1})]
