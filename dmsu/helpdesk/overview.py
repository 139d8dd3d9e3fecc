"""What the admins' helpdesk page shows: the connector's settings, the poll's cursor, the
webhook's queue, what needs review, the outbox with its errors and the conflicts."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from dmsu.core import clock
from dmsu.helpdesk.client import ZammadSettings
from dmsu.helpdesk.models import (
    HelpdeskConflict,
    HelpdeskInbox,
    HelpdeskOutbox,
    HelpdeskReview,
    HelpdeskTicket,
)
from dmsu.helpdesk.pull import cursor_at


@dataclass
class Overview:
    url: str
    configured: bool
    dry_run: bool
    webhook_ready: bool
    cursor: object
    linked: int
    inbox: dict
    outbox_counts: dict
    outbox: list
    reviews: list
    conflicts: list


def overview(config, *, limit: int = 100) -> Overview:
    settings = ZammadSettings.from_config(config)
    counts = dict(
        HelpdeskOutbox.select(HelpdeskOutbox.state, fn.COUNT(HelpdeskOutbox.id))
        .group_by(HelpdeskOutbox.state)
        .tuples()
    )
    inbox = dict(
        HelpdeskInbox.select(HelpdeskInbox.state, fn.COUNT(HelpdeskInbox.id))
        .group_by(HelpdeskInbox.state)
        .tuples()
    )
    return Overview(
        url=settings.url,
        configured=settings.configured,
        dry_run=bool(config.get("DMSU_ZAMMAD_DRY_RUN")),
        webhook_ready=bool(config.get("DMSU_ZAMMAD_WEBHOOK_SECRET")),
        cursor=cursor_at(),
        linked=HelpdeskTicket.select().count(),
        inbox=inbox,
        outbox_counts=counts,
        outbox=list(
            HelpdeskOutbox.select()
            .order_by(
                (HelpdeskOutbox.state.in_(("sent", "dry-run", "superseded"))).asc(),
                HelpdeskOutbox.id.desc(),
            )
            .limit(limit)
        ),
        reviews=list(
            HelpdeskReview.select()
            .where(HelpdeskReview.resolved_at.is_null())
            .order_by(HelpdeskReview.id.desc())
            .limit(limit)
        ),
        conflicts=open_conflicts(limit=limit),
    )


def open_conflicts(ggus_id: int | None = None, *, limit: int = 100) -> list:
    query = HelpdeskConflict.select().where(HelpdeskConflict.resolved_at.is_null())
    if ggus_id is not None:
        query = query.where(HelpdeskConflict.ggus_id == ggus_id)
    return list(query.order_by(HelpdeskConflict.id.desc()).limit(limit))


def resolve_review(review_id: int) -> bool:
    return bool(
        HelpdeskReview.update(resolved_at=clock.now())
        .where((HelpdeskReview.id == review_id) & HelpdeskReview.resolved_at.is_null())
        .execute()
    )


def resolve_conflict(conflict_id: int) -> bool:
    return bool(
        HelpdeskConflict.update(resolved_at=clock.now())
        .where((HelpdeskConflict.id == conflict_id) & HelpdeskConflict.resolved_at.is_null())
        .execute()
    )
