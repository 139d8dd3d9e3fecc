"""What staff do with a thread: mark its state, take it, link it to a ticket, spawn a ticket.

Seed 000: "Trivial issues can be resolved on the spot (answered by DMSU) ... More complicated
issues are either linked to existing tickets if they exist, or new tickets are spawned." Seed
001: the team "bring[s] issues with broader impact as new GGUS tickets". A spawned ticket is
recorded through the ticket workflow (:func:`dmsu.tickets.workflow.create_ticket`), so it starts
``new`` in the 1st line (TPM) queue like any ticket, with the thread's first mail as its
description, its writer as the submitter and the thread's component.

Every change is one transaction with a :class:`ForumThreadEvent`, which the counts read.
"""

from __future__ import annotations

from dmsu.auth.permissions import require
from dmsu.core import clock
from dmsu.core.db import write_transaction
from dmsu.forums import search_documents
from dmsu.forums.models import (
    THREAD_STATES,
    WORK,
    ForumMessage,
    ForumThread,
    ForumThreadEvent,
    ForumThreadTicket,
)
from dmsu.forums.quotes import segments
from dmsu.tickets import workflow
from dmsu.tickets.models import Ticket

DESCRIPTION_MAX = 20_000


class WorkError(ValueError):
    """A change that cannot be made; the message is one sentence."""


def _event(thread: ForumThread, actor, kind: str, summary: str) -> None:
    """The change's event and the thread's search document, in the change's transaction."""
    ForumThreadEvent.create(thread=thread, actor=actor, kind=kind, summary=summary)
    search_documents.reindex([thread.id])


def set_state(thread: ForumThread, state: str, actor) -> ForumThread:
    require(actor, WORK, "work on forum threads")
    if state not in THREAD_STATES:
        raise WorkError(
            f"'{state[:40]}' is not a thread state; use one of: {', '.join(THREAD_STATES)}."
        )
    with write_transaction("forums"):
        if thread.state != state:
            ForumThread.update(state=state, state_at=clock.now()).where(
                ForumThread.id == thread.id
            ).execute()
            _event(thread, actor, "state", f"{thread.state} → {state}")
    return ForumThread.get_by_id(thread.id)


def take(thread: ForumThread, actor) -> ForumThread:
    """``actor`` takes the thread (a new thread is then seen); taking it again gives it back."""
    require(actor, WORK, "work on forum threads")
    with write_transaction("forums"):
        if thread.taken_by_id == actor.id:
            ForumThread.update(taken_by=None).where(ForumThread.id == thread.id).execute()
            _event(thread, actor, "taken", "given back")
        else:
            values = {"taken_by": actor.id}
            if thread.state == "new":
                values.update(state="seen", state_at=clock.now())
            ForumThread.update(**values).where(ForumThread.id == thread.id).execute()
            _event(thread, actor, "taken", f"taken by {actor.name}")
    return ForumThread.get_by_id(thread.id)


def _ticket(ggus_id) -> Ticket:
    text = str(ggus_id or "").strip().lstrip("#")
    ticket = (
        Ticket.get_or_none(Ticket.ggus_id == int(text))
        if text.isdigit() and len(text) < 10
        else None
    )
    if ticket is None:
        raise WorkError(f"There is no ticket {text[:20] or '(none given)'} on this site.")
    return ticket


def link(thread: ForumThread, ggus_id, actor) -> Ticket:
    require(actor, WORK, "work on forum threads")
    ticket = _ticket(ggus_id)
    with write_transaction("forums"):
        added = (
            ForumThreadTicket.insert(thread=thread, ticket=ticket, linked_by=actor.id)
            .on_conflict_ignore()
            .execute()
        )
        if added:
            if thread.state in ("new", "seen"):
                ForumThread.update(state="linked", state_at=clock.now()).where(
                    ForumThread.id == thread.id
                ).execute()
            _event(thread, actor, "linked", f"linked to ticket {ticket.ggus_id}")
    return ticket


def unlink(thread: ForumThread, ggus_id, actor) -> None:
    require(actor, WORK, "work on forum threads")
    ticket = _ticket(ggus_id)
    with write_transaction("forums"):
        gone = (
            ForumThreadTicket.delete()
            .where(ForumThreadTicket.thread == thread, ForumThreadTicket.ticket == ticket)
            .execute()
        )
        if gone:
            _event(thread, actor, "unlinked", f"unlinked from ticket {ticket.ggus_id}")


def first_message(thread: ForumThread) -> ForumMessage | None:
    return (
        ForumMessage.select()
        .where(ForumMessage.thread == thread)
        .order_by(ForumMessage.sent_at, ForumMessage.id)
        .first()
    )


def description_of(thread: ForumThread) -> str:
    """The ticket description of a thread: its first mail without the quotes, and where it
    came from (markdown: the mail is put in a fenced block so nothing in it is markup)."""
    first = first_message(thread)
    own = "\n".join(s.text for s in segments(first.body if first else "") if not s.quoted)
    own = own.strip()[:DESCRIPTION_MAX].replace("```", "'''")
    when = first.sent_at.strftime("%Y-%m-%d %H:%M UTC") if first else ""
    return (
        f'From the thread "{thread.subject}" on {thread.forum_list.address} ({when}, '
        f"{thread.message_count} messages).\n\n```text\n{own}\n```\n"
    )


def spawn(thread: ForumThread, actor, *, ggus_id, subject: str = "", component=None) -> Ticket:
    """Record the GGUS ticket opened for this thread, through the workflow, and link it."""
    require(actor, WORK, "work on forum threads")
    first = first_message(thread)
    with write_transaction("forums"):
        try:
            ticket = workflow.create_ticket(
                actor,
                ggus_id=ggus_id,
                subject=(subject or thread.subject or "").strip()[:250] or "Forum thread",
                description=description_of(thread),
                submitter=(first.sender_name or first.sender_address) if first else "",
                submitter_email=first.sender_address if first else "",
                component=component or thread.component_id,
            )
        except workflow.WorkflowError as exc:
            raise WorkError(str(exc)) from None
        ForumThreadTicket.insert(
            thread=thread, ticket=ticket, linked_by=actor.id, spawned=1
        ).on_conflict_ignore().execute()
        ForumThread.update(state="spawned", state_at=clock.now()).where(
            ForumThread.id == thread.id
        ).execute()
        _event(thread, actor, "spawned", f"ticket {ticket.ggus_id} spawned")
    return ticket
