"""The forum threads of a week with broader impact, for the weekly digest's draft (issue 21,
item 7: "the weekly digest draft lists threads of the week with broader impact as
candidates"). Seed 000: digests "are focused on issues that are likely to hit broader user
community"; seed 001: the team "bring[s] issues with broader impact as new GGUS tickets".

A digest's entries are tickets, so a thread is offered through its tickets: the threads with
mail in the week that have a linked or spawned ticket, and why they look broad (a ticket was
spawned from it, its ticket is flagged broad impact, it came through several lists, or several
sites wrote in it). Threads themselves stay internal: the editor is a staff page, and what the
shift adds is the ticket, published through the public-text rule like any entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from dmsu.forums.models import ForumMessage, ForumMessageList, ForumThread, ForumThreadTicket
from dmsu.metrics.periods import week_bounds
from dmsu.tickets.models import Ticket

MANY_SITES = 3  # distinct sender domains that make a thread look broad


@dataclass(frozen=True)
class WeekThread:
    thread_id: int
    subject: str
    list_address: str
    tickets: tuple[int, ...]
    reasons: tuple[str, ...]


def threads_of_week(week: str, limit: int = 20) -> list[WeekThread]:
    start, end = week_bounds(week)
    active = ForumMessage.select(ForumMessage.thread).where(
        ForumMessage.sent_at >= start, ForumMessage.sent_at < end
    )
    links = list(
        ForumThreadTicket.select(ForumThreadTicket, Ticket.ggus_id, Ticket.broad_impact)
        .join(Ticket)
        .where(ForumThreadTicket.thread.in_(active))
    )
    by_thread: dict[int, list] = {}
    for link in links:
        by_thread.setdefault(link.thread_id, []).append(link)
    if not by_thread:
        return []
    ids = list(by_thread)
    list_counts = dict(
        ForumMessageList.select(
            ForumMessage.thread, fn.COUNT(ForumMessageList.forum_list.distinct())
        )
        .join(ForumMessage)
        .where(ForumMessage.thread.in_(ids))
        .group_by(ForumMessage.thread)
        .tuples()
    )
    domains: dict[int, set[str]] = {}
    for thread_id, sender in (
        ForumMessage.select(ForumMessage.thread, ForumMessage.sender_address)
        .where(ForumMessage.thread.in_(ids))
        .tuples()
    ):
        domains.setdefault(thread_id, set()).add(sender.rpartition("@")[2].lower())
    found = []
    for thread in (
        ForumThread.select().where(ForumThread.id.in_(ids)).order_by(ForumThread.last_at.desc())
    ):
        its = by_thread[thread.id]
        reasons = []
        if any(link.spawned for link in its):
            reasons.append("a ticket was spawned from it")
        if any(link.ticket.broad_impact for link in its):
            reasons.append("its ticket is flagged broad impact")
        if list_counts.get(thread.id, 1) > 1:
            reasons.append(f"on {list_counts[thread.id]} lists")
        if len(domains.get(thread.id, ())) >= MANY_SITES:
            reasons.append(f"{len(domains[thread.id])} sites wrote")
        if reasons:
            found.append(
                WeekThread(
                    thread.id,
                    thread.subject,
                    thread.forum_list.address,
                    tuple(sorted(link.ticket.ggus_id for link in its)),
                    tuple(reasons),
                )
            )
    return found[:limit]
