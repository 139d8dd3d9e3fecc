"""What the forums pages read: threads per list and per component, newest first, filtered as
the query string says (the ticket list's pattern: bad values dropped with a sentence), and a
thread with its messages, lists and tickets."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from peewee import JOIN

from dmsu.auth.models import User
from dmsu.cheatsheet.models import Component
from dmsu.core import paging
from dmsu.forums.models import (
    THREAD_STATES,
    ForumList,
    ForumMessage,
    ForumMessageList,
    ForumThread,
    ForumThreadTicket,
)
from dmsu.tickets.models import Ticket

PAGE_SIZE = 50
MAX_PAGE = 10_000


def _row_id(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2**31 else None


@dataclass
class ThreadFilters:
    q: str = ""
    forum_list: str = ""  # a list id
    component: str = ""  # a component id
    state: str = ""  # one of THREAD_STATES, "open" (new or seen) or "" (all)
    taken: str = ""  # "me", "nobody" or ""
    page: int = 1
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> ThreadFilters:
        found = cls()
        for name in ("q", "forum_list", "component", "state", "taken"):
            setattr(found, name, (args.get(name) or "").strip())
        found.page = paging.page_number(args.get("page"), MAX_PAGE)
        if found.state and found.state not in (*THREAD_STATES, "open"):
            found.problems.append(
                f"'{found.state[:40]}' is not a thread state; that filter was left out."
            )
            found.state = ""
        if found.taken not in ("", "me", "nobody"):
            found.taken = ""
        for name in ("forum_list", "component"):
            if getattr(found, name) and _row_id(getattr(found, name)) is None:
                setattr(found, name, "")
        found.q = found.q[:200]
        return found

    def as_args(self, **override) -> dict:
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "problems"}
        values.update(override)
        if values.get("page") == 1:
            values.pop("page")
        return {k: v for k, v in values.items() if v not in ("", None)}

    @property
    def active(self) -> bool:
        return bool(self.as_args(page=1))


@dataclass
class ThreadList:
    rows: list
    total: int
    page: int
    pages: int


def list_threads(filters: ThreadFilters, user) -> ThreadList:
    query = (
        ForumThread.visible_to(user)
        .select(ForumThread, ForumList, Component, User)
        .join(ForumList)
        .switch(ForumThread)
        .join(Component, JOIN.LEFT_OUTER, on=(ForumThread.component == Component.id))
        .switch(ForumThread)
        .join(User, JOIN.LEFT_OUTER, on=(ForumThread.taken_by == User.id))
    )
    if filters.forum_list:
        on_list = (
            ForumMessageList.select(ForumMessage.thread)
            .join(ForumMessage)
            .where(ForumMessageList.forum_list == int(filters.forum_list))
        )
        query = query.where(ForumThread.id.in_(on_list))
    if filters.component:
        query = query.where(ForumThread.component == int(filters.component))
    if filters.state == "open":
        query = query.where(ForumThread.state.in_(("new", "seen")))
    elif filters.state:
        query = query.where(ForumThread.state == filters.state)
    if filters.taken == "me":
        query = query.where(ForumThread.taken_by == user.id)
    elif filters.taken == "nobody":
        query = query.where(ForumThread.taken_by.is_null())
    if filters.q:
        like = f"%{filters.q}%"
        matching = ForumMessage.select(ForumMessage.thread).where(
            ForumMessage.subject.contains(filters.q)
            | ForumMessage.body.contains(filters.q)
            | ForumMessage.sender_address.contains(filters.q)
        )
        query = query.where(ForumThread.subject**like | ForumThread.id.in_(matching))
    total = query.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, pages)
    rows = list(
        query.order_by(ForumThread.last_at.desc(), ForumThread.id.desc()).paginate(page, PAGE_SIZE)
    )
    return ThreadList(rows, total, page, pages)


def choices() -> dict:
    return {
        "lists": list(ForumList.select().order_by(ForumList.address)),
        "components": list(
            Component.select(Component.id, Component.name)
            .where(Component.id.in_(ForumThread.select(ForumThread.component)))
            .order_by(Component.name)
        ),
        "states": THREAD_STATES,
    }


def thread_for(thread_id: int, user) -> ForumThread | None:
    return ForumThread.visible_to(user).where(ForumThread.id == thread_id).first()


def messages_of(thread: ForumThread) -> list[ForumMessage]:
    return list(
        ForumMessage.select()
        .where(ForumMessage.thread == thread)
        .order_by(ForumMessage.sent_at, ForumMessage.id)
    )


def lists_of(thread: ForumThread) -> list[ForumList]:
    return list(
        ForumList.select()
        .join(ForumMessageList)
        .join(ForumMessage)
        .where(ForumMessage.thread == thread)
        .distinct()
        .order_by(ForumList.address)
    )


def tickets_of(thread: ForumThread) -> list[ForumThreadTicket]:
    return list(
        ForumThreadTicket.select(ForumThreadTicket, Ticket)
        .join(Ticket)
        .where(ForumThreadTicket.thread == thread)
        .order_by(ForumThreadTicket.linked_at)
    )


def threads_of_ticket(ticket, user) -> list[ForumThreadTicket]:
    """For the ticket page's box: the threads linked to ``ticket`` that ``user`` may see."""
    visible = ForumThread.visible_to(user).select(ForumThread.id)
    return list(
        ForumThreadTicket.select(ForumThreadTicket, ForumThread, ForumList)
        .join(ForumThread)
        .join(ForumList)
        .where(ForumThreadTicket.ticket == ticket, ForumThread.id.in_(visible))
        .order_by(ForumThread.last_at.desc())
    )


def other_threads(thread: ForumThread, user, limit: int = 30) -> list[ForumThread]:
    """Threads of the same list near in time, to join this one into."""
    return list(
        ForumThread.visible_to(user)
        .where(ForumThread.forum_list == thread.forum_list_id, ForumThread.id != thread.id)
        .order_by(ForumThread.last_at.desc())
        .limit(limit)
    )
