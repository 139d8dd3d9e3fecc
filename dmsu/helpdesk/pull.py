"""Pulling helpdesk tickets into the site: by the incremental poll (every ticket changed
since the stored cursor, page by page) and by the webhook's queue (the ticket ids Zammad's
triggers announced). Both read everything of a batch first — ticket, articles, history —
and only then write it, in one transaction with the cursor and the links, through the one
import path (:func:`dmsu.tickets.exchange.importer.import_records`). A helpdesk that fails
mid-read leaves nothing of that batch recorded; the next run reads it again. The poll's
batch is a page (the cursor moves with it); the queue's is each ticket (no cursor), so one
ticket failing does not hold back the others.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from peewee import Case, IntegrityError

from dmsu.core import clock
from dmsu.core.db import database, write_transaction
from dmsu.helpdesk import outbox
from dmsu.helpdesk.client import HelpdeskError, ZammadClient
from dmsu.helpdesk.mapping import Mapping
from dmsu.helpdesk.models import HelpdeskCursor, HelpdeskInbox, HelpdeskReview, HelpdeskTicket
from dmsu.helpdesk.translate import Review, Translation, instant, translate
from dmsu.tickets.exchange.importer import import_records

POLL_CURSOR = "poll"
MAX_INBOX_ATTEMPTS = 10


@dataclass
class PullResult:
    read: int = 0
    kept: int = 0
    skipped: int = 0  # not of interest, or unchanged since the last pull
    created: int = 0
    updated: int = 0
    events_added: int = 0
    reviews: int = 0
    conflicts: int = 0
    deleted: list[int] = field(default_factory=list)

    def add(self, other: PullResult) -> None:
        for name in (
            "read",
            "kept",
            "skipped",
            "created",
            "updated",
            "events_added",
            "reviews",
            "conflicts",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.deleted += other.deleted

    def summary(self) -> str:
        text = (
            f"Helpdesk pull: {self.read} read, {self.kept} kept ({self.created} new, "
            f"{self.updated} updated, {self.events_added} events), {self.skipped} skipped"
        )
        if self.reviews:
            text += f", {self.reviews} to review"
        if self.conflicts:
            text += f", {self.conflicts} changed on both sides (settled by rule)"
        if self.deleted:
            text += ", deleted on the helpdesk: " + ", ".join(map(str, self.deleted))
        return text + "."


class Puller:
    """One run's client, mapping and the connector's own helpdesk account."""

    def __init__(self, client: ZammadClient, mapping: Mapping, concurrency: int = 4):
        self.client = client
        self.mapping = mapping
        self.concurrency = concurrency
        self._own_id = None
        self._local = threading.local()

    def own_id(self):
        if self._own_id is None:
            self._own_id = self.client.me().get("id")
        return self._own_id

    def read(self, tickets: list[dict], *, unchanged_skip: bool = True):
        """Read the articles and history of these (expanded) tickets; translate them.
        Tickets whose ``updated_at`` equals the last pull's are not read again."""
        known = {
            row.zammad_id: row
            for row in HelpdeskTicket.select().where(
                HelpdeskTicket.zammad_id.in_([int(t["id"]) for t in tickets] or [0])
            )
        }
        wanted = [
            t for t in tickets if not (unchanged_skip and _unchanged(known.get(int(t["id"])), t))
        ]
        translations, failed = self.read_each(wanted)
        if failed:
            raise next(iter(failed.values()))
        return translations, len(tickets) - len(wanted)

    def read_each(self, tickets: list[dict]):
        """Read and translate each ticket whole: the translations of those read, and the
        failure of each ticket that could not be (by its id)."""
        own_id = self.own_id()
        # each ticket costs two round trips: a few in flight at once (each thread its own
        # connection); a ticket whose reading failed is not translated, so nothing of it is kept
        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            pairs = list(pool.map(self._fetch, [t["id"] for t in tickets]))
        translations, failed = [], {}
        for ticket, pair in zip(tickets, pairs, strict=True):
            if isinstance(pair, HelpdeskError):
                failed[int(ticket["id"])] = pair
            else:
                translations.append(translate(ticket, *pair, self.mapping, own_id))
        return translations, failed

    def _fetch(self, ticket_id):
        try:
            return self._articles_and_history(ticket_id)
        except HelpdeskError as exc:
            return exc

    def _articles_and_history(self, ticket_id):
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self.client.copy()
        return client.articles(ticket_id), client.history(ticket_id)

    def write(self, translations: list[Translation], *, review_unkept=False, cursor=None,
              deleted=(), inbox_ids=()) -> PullResult:  # fmt: skip
        """Record one batch in one transaction."""
        result = PullResult(read=len(translations))
        now = clock.now()
        kept = [t for t in translations if t.record is not None]
        with write_transaction():
            summary = import_records([t.record for t in kept]) if kept else None
            _link(kept, now)
            pending = outbox.pending_tickets([t.ggus_id for t in kept])
            for t in kept:
                if t.ggus_id in pending:
                    result.conflicts += outbox.settle(t.ggus_id, t.changed, self.mapping)
            for t in translations:
                # the poll reads every ticket of the helpdesk: those not of interest are
                # passed over; a webhook's trigger chose its ticket, so it is kept for review
                if t.record is not None:
                    reviews = t.reviews
                elif review_unkept:
                    reviews = t.reviews or [
                        Review("not of interest", "never in a unit of interest")
                    ]
                else:
                    reviews = []
                result.reviews += _review(t.zammad_id, t.ggus_id, reviews)
            for zammad_id in deleted:
                HelpdeskTicket.update(deleted_at=now).where(
                    (HelpdeskTicket.zammad_id == zammad_id) & HelpdeskTicket.deleted_at.is_null()
                ).execute()
                link = HelpdeskTicket.get_or_none(HelpdeskTicket.zammad_id == zammad_id)
                result.reviews += _review(
                    zammad_id,
                    link.ggus_id if link else None,
                    [Review("deleted", "on the helpdesk")],
                )
            if cursor is not None:
                _move_cursor(cursor)
            if inbox_ids:
                HelpdeskInbox.update(state="done", done_at=now).where(
                    HelpdeskInbox.id.in_(list(inbox_ids))
                ).execute()
        result.kept = len(kept)
        result.skipped = len(translations) - len(kept)
        result.deleted = list(deleted)
        if summary:
            result.created, result.updated = summary.created, summary.updated
            result.events_added = summary.events_added
        return result


