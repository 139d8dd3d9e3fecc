"""Demo data of the forums area: the five lists of seed 001, a question on a list for some of
the demo's tickets (as a site admin would ask it before a ticket is opened), answered by DMSU,
most linked to their ticket; and threads that are not about a ticket (announcements, questions
answered on the spot, noise). Every mail goes the way real mail goes: raw bytes through
:func:`dmsu.forums.ingest.take_in_all`, so the demo threads are made by the real threading.

The questions are written from their ticket's subject and first lines, so the link suggestions
("Likely tickets") can be measured against the ticket each thread came from
(``bench/forums_bench.py --precision``)."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from dmsu.auth.models import User
from dmsu.cheatsheet.models import Component
from dmsu.forums import work
from dmsu.forums.ingest import take_in_all
from dmsu.forums.lists import ensure_list
from dmsu.forums.models import ForumMessage, ForumThread
from dmsu.tickets.models import Ticket

LISTS = (
    ("lcg-rollout@jiscmail.ac.uk", "LCG-ROLLOUT (JISCMail)"),
    ("unicore-support@lists.sf.net", "UNICORE support"),
    ("dpm-users-forum@cern.ch", "DPM users forum"),
    ("user-forum@dcache.org", "dCache user forum"),
    ("nordugrid-discuss@nordugrid.org", "NorduGrid discuss"),
)
QUESTIONS = 14
ASKERS = ("Pat Sample", "Lee Admin", "Sam Operator", "Kim Siteadmin", "Jo Gridops", "Max Storage")
OTHER_THREADS = (
    (
        "lcg-rollout@jiscmail.ac.uk",
        "Scheduled downtime of the top BDII next Tuesday",
        "not relevant",
    ),
    ("user-forum@dcache.org", "dCache 2.2.4 released", "not relevant"),
    ("nordugrid-discuss@nordugrid.org", "How do I set the default queue of an ARC CE?", "answered"),
    ("dpm-users-forum@cern.ch", "DPM head node memory after upgrade", "new"),
    ("unicore-support@lists.sf.net", "UNICORE gateway certificate renewal steps", "seen"),
    ("lcg-rollout@jiscmail.ac.uk", "Maintenance window at site-05 on Friday", "new"),
)


def _raw(n, *, address, subject, body, sender, at, reply_to=None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = address
    message["List-Id"] = f"<{address.replace('@', '.')}>"
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = f"<demo-{n}@lists.example.org>"
    if reply_to:
        message["In-Reply-To"] = f"<demo-{reply_to}@lists.example.org>"
        message["References"] = f"<demo-{reply_to}@lists.example.org>"
    message.set_content(body)
    return bytes(message)


def _list_for(ticket: Ticket, rng) -> str:
    followed = {a for a, _ in LISTS}
    own = [f.lower() for f in (ticket.component.forum_list if ticket.component_id else [])]
    own = [f for f in own if f in followed]
    return rng.choice(own) if own else "lcg-rollout@jiscmail.ac.uk"


def _question_tickets(ctx) -> list[Ticket]:
    candidates = list(
        Ticket.select()
        .join(Component, on=(Ticket.component == Component.id))
        .where(Component.forums != "")
        .order_by(Ticket.created_at)
    )
    return ctx.rng.sample(candidates, min(QUESTIONS, len(candidates)))


def load(ctx) -> str:
    for address, name in LISTS:
        ensure_list(address, name)
    staff = list(User.select().where(User.role.in_(("resolver", "assigner"))).order_by(User.id))
    raws: list[tuple[str, bytes]] = []
    plots: list[tuple[int, Ticket | None, str]] = []
    n = 0
    for i, ticket in enumerate(_question_tickets(ctx)):
        address = _list_for(ticket, ctx.rng)
        asker = ASKERS[i % len(ASKERS)]
        at = ticket.created_at - timedelta(days=1, hours=ctx.rng.randint(0, 20))
        first_lines = " ".join((ticket.description or "").split())[:400]
        n += 1
        question = n
        raws.append(
            (
                f"demo {n}",
                _raw(
                    n,
                    address=address,
                    subject=ticket.subject,
                    body=f"Hello all,\n\n{first_lines}\n\nHas anyone seen this?\n\n{asker}\n",
                    sender=f"{asker} <{asker.split()[0].lower()}@site-{i:02d}.example.org>",
                    at=at,
                ),
            )
        )
        n += 1
        helper = staff[i % len(staff)].name if staff else "DMSU"
        raws.append(
            (
                f"demo {n}",
                _raw(
                    n,
                    address=address,
                    subject=f"Re: {ticket.subject}",
                    body=(
                        f"Hi {asker.split()[0]},\n\nOn {at:%a, %d %b %Y}, {asker} wrote:\n"
                        f"> {first_lines[:160]}\n\nWe are looking at it; please open a GGUS "
                        f"ticket with the logs.\n\n{helper}, DMSU\n"
                    ),
                    sender=f"{helper} <dmsu@egi.example.org>",
                    at=at + timedelta(hours=3),
                    reply_to=question,
                ),
            )
        )
        plots.append((question, ticket, "linked" if i % 5 else "answered"))
    for j, (address, subject, state) in enumerate(OTHER_THREADS):
        n += 1
        at = ctx.end - timedelta(days=3 + 9 * j)
        headers_body = f"{subject}.\n\nDetails to follow.\n"
        raws.append(
            (
                f"demo {n}",
                _raw(
                    n,
                    address=address,
                    subject=subject,
                    body=headers_body,
                    sender=f"Announcer <news@{address.split('@')[1]}>",
                    at=at,
                ),
            )
        )
        plots.append((n, None, state))
    result = take_in_all(raws)
    linked = 0
    actor = staff[0] if staff else None
    for question, ticket, state in plots if actor else ():
        message = ForumMessage.get_or_none(
            ForumMessage.message_id == f"demo-{question}@lists.example.org"
        )
        if message is None:
            continue
        thread = ForumThread.get_by_id(message.thread_id)
        if ticket is not None and state == "linked":
            work.link(thread, ticket.ggus_id, actor)
            linked += 1
        elif state != "new":
            work.set_state(thread, state, actor)
    return (
        f"Forums: {len(LISTS)} lists, {ForumThread.select().count()} threads "
        f"({result.new} messages), {linked} linked to demo tickets."
    )
