"""Pushing DMSU's steps back to the helpdesk through an outbox (the one mail path's pattern:
record first, in the same transaction, then deliver by a job that retries).

Every workflow step a person takes here on a ticket that came from the helpdesk — route or
reassign (``assigned``), a status, an ETA, an internal or public note (``comment``),
involving a unit, the fixed version, a flag the mapping tags — is recorded as one :class:`HelpdeskOutbox` row in the
step's own transaction (:mod:`dmsu.core.step_listeners`), so it is never lost, and it is
recorded once (one row per event). Steps of the jobs (the system actor) and everything the
importer writes (the helpdesk's own changes) are not steps of a person here, and are never
pushed back.

:func:`drain` sends the rows in order per ticket: a row that fails for a while (no answer,
429, 5xx) waits with a growing delay and holds the later rows of its ticket; a helpdesk that
does not answer at all ends the run (nothing is lost, the next run goes on). A row the
helpdesk refuses (4xx) is a conflict for a person (:class:`HelpdeskConflict`): the site keeps
its state and the admins see both sides. In dry-run mode (``DMSU_ZAMMAD_DRY_RUN``) rows are
marked ``dry-run`` with what would have been sent, and nothing is sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, has_app_context

from dmsu.core import clock, step_listeners
from dmsu.helpdesk.client import HelpdeskError, ZammadClient
from dmsu.helpdesk.mapping import Mapping, load
from dmsu.helpdesk.models import HelpdeskConflict, HelpdeskOutbox, HelpdeskReview, HelpdeskTicket

PERSON_ROLES = ("dmsu", "tpm")
MAX_BACKOFF_MINUTES = 60


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after each failed attempt, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_MINUTES))


def _unit_name(event) -> str:
    unit = event.support_unit
    return unit.name if unit is not None else ""


def request_for(event, zammad_id: int, mapping: Mapping) -> tuple[str, str, str, dict] | None:
    """(kind, method, path, body) that writes ``event`` to the helpdesk, or None when the
    helpdesk has nothing to hold it."""
    ticket_path = f"/api/v1/tickets/{zammad_id}"
    kind = event.kind
    note = {"ticket_id": zammad_id, "type": "note", "content_type": "text/plain"}
    if kind == "assigned" and event.support_unit_id:
        body = {"group": mapping.group_for_unit(_unit_name(event))}
        if event.text:  # the note for the product team
            body["article"] = {"type": "note", "content_type": "text/plain", "body": event.text,
                               "internal": not event.public}  # fmt: skip
        return "route", "PUT", ticket_path, body
    if kind == "status" and event.status:
        body = {"state": mapping.state_for_status(event.status)}
        if event.text:
            body["article"] = {**note, "body": event.text, "internal": not event.public}
            body["article"].pop("ticket_id")
        return "status", "PUT", ticket_path, body
    if kind == "eta" and event.due and mapping.attribute("eta"):
        return "eta", "PUT", ticket_path, {mapping.attribute("eta"): event.due.isoformat()}
    if kind == "comment" and event.text:
        return "note", "POST", "/api/v1/ticket_articles", {
            **note, "body": event.text, "internal": not event.public,
        }  # fmt: skip
    if kind in ("involved", "uninvolved") and event.support_unit_id:
        verb = "Involved" if kind == "involved" else "No longer involved"
        return kind, "POST", "/api/v1/ticket_articles", {
            **note, "body": f"{verb}: support unit {_unit_name(event)} (by DMSU).", "internal": True,
        }  # fmt: skip
    if kind == "field":
        data = json.loads(event.data) if event.data else {}
        tag = mapping.tag_for_flag(str(data.get("field") or ""))
        if tag:
            method = "POST" if data.get("after") else "DELETE"
            path = "/api/v1/tags/add" if data.get("after") else "/api/v1/tags/remove"
            return "tag", method, path, {"item": tag, "object": "Ticket", "o_id": zammad_id}
        if data.get("field") == "fixed_version" and mapping.attribute("fixed_version"):
            value = data.get("after") or ""
            return "fixed version", "PUT", ticket_path, {mapping.attribute("fixed_version"): value}
    return None


def record(events: list) -> int:
    """The step listener: one outbox row per pushable event of a linked ticket."""
    if not has_app_context() or not current_app.config.get("DMSU_ZAMMAD_URL"):
        return 0  # the connector is idle: not even a query
    wanted = [e for e in events if e.actor_role in PERSON_ROLES]
    if not wanted:
        return 0
    ggus_ids = {e.ticket.ggus_id for e in wanted}
    links = {
        link.ggus_id: link
        for link in HelpdeskTicket.select().where(
            HelpdeskTicket.ggus_id.in_(list(ggus_ids)) & HelpdeskTicket.deleted_at.is_null()
        )
    }
    if not links:
        return 0
    mapping = load(current_app.config)
    rows = 0
    for event in wanted:
        link = links.get(event.ticket.ggus_id)
        request = request_for(event, link.zammad_id, mapping) if link else None
        if request is None:
            continue
        kind, method, path, body = request
        HelpdeskOutbox.create(
            event_id=event.id,
            ggus_id=link.ggus_id,
            zammad_id=link.zammad_id,
            kind=kind,
            method=method,
            path=path,
            body=json.dumps(body, sort_keys=True),
            created_at=clock.now(),
        )
        rows += 1
    return rows


def install() -> None:
    step_listeners.register("helpdesk-outbox", record)


@dataclass
class DrainResult:
    sent: int = 0
    dry_run: int = 0
    failed: int = 0
    conflicts: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"Helpdesk push: {self.sent} sent, {self.dry_run} dry-run, {self.failed} failed "
            f"(retried later), {self.conflicts} refused (conflicts), {self.waiting} waiting"
        )
        if self.errors:
            text += f"; last error: {self.errors[-1]}"
        return text + "."


def _claim(row: HelpdeskOutbox) -> bool:
    return (
        HelpdeskOutbox.update(
            state="sending", attempts=HelpdeskOutbox.attempts + 1, claimed_at=clock.now()
        )
        .where((HelpdeskOutbox.id == row.id) & (HelpdeskOutbox.state == "queued"))
        .execute()
        == 1
    )


def drain(
    client: ZammadClient | None, *, dry_run: bool = False, now=None, limit=1000
) -> DrainResult:
    """Send the queued rows, oldest first, in order per ticket (see the module's docstring)."""
    now = now or clock.now()
    result = DrainResult()
    held: set[int] = set()  # tickets whose earlier row waits: their later rows wait too
    rows = list(
        HelpdeskOutbox.select()
        .where(HelpdeskOutbox.state == "queued")
        .order_by(HelpdeskOutbox.id)
        .limit(limit)
    )
    for n, row in enumerate(rows):
        if row.ggus_id in held or (row.next_attempt_at and row.next_attempt_at > now):
            held.add(row.ggus_id)
            result.waiting += 1
            continue
        if dry_run:
            HelpdeskOutbox.update(state="dry-run", sent_at=now).where(
                HelpdeskOutbox.id == row.id
            ).execute()
            result.dry_run += 1
            continue
        if not _claim(row):
            continue  # another drain took it
        try:
            answer = _already_there(client, row) if row.attempts else None
            if answer is None:
                answer = client.request(
                    row.method,
                    row.path,
                    body=json.loads(row.body),
                    doing=f"write {row.kind} of ticket {row.ggus_id}",
                )
        except HelpdeskError as exc:
            result.errors.append(str(exc))
            if exc.transient:
                HelpdeskOutbox.update(
                    state="queued", last_error=str(exc)[:2000],
                    next_attempt_at=now + backoff(row.attempts + 1),
                ).where(HelpdeskOutbox.id == row.id).execute()  # fmt: skip
                result.failed += 1
                held.add(row.ggus_id)
                if exc.status is None:  # no answer at all: the helpdesk is down
                    result.waiting += len(rows) - n - 1
                    break
                continue
            refuse(row, str(exc))
            if exc.not_found and row.path.startswith("/api/v1/tickets/"):
                gone(row, now)  # deleted on the helpdesk: no more steps are recorded for it
            result.conflicts += 1
            continue
        answer_id = answer.get("id") if isinstance(answer, dict) and row.method == "POST" else None
        HelpdeskOutbox.update(
            state="sent", sent_at=clock.now(), last_error="", answer_id=answer_id
        ).where(HelpdeskOutbox.id == row.id).execute()
        result.sent += 1
    return result


def _already_there(client: ZammadClient, row: HelpdeskOutbox):
    """A row tried before may have been done on the helpdesk although its answer did not come
    back (cut, lost, too late, unreadable): it is looked for before it is sent again, so a
    retry never writes it twice.

    A note is there when the connector's account wrote more articles with its text than the
    rows of this ticket already sent with that text (so a note like an earlier one is not
    taken for it). An update is there when the ticket has every value it sets, and its note
    (a route's or a status's) when that is there too. Tags: adding or removing one again
    changes nothing on Zammad, so they are simply sent again."""
    body = json.loads(row.body)
    if row.method == "PUT":
        ticket = client.ticket(row.zammad_id)
        if any(ticket.get(name) != value for name, value in body.items() if name != "article"):
            return None
        note = (body.get("article") or {}).get("body")
        if note is None:
            return ticket
    elif row.method == "POST" and row.path == "/api/v1/ticket_articles":
        ticket, note = None, body.get("body")
    else:
        return None
    own = client.me().get("id")
    found = [
        article
        for article in client.articles(row.zammad_id)
        if article.get("created_by_id") == own and article.get("body") == note
    ]
    if len(found) <= _sent_with_note(row, note):
        return None
    return ticket if ticket is not None else found[-1]


def _note_of(body: dict):
    return body.get("body") if "ticket_id" in body else (body.get("article") or {}).get("body")


def _sent_with_note(row: HelpdeskOutbox, note) -> int:
    """The other rows of this ticket sent with this note's text."""
    sent = HelpdeskOutbox.select(HelpdeskOutbox.body).where(
        (HelpdeskOutbox.zammad_id == row.zammad_id)
        & (HelpdeskOutbox.state == "sent")
        & (HelpdeskOutbox.id != row.id)
    )
    return sum(1 for other in sent if _note_of(json.loads(other.body)) == note)


def gone(row: HelpdeskOutbox, now) -> None:
    HelpdeskTicket.update(deleted_at=now).where(
        (HelpdeskTicket.zammad_id == row.zammad_id) & HelpdeskTicket.deleted_at.is_null()
    ).execute()
    if (
        not HelpdeskReview.select()
        .where((HelpdeskReview.zammad_id == row.zammad_id) & (HelpdeskReview.reason == "deleted"))
        .exists()
    ):
        HelpdeskReview.create(
            zammad_id=row.zammad_id, ggus_id=row.ggus_id, reason="deleted", value="on the helpdesk"
        )


def refuse(row: HelpdeskOutbox, error: str) -> None:
    """The helpdesk refused the step: the row stops, a person gets the conflict."""
    HelpdeskOutbox.update(state="conflict", last_error=error[:2000]).where(
        HelpdeskOutbox.id == row.id
    ).execute()
    HelpdeskConflict.create(
        ggus_id=row.ggus_id,
        outbox_id=row.id,
        field=row.kind,
        site_value=row.body,
        helpdesk_value="",
        resolution=f"The helpdesk refused this step ({error}); the site keeps its own state.",
    )


def release_stuck(older_than_minutes: int = 10, now=None) -> int:
    """Rows left in ``sending`` by a crashed drain go back to the queue (a note among them is
    looked for on the helpdesk before it is sent again: :func:`_already_there`)."""
    now = now or clock.now()
    cutoff = now - timedelta(minutes=older_than_minutes)
    return (
        HelpdeskOutbox.update(state="queued")
        .where(
            (HelpdeskOutbox.state == "sending")
            & (HelpdeskOutbox.claimed_at.is_null() | (HelpdeskOutbox.claimed_at < cutoff))
        )
        .execute()
    )


# The rule of item 4 of issue 20 for a ticket changed on both sides between two syncs: the
# helpdesk wins for its own fields (the unit and the status), the site for ETAs and notes.
HELPDESK_WINS = {"route": "group", "status": "state"}


def pending_tickets(ggus_ids: list[int]) -> set[int]:
    """Which of these tickets have steps waiting in the outbox (one query)."""
    if not ggus_ids:
        return set()
    query = (
        HelpdeskOutbox.select(HelpdeskOutbox.ggus_id)
        .where(HelpdeskOutbox.ggus_id.in_(ggus_ids) & (HelpdeskOutbox.state == "queued"))
        .distinct()
        .tuples()
    )
    return {ggus_id for (ggus_id,) in query}


def settle(ggus_id: int, changed: dict, mapping: Mapping) -> int:
    """Called by the pull for each ticket it records, with the helpdesk's latest change of
    each attribute by someone else (``{attribute: (at, value)}``): a queued step of this
    site on the same attribute, recorded before that change, is resolved by the rule."""
    if not changed:
        return 0
    settled = 0
    eta_field = mapping.attribute("eta")
    rows = HelpdeskOutbox.select().where(
        (HelpdeskOutbox.ggus_id == ggus_id) & (HelpdeskOutbox.state == "queued")
    )
    for row in rows:
        attribute = HELPDESK_WINS.get(row.kind) or (eta_field if row.kind == "eta" else None)
        change = changed.get(attribute) if attribute else None
        if change is None or change[0] < row.created_at:
            continue
        if row.kind in HELPDESK_WINS:
            HelpdeskOutbox.update(
                state="superseded", last_error="changed on the helpdesk too"
            ).where(HelpdeskOutbox.id == row.id).execute()
            resolution = (
                "Changed on both sides: the helpdesk wins for its own fields, so its value is "
                "kept here and this site's step was not sent."
            )
        else:
            resolution = (
                "Changed on both sides: the site wins for the ETA, so this site's ETA is sent "
                "to the helpdesk."
            )
        HelpdeskConflict.create(
            ggus_id=ggus_id,
            outbox_id=row.id,
            field=row.kind,
            site_value=row.body,
            helpdesk_value=str(change[1] or ""),
            resolution=resolution,
        )
        settled += 1
    return settled
