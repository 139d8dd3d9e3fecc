"""The helpdesk area's jobs: the webhook's queue every minute, the incremental poll that
repairs what a webhook missed every 10 minutes, the push outbox every minute. Each says so
when the connector is idle; each is idempotent (events de-duplicated, rows sent once)."""

from __future__ import annotations

from flask import current_app

from dmsu.core.schedule import JobSpec


def pull_queue(now) -> str:
    from dmsu.helpdesk.connector import run_pull

    return run_pull(current_app.config, poll=False)


def poll(now) -> str:
    from dmsu.helpdesk.connector import run_pull

    return run_pull(current_app.config)


def push(now) -> str:
    from dmsu.helpdesk.connector import run_push

    return run_push(current_app.config, now=now)


JOBS: list[JobSpec] = [
    JobSpec("helpdesk-webhook-queue", pull_queue, {"trigger": "interval", "minutes": 1}),
    JobSpec("helpdesk-poll", poll, {"trigger": "interval", "minutes": 10}),
    JobSpec("helpdesk-push", push, {"trigger": "interval", "minutes": 1}),
]
