"""What a ticket is linked to elsewhere on the site, as the API's ``links`` object shows it:
the wiki pages that are its solution digests or mention it, the requirements that came from
it or went to the 3rd line with it. Each list is read through its area's one visibility rule
(``Page.visible_to``, ``Requirement.visible_to``) for the token's owner.

A new kind of link joins :data:`KINDS` with one entry (as ``forum_threads`` did, the mailing-list
threads linked to the ticket or that it was spawned from, issue 21), and its item schema joins
``TicketLinks`` in :mod:`dmsu.api.ticket_schemas`; a tool reads each list by its name and ignores
names it does not know.
"""

from __future__ import annotations

from flask import url_for

from dmsu.forums.queries import threads_of_ticket
from dmsu.requirements.models import Requirement, RequirementTicket
from dmsu.tickets.models import Ticket
from dmsu.wiki.solution import digests_for_ticket


def wiki_pages(ticket: Ticket, user) -> list[dict]:
    """Solution digests of the ticket and pages mentioning it, newest change first (one
    query)."""
    return [
        {
            "slug": page.slug,
            "title": page.title,
            "visibility": page.visibility,
            "solution_digest": page.ticket_id == ticket.id,
            "updated_at": page.updated_at.isoformat(),
            "url": url_for("wiki.show", slug=page.slug),
        }
        for page in digests_for_ticket(ticket, user)
    ]


def requirements(ticket: Ticket, user) -> list[dict]:
    """Requirements that came from the ticket or were sent to the 3rd line with it, oldest
    first (one query)."""
    came_from = RequirementTicket.select(RequirementTicket.requirement).where(
        RequirementTicket.ticket == ticket.id
    )
    found = (
        Requirement.visible_to(user)
        .where(Requirement.id.in_(came_from) | (Requirement.third_line_ticket == ticket.id))
        .order_by(Requirement.created_at, Requirement.id)
    )
    return [
        {
            "id": r.id,
            "title": r.title,
            "status": r.status,
            "rt_id": r.rt_id,
            "third_line_ticket": r.third_line_ticket_id == ticket.id,
            "url": url_for("requirements.show", requirement_id=r.id),
        }
        for r in found
    ]


def forum_threads(ticket: Ticket, user) -> list[dict]:
    """The forum threads linked to the ticket, or the one it was spawned from, newest mail
    first (one query; staff only, by ``ForumThread.visible_to``)."""
    return [
        {
            "id": link.thread.id,
            "subject": link.thread.subject,
            "list": link.thread.forum_list.address,
            "state": link.thread.state,
            "spawned_this_ticket": bool(link.spawned),
            "last_mail_at": link.thread.last_at.isoformat(),
            "url": url_for("forums.show", thread_id=link.thread.id),
        }
        for link in threads_of_ticket(ticket, user)
    ]


KINDS = {"wiki_pages": wiki_pages, "requirements": requirements, "forum_threads": forum_threads}
"""Every kind of link, by the name the ``links`` object gives it."""


def links_of(ticket: Ticket, user) -> dict[str, list[dict]]:
    return {name: read(ticket, user) for name, read in KINDS.items()}
