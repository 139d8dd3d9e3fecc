"""The forums demo: the seed's five lists, questions about demo tickets threaded with DMSU's
answers and linked to their tickets, and threads about no ticket in other states."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from dmsu.cheatsheet.models import Component
from dmsu.demo import DemoContext
from dmsu.forums import demo
from dmsu.forums.models import ForumList, ForumThread, ForumThreadTicket

END = datetime(2013, 5, 1, tzinfo=UTC)


def test_demo_threads_are_linked_to_demo_tickets(app, make_user, make_ticket):
    users = {"rita": make_user("resolver", "rita")}
    dcache = Component.create(name="dCache", slug="dcache", forums="user-forum@dcache.org")
    for i in range(20):
        make_ticket(
            80000 + i,
            subject=f"dCache pool {i} refuses transfers",
            description="The pool refuses transfers after the upgrade.",
            component=dcache,
            created_at=(END - timedelta(days=10 * i)).isoformat(),
        )
    ctx = DemoContext(n_tickets=0, rng=random.Random(1), end=END, users=users)
    summary = demo.load(ctx)
    assert ForumList.select().count() == 5
    questions = ForumThread.select().where(ForumThread.message_count == 2)
    assert questions.count() == demo.QUESTIONS
    assert all(t.forum_list.address == "user-forum@dcache.org" for t in questions)
    links = list(ForumThreadTicket.select())
    assert len(links) == sum(1 for i in range(demo.QUESTIONS) if i % 5)
    for link in links:
        assert link.thread.subject == link.ticket.subject and link.thread.state == "linked"
    states = {t.state for t in ForumThread.select()}
    assert {"linked", "answered", "not relevant", "new", "seen"} <= states
    assert summary == (
        f"Forums: 5 lists, {demo.QUESTIONS + len(demo.OTHER_THREADS)} threads "
        f"({2 * demo.QUESTIONS + len(demo.OTHER_THREADS)} messages), {len(links)} linked to demo tickets."
    )
