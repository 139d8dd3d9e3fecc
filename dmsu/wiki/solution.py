"""Solution digests: a wiki page recording how a ticket was solved.

Seed 000: "Tickets of the specific category of being assigned to the 3rd line support because
of lack of expertise in DMSU which get solved are inspected, and the digest of the solution
recorded at DMSU internal wiki for further use." The new-page form is prefilled from the
ticket; saving links the page to the ticket (and, through the ticket workflow, records a
``digest`` event on the ticket).

A digest may be made public, so it starts from the ticket's public text only
(:func:`dmsu.core.publictext.public_text`): the symptoms without the submitter's greeting,
signature, name and contacts, nor the names of the others in the ticket.
"""

from __future__ import annotations

from dmsu.auth.permissions import PermissionDenied
from dmsu.core.publictext import People, public_text
from dmsu.tickets.models import Ticket
from dmsu.tickets.people import people_of
from dmsu.tickets.workflow.events import WorkflowError
from dmsu.tickets.workflow.releases import link_solution_digest
from dmsu.wiki.models import DIGEST_TAG, Page
from dmsu.wiki.pages import TITLE_MAX, Draft


def digest_title(ticket: Ticket, people: People | None = None) -> str:
    suffix = f" (#{ticket.ggus_id})"
    room = TITLE_MAX - len("Solution digest: ") - len(suffix)
    subject = " ".join(public_text(ticket.subject, people).split()) or "ticket"
    if len(subject) > room:
        subject = subject[: room - 1].rstrip() + "…"
    return f"Solution digest: {subject}{suffix}"


def _quoted(text: str) -> str:
    lines = [line.rstrip() for line in (text or "").strip().splitlines()][:20]
    return "\n".join(f"> {line}" if line else ">" for line in lines) or "_(no description)_"


def digest_markdown(ticket: Ticket, people: People | None = None) -> str:
    """The body template: ticket link, component, symptoms, cause, solution, workaround."""
    component = ticket.component.name if ticket.component_id else "_(not set)_"
    workaround = public_text(ticket.workaround, people) or "_(none known)_"
    return (
        f"Ticket: #{ticket.ggus_id}\n\n"
        f"Component: {component}\n\n"
        "## Symptoms\n\n"
        f"{_quoted(public_text(ticket.description, people))}\n\n"
        "## Cause\n\n"
        "_What was wrong._\n\n"
        "## Solution\n\n"
        "_How it was solved, so that DMSU can solve the next one._\n\n"
        "## Workaround\n\n"
        f"{workaround}\n"
    )


def prefill(ticket: Ticket) -> Draft:
    people = people_of(ticket)
    return Draft(
        title=digest_title(ticket, people),
        markdown=digest_markdown(ticket, people),
        visibility="internal",
        tags=DIGEST_TAG,
        summary=f"Solution digest of ticket #{ticket.ggus_id}",
        component_id=ticket.component_id,
        ticket_id=ticket.id,
    )


def link_to_ticket(ticket: Ticket, user, page: Page) -> str | None:
    """Tell the ticket workflow about the digest; a sentence when it could not, else None."""
    try:
        link_solution_digest(ticket, user, Page.get_by_id(page.id))
    except (WorkflowError, PermissionDenied) as exc:
        return f"The page was saved but not linked on the ticket: {exc}"
    return None


def digests_for_ticket(ticket: Ticket, user):
    """Pages visible to ``user`` that are this ticket's digests or mention it (one query)."""
    from dmsu.wiki.models import PageLink

    mentions = PageLink.select(PageLink.page).where(PageLink.ggus_id == ticket.ggus_id)
    return (
        Page.visible_to(user, Page.slug, Page.title, Page.visibility, Page.ticket, Page.updated_at)
        .where((Page.ticket == ticket.id) | Page.id.in_(mentions))
        .order_by(Page.updated_at.desc())
        .limit(50)
    )


def pages_for_component(component, user):
    """Pages visible to ``user`` about ``component``: solution digests and known issues."""
    return (
        Page.visible_to(
            user, Page.slug, Page.title, Page.visibility, Page.ticket, Page.tags, Page.updated_at
        )
        .where(Page.component == component.id)
        .order_by(Page.updated_at.desc())
        .limit(100)
    )