def _unchanged(link: HelpdeskTicket | None, ticket: dict) -> bool:
    """The helpdesk's ``updated_at`` is the one of the last pull (to the millisecond)."""
    if link is None or link.helpdesk_updated_at is None or not ticket.get("updated_at"):
        return False
    return abs((instant(ticket["updated_at"]) - link.helpdesk_updated_at).total_seconds()) < 0.001


def _link(kept: list[Translation], now) -> None:
    """Link each kept ticket to its helpdesk ticket (one read for the batch)."""
    if not kept:
        return
    known = {
        ggus_id
        for (ggus_id,) in HelpdeskTicket.select(HelpdeskTicket.ggus_id)
        .where(HelpdeskTicket.ggus_id.in_([t.ggus_id for t in kept]))
        .tuples()
    }
    fresh = []
    for t in kept:
        if t.ggus_id in known:
            HelpdeskTicket.update(
                zammad_id=t.zammad_id, helpdesk_updated_at=t.updated_at, pulled_at=now
            ).where(HelpdeskTicket.ggus_id == t.ggus_id).execute()
        else:
            fresh.append(
                {"zammad_id": t.zammad_id, "ggus_id": t.ggus_id,
                 "helpdesk_updated_at": t.updated_at, "pulled_at": now}
            )  # fmt: skip
    if fresh:
        HelpdeskTicket.insert_many(fresh).execute()


