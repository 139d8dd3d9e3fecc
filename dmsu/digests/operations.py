"""The operations digest: the open problems of broad impact, for the Operations meetings.

Seed 001, "Feedback to EGI Operations": "Some of the issues identified during ticket
resolution may not affect only the individual submitter but can have a broader impact. In
order to make the EGI operations teams and users aware of such issues, the software support
team provides digests of such problems. In particular, symptoms, impact, and possible
workarounds are documented and the issues are reported to the regular Operations meetings."

Public text only: a ticket's subject, description, impact, workaround, component and status,
each made public text (:func:`dmsu.core.publictext.public_text`: no greeting, sign-off or signature,
no names, addresses or telephone numbers of the ticket's people); never its comments.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN

from dmsu.cheatsheet.models import Component
from dmsu.core.markdown import html_text
from dmsu.core.publictext import public_text
from dmsu.digests import cache
from dmsu.digests.drafting import digest_html, status_text
from dmsu.tickets.models import CLOSED_STATUSES, Ticket
from dmsu.tickets.people import people_of_tickets
from dmsu.tickets.units import SupportUnit

LIMIT = 200


@dataclass
class Problem:
    ggus_id: int
    title: str
    component: str
    status: str
    since: datetime
    symptoms: str  # markdown
    impact: str
    workaround: str

    def rendered(self) -> dict[str, str]:
        """Each text field as sanitised HTML (``<name>_html``) and as plain text
        (``<name>_text``); cached by the text itself, so a changed ticket is rendered anew."""
        fields = (self.symptoms, self.impact, self.workaround)
        digest = hashlib.sha256("\x00".join(fields).encode()).hexdigest()[:16]
        key = ("operations", self.ggus_id, digest)
        found = cache.get(key)
        if found is None:
            found = {}
            for name, text in zip(("symptoms", "impact", "workaround"), fields, strict=True):
                html = digest_html(text, drafted=True)
                found[f"{name}_html"] = html
                found[f"{name}_text"] = html_text(html) if html else ""
            cache.put(key, found)
        return found

    def html(self, name: str) -> str:
        return self.rendered()[f"{name}_html"]

    def text(self, name: str) -> str:
        return self.rendered()[f"{name}_text"]


def count_open_broad_impact() -> int:
    return (
        Ticket.select()
        .where((Ticket.broad_impact == True) & Ticket.status.not_in(CLOSED_STATUSES))  # noqa: E712
        .count()
    )


def open_broad_impact_problems(limit: int = LIMIT) -> list[Problem]:
    """The open tickets marked broad impact, the most recent first: one query."""
    query = (
        Ticket.select(Ticket, Component, SupportUnit)
        .join(Component, join_type=JOIN.LEFT_OUTER, on=(Ticket.component == Component.id))
        .switch(Ticket)
        .join(SupportUnit, join_type=JOIN.LEFT_OUTER, on=(Ticket.support_unit == SupportUnit.id))
        .where((Ticket.broad_impact == True) & Ticket.status.not_in(CLOSED_STATUSES))  # noqa: E712
        .order_by(Ticket.created_at.desc(), Ticket.ggus_id.desc())
        .limit(limit)
    )
    tickets = list(query)
    people = people_of_tickets(t.id for t in tickets)
    problems = []
    for ticket in tickets:
        of_ticket = people.get(ticket.id)
        title = public_text(ticket.subject, of_ticket)
        problems.append(
            Problem(
                ggus_id=ticket.ggus_id,
                title=title,
                component=ticket.component.name if ticket.component_id else "",
                status=status_text(ticket),
                since=ticket.created_at,
                symptoms=public_text(ticket.description, of_ticket) or title,
                impact=public_text(ticket.impact, of_ticket),
                workaround=public_text(ticket.workaround, of_ticket),
            )
        )
    return problems


def as_markdown(problems: list[Problem], *, ticket_url, title: str) -> str:
    """The list as markdown to paste into the meeting's agenda."""
    lines = [f"# {title}", ""]
    if not problems:
        lines.append("No open problems of broad impact.")
    for p in problems:
        lines += [
            f"## [GGUS #{p.ggus_id}]({ticket_url(p.ggus_id)}): {p.title}",
            "",
            f"- **Component:** {p.component or 'not set'}",
            f"- **Status:** {p.status}",
            f"- **Since:** {p.since:%Y-%m-%d}",
            "",
            "**Symptoms**",
            "",
            p.symptoms,
            "",
            "**Impact**",
            "",
            p.impact or "Not described yet.",
            "",
            "**Workaround**",
            "",
            p.workaround or "None known yet.",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def as_text(problems: list[Problem], *, ticket_url, title: str) -> str:
    """The list as plain text (no markup) to paste into the meeting's agenda."""
    lines = [title, "=" * len(title), ""]
    if not problems:
        lines.append("No open problems of broad impact.")
    for p in problems:
        heading = f"GGUS #{p.ggus_id}: {p.title}"
        lines += [
            heading,
            "-" * len(heading),
            f"Link: {ticket_url(p.ggus_id)}",
            f"Component: {p.component or 'not set'}",
            f"Status: {p.status}",
            f"Since: {p.since:%Y-%m-%d}",
            "",
            "Symptoms:",
            p.text("symptoms"),
            "",
            "Impact:",
            p.text("impact") or "Not described yet.",
            "",
            "Workaround:",
            p.text("workaround") or "None known yet.",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"
