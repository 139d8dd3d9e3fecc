"""A forum thread as the search index holds it (:mod:`dmsu.core.search`): its subject, what
each mail's writer wrote (the quotes are the other mails' text, so they are left out), and the
senders and staff's changes as its diary. Threads are internal (issue 21, item 6): staff only,
as :meth:`ForumThread.visible_to` says; "seen before?" searches tickets and the wiki only, so
list mail never becomes a suggestion of itself.

:mod:`dmsu.forums.ingest` calls :func:`reindex` in the transaction of each batch of mail, and
:mod:`dmsu.forums.work` and :mod:`dmsu.forums.threads` after each change by hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from dmsu.core.search.documents import CHUNK, Document, put, remove
from dmsu.forums.models import ForumMessage, ForumThread, ForumThreadEvent
from dmsu.forums.quotes import segments

AREA = "forums"
BODY_MAX = 60_000  # characters of a thread's mail kept in its document


def documents(thread_ids: list[int]) -> list[Document]:
    result = []
    for start in range(0, len(thread_ids), CHUNK):
        part = thread_ids[start : start + CHUNK]
        bodies: dict[int, list[str]] = defaultdict(list)
        senders: dict[int, set[str]] = defaultdict(set)
        mail = (
            ForumMessage.select(ForumMessage.thread, ForumMessage.body, ForumMessage.sender_address)
            .where(ForumMessage.thread.in_(part))
            .order_by(ForumMessage.sent_at, ForumMessage.id)
            .tuples()
        )
        for thread_id, body, sender in mail:
            bodies[thread_id].append("\n".join(s.text for s in segments(body) if not s.quoted))
            senders[thread_id].add(sender)
        diary: dict[int, list[str]] = defaultdict(list)
        events = (
            ForumThreadEvent.select(ForumThreadEvent.thread, ForumThreadEvent.summary)
            .where(ForumThreadEvent.thread.in_(part))
            .tuples()
        )
        for thread_id, summary in events:
            diary[thread_id].append(summary)
        for thread in ForumThread.select().where(ForumThread.id.in_(part)):
            result.append(
                Document(
                    area=AREA,
                    key=str(thread.id),
                    title=thread.subject or "(no subject)",
                    body="\n\n".join(bodies.get(thread.id, ()))[:BODY_MAX],
                    diary="\n".join(
                        [*sorted(senders.get(thread.id, ())), *diary.get(thread.id, ())]
                    ),
                    audience="staff",
                    component_id=thread.component_id,
                    status=thread.state,
                    at=thread.last_at,
                )
            )
    return result


def reindex(thread_ids: Iterable[int]) -> int:
    """Write the documents of these threads; threads that are gone (joined into another) leave
    the index."""
    wanted = sorted(set(thread_ids))
    found = documents(wanted)
    put(found)
    kept = {int(d.key) for d in found}
    remove(AREA, [i for i in wanted if i not in kept])
    return len(found)


def all_ids() -> list[int]:
    return [i for (i,) in ForumThread.select(ForumThread.id).order_by(ForumThread.id).tuples()]