def _review(zammad_id: int, ggus_id, reviews: list[Review]) -> int:
    added = 0
    for review in reviews:
        exists = HelpdeskReview.select().where(
            (HelpdeskReview.zammad_id == zammad_id)
            & (HelpdeskReview.reason == review.reason)
            & (HelpdeskReview.value == review.value[:500])
        )
        if exists.exists():
            continue
        try:
            with database.atomic():
                HelpdeskReview.create(
                    zammad_id=zammad_id,
                    ggus_id=ggus_id,
                    reason=review.reason,
                    value=review.value[:500],
                )
            added += 1
        except IntegrityError:
            pass
    return added


def cursor_at(name: str = POLL_CURSOR) -> datetime | None:
    row = HelpdeskCursor.get_or_none(HelpdeskCursor.name == name)
    return row.at if row else None


def _move_cursor(at: datetime, name: str = POLL_CURSOR) -> None:
    row = HelpdeskCursor.get_or_none(HelpdeskCursor.name == name)
    if row is None:
        HelpdeskCursor.create(name=name, at=at)
    elif row.at is None or at > row.at:
        HelpdeskCursor.update(at=at).where(HelpdeskCursor.id == row.id).execute()


def poll(puller: Puller) -> PullResult:
    """Every ticket changed at or after the cursor, a page at a time (each page recorded
    with the cursor moved to its newest change, or not at all)."""
    total = PullResult()
    for page in puller.client.tickets_updated_since(cursor_at()):
        translations, skipped = puller.read(page)
        newest = max((instant(t["updated_at"]) for t in page if t.get("updated_at")), default=None)
        result = puller.write(translations, cursor=newest)
        result.read += skipped
        result.skipped += skipped
        total.add(result)
    return total


def drain_inbox(puller: Puller, limit: int = 200) -> PullResult:
    """Pull the tickets the webhook queued: each id once however often it was announced.

    Each ticket is read whole or not at all, and the tickets read whole are recorded even
    when another one failed: under a flaky helpdesk a batch of many tickets almost never
    reads through, and counting the failure on every row of it gave up the whole queue after
    :data:`MAX_INBOX_ATTEMPTS` runs (faults run of bench/faults_helpdesk.py). The failed
    ticket's rows count an attempt (``failed`` after the last), the failure is raised once
    the others are recorded, and the ids not reached yet wait untouched for the next run."""
    rows = list(
        HelpdeskInbox.select()
        .where((HelpdeskInbox.state == "queued") & (HelpdeskInbox.attempts < MAX_INBOX_ATTEMPTS))
        .order_by(HelpdeskInbox.id)
        .limit(limit)
    )
    if not rows:
        return PullResult()
    ids: dict[int, list[int]] = {}
    for row in rows:
        ids.setdefault(row.zammad_id, []).append(row.id)
    tickets, deleted, failed = [], [], {}
    for zammad_id in ids:
        try:
            tickets.append(puller.client.ticket(zammad_id))
        except HelpdeskError as exc:
            if exc.not_found:
                deleted.append(zammad_id)
                continue
            failed[zammad_id] = exc
            break  # the helpdesk is failing: the rest wait for the next run
    translations, unread = puller.read_each(tickets) if tickets else ([], {})
    failed.update(unread)
    done = [
        i for zammad_id in [t.zammad_id for t in translations] + deleted for i in ids[zammad_id]
    ]
    result = PullResult()
    if done:
        result = puller.write(
            translations, review_unkept=True, deleted=deleted, inbox_ids=sorted(set(done))
        )
    for zammad_id, exc in failed.items():
        _count_attempt(ids[zammad_id], str(exc))
    if failed:
        raise next(iter(failed.values()))
    return result


def _count_attempt(row_ids: list[int], error: str) -> None:
    HelpdeskInbox.update(
        attempts=HelpdeskInbox.attempts + 1,
        last_error=error[:2000],
        state=Case(None, [(HelpdeskInbox.attempts + 1 >= MAX_INBOX_ATTEMPTS, "failed")], "queued"),
    ).where(HelpdeskInbox.id.in_(row_ids)).execute()
