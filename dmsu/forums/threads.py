"""Messages into threads (issue 21, item 3).

The parent of a mail is its In-Reply-To, else the last entry of its References (HyperKitty's
rule); a mail joins its parent's thread, else the thread of any message it references (JWZ's
"containers" for messages not yet seen). Only when the headers say nothing does the subject
decide: a reply ("Re:") whose subject, without prefixes and list tags, is that of a thread of
the same list active within :data:`SUBJECT_WINDOW` joins it (JWZ's subject grouping, bounded in
time because lists reuse subjects such as "dCache 9.2 released"). A parent that arrives after
its replies takes them in. Staff join and split threads by hand (:func:`join`, :func:`split`).

The name is ``threads`` so as not to shadow the standard library's ``threading``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from dmsu.core import clock
from dmsu.forums import search_documents
from dmsu.forums.lists import component_for
from dmsu.forums.models import (
    ForumList,
    ForumMessage,
    ForumMessageList,
    ForumThread,
    ForumThreadEvent,
    ForumThreadTicket,
)
from dmsu.forums.parsing import Mail

SUBJECT_WINDOW = timedelta(days=30)


class ThreadError(ValueError):
    """A join or split that cannot be made; the message is one sentence."""


@dataclass(frozen=True)
class Stored:
    outcome: str  # "new", "copy" (already stored, maybe on one more list), "skipped"
    message: ForumMessage | None = None
    threads: tuple[int, ...] = ()  # threads whose search documents changed (or are gone)


def store(mail: Mail, lists: list[ForumList], *, fetched_at: datetime | None = None) -> Stored:
    """Keep ``mail`` as a message of ``lists`` (the caller's transaction holds the batch)."""
    if mail.skip or not lists:
        return Stored("skipped")
    fetched_at = fetched_at or clock.now()
    existing = ForumMessage.select(ForumMessage.id).where(ForumMessage.key == mail.key).first()
    if existing is not None:
        for forum_list in lists:
            ForumMessageList.insert(
                message=existing, forum_list=forum_list
            ).on_conflict_ignore().execute()
        return Stored("copy", existing)
    sent_at = mail.sent_at or fetched_at
    thread = _thread_for(mail, lists[0], sent_at)
    message = ForumMessage.create(
        key=mail.key,
        message_id=mail.message_id,
        content_hash=mail.content_hash,
        thread=thread,
        parent_id_header=mail.parent_id,
        references="\n".join(mail.references),
        subject=mail.subject,
        norm_subject=mail.norm_subject,
        sender_name=mail.sender_name,
        sender_address=mail.sender_address,
        sent_at=sent_at,
        body=mail.body,
        attachments=json.dumps(mail.attachments) if mail.attachments else "",
        notes="\n".join(mail.notes),
        fetched_at=fetched_at,
    )
    for forum_list in lists:
        ForumMessageList.insert(
            message=message, forum_list=forum_list
        ).on_conflict_ignore().execute()
    adopted = _adopt_replies(message)
    if adopted:
        refresh(thread.id)
    else:
        _count_in(thread, message)
    return Stored("new", message, (thread.id, *adopted))


def _count_in(thread: ForumThread, message: ForumMessage) -> None:
    """One more message in ``thread`` (the common case: one UPDATE, no recount)."""
    values = {"message_count": ForumThread.message_count + 1}
    if thread.message_count == 0 or message.sent_at < thread.started_at:
        values.update(
            started_at=message.sent_at, subject=message.subject, norm_subject=message.norm_subject
        )
    if thread.message_count == 0 or message.sent_at > thread.last_at:
        values["last_at"] = message.sent_at
    ForumThread.update(**values).where(ForumThread.id == thread.id).execute()


def _thread_for(mail: Mail, forum_list: ForumList, sent_at: datetime) -> ForumThread:
    wanted = list(dict.fromkeys(i for i in [mail.parent_id, *reversed(mail.references)] if i))
    if wanted:  # the parent's thread, else the thread of the nearest message referenced
        rows = list(
            ForumThread.select(ForumThread, ForumMessage.message_id.alias("via"))
            .join(ForumMessage, on=(ForumMessage.thread == ForumThread.id))
            .where(ForumMessage.message_id.in_(wanted))
            .order_by(ForumMessage.id)
            .objects()
        )
        if rows:
            return min(rows, key=lambda row: wanted.index(row.via))
    if mail.message_id:  # a reply stored before this, its parent: take its thread
        child = (
            ForumThread.select()
            .join(ForumMessage, on=(ForumMessage.thread == ForumThread.id))
            .where(ForumMessage.parent_id_header == mail.message_id)
            .order_by(ForumMessage.id)
            .first()
        )
        if child is not None:
            return child
    if mail.is_reply and mail.norm_subject:
        same = (
            ForumThread.select()
            .where(
                ForumThread.forum_list == forum_list,
                ForumThread.norm_subject == mail.norm_subject,
                ForumThread.last_at >= sent_at - SUBJECT_WINDOW,
                ForumThread.started_at <= sent_at + SUBJECT_WINDOW,
            )
            .order_by(ForumThread.last_at.desc())
            .first()
        )
        if same is not None:
            return same
    return ForumThread.create(
        forum_list=forum_list,
        subject=mail.subject,
        norm_subject=mail.norm_subject,
        started_at=sent_at,
        last_at=sent_at,
        component=component_for(forum_list, f"{mail.subject}\n{mail.body[:2000]}"),
    )


def _adopt_replies(message: ForumMessage) -> tuple[int, ...]:
    """Replies stored before their parent, in threads of their own no one has worked on yet,
    move into the parent's thread; the threads emptied."""
    if not message.message_id:
        return ()
    others = {
        m.thread_id
        for m in ForumMessage.select(ForumMessage.thread).where(
            ForumMessage.parent_id_header == message.message_id,
            ForumMessage.thread != message.thread_id,
        )
    }
    if not others:
        return ()
    moved = []
    for thread in ForumThread.select().where(ForumThread.id.in_(others)):
        if thread.state == "new" and not thread.ticket_links.exists():
            _move_all(thread, message.thread)
            moved.append(thread.id)
    return tuple(moved)


def _move_all(source: ForumThread, target: ForumThread) -> None:
    ForumMessage.update(thread=target).where(ForumMessage.thread == source).execute()
    ForumThreadEvent.update(thread=target).where(ForumThreadEvent.thread == source).execute()
    for link in source.ticket_links:
        ForumThreadTicket.insert(
            thread=target, ticket=link.ticket_id, spawned=link.spawned, linked_by=link.linked_by_id
        ).on_conflict_ignore().execute()
    source.delete_instance(recursive=False)


def refresh(thread_id: int) -> None:
    """A thread's derived columns from its messages: count, first and last time, subject."""
    count = ForumMessage.select().where(ForumMessage.thread == thread_id).count()
    first = (
        ForumMessage.select()
        .where(ForumMessage.thread == thread_id)
        .order_by(ForumMessage.sent_at, ForumMessage.id)
        .first()
    )
    if first is None:
        return
    ForumThread.update(
        message_count=count,
        started_at=first.sent_at,
        last_at=_last(thread_id)[0].sent_at,
        subject=first.subject,
        norm_subject=first.norm_subject,
    ).where(ForumThread.id == thread_id).execute()


def _last(thread_id: int) -> list[ForumMessage]:
    return list(
        ForumMessage.select()
        .where(ForumMessage.thread == thread_id)
        .order_by(ForumMessage.sent_at.desc())
        .limit(1)
    )


# --- by hand -----------------------------------------------------------------------------------


def join(thread: ForumThread, into: ForumThread, actor) -> ForumThread:
    """Move every message of ``thread`` into ``into`` (staff saw they are one conversation)."""
    if thread.id == into.id:
        raise ThreadError("A thread cannot be joined with itself.")
    ForumThreadEvent.create(
        thread=into,
        actor=actor,
        kind="joined",
        summary=f"Joined thread {thread.id}: {thread.subject}",
    )
    gone = thread.id
    _move_all(thread, into)
    refresh(into.id)
    search_documents.reindex([into.id, gone])
    return ForumThread.get_by_id(into.id)


def split(message: ForumMessage, actor) -> ForumThread:
    """Take ``message`` and the replies under it out of its thread into a new thread."""
    thread = ForumThread.get_by_id(message.thread_id)
    members = list(ForumMessage.select().where(ForumMessage.thread == thread))
    if members and min(members, key=lambda m: (m.sent_at, m.id)).id == message.id:
        raise ThreadError("The first message of a thread cannot be split off; it is the thread.")
    moving = _descendants(message, members)
    new = ForumThread.create(
        forum_list=thread.forum_list_id,
        subject=message.subject,
        norm_subject=message.norm_subject,
        started_at=message.sent_at,
        last_at=message.sent_at,
        component=thread.component_id,
    )
    ForumMessage.update(thread=new).where(ForumMessage.id.in_([m.id for m in moving])).execute()
    summary = f"Split off from thread {thread.id} ({len(moving)} messages)."
    ForumThreadEvent.create(thread=new, actor=actor, kind="split", summary=summary)
    ForumThreadEvent.create(
        thread=thread, actor=actor, kind="split", summary=f"Thread {new.id} split off."
    )
    refresh(thread.id)
    refresh(new.id)
    search_documents.reindex([thread.id, new.id])
    return ForumThread.get_by_id(new.id)


def _descendants(root: ForumMessage, members: list[ForumMessage]) -> list[ForumMessage]:
    found = [root]
    ids = {root.message_id} if root.message_id else set()
    changed = True
    while changed:
        changed = False
        for m in members:
            if m not in found and m.parent_id_header and m.parent_id_header in ids:
                found.append(m)
                if m.message_id:
                    ids.add(m.message_id)
                changed = True
    return found
