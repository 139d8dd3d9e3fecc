"""The operations digest: the open problems of broad impact, for the Operations meetings.

Seed 001, "Feedback to EGI Operations": "Some of the issues identified during ticket
resolution may not affect only the individual submitter but can have a broader impact. In
order to make the EGI operations teams and users aware of such issues, the software support
team provides digests of such problems. In particular, symptoms, impact, and possible
workarounds are documented and the issues are reported to the regular Operations meetings."

Public-safe text only (see :mod:`dmsu.digests.safety`): a ticket's subject, description,
impact, workaround, component and status; e-mail addresses taken out; never its comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN

from dmsu.cheatsheet.models import Component
from dmsu.digests import cache
from dmsu.digests.drafting import status_text
from dmsu.digests.safety import without_addresses, without_emails
from dmsu.tickets.models import CLOSED_STATUSES, Ticket
from dmsu.tickets.units import SupportUnit
from dmsu.wiki.render import plain_text, render_markdown

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

    def html(self, name: str) -> str:
        """A field as sanitised HTML (cached per ticket state)."""
        text = getattr(self, name)
        key = ("operations", self.ggus_id, name, text)
        found = cache.get(key)
        if found is None:
            found = render_markdown(text) if text.strip() else ""
            cache.put(key, found)
        return found


def open_broad_impact_problems(limit: int = LIMIT) -> list[Problem]:
    """The open tickets marked broad impact, oldest first: one query."""
    query = (
        Ticket.select(Ticket, Component, SupportUnit)
        .join(Component, join_type=JOIN.LEFT_OUTER, on=(Ticket.component == Component.id))
        .switch(Ticket)
        .join(SupportUnit, join_type=JOIN.LEFT_OUTER, on=(Ticket.support_unit == SupportUnit.id))
        .where((Ticket.broad_impact == True) & Ticket.status.not_in(CLOSED_STATUSES))  # noqa: E712
        .order_by(Ticket.created_at, Ticket.ggus_id)
        .limit(limit)
    )
    problems = []
    for ticket in query:
        safe = [ticket.submitter_email]

        def public(text: str, safe=safe) -> str:
            return without_addresses(without_emails(text or ""), safe).strip()

        problems.append(
            Problem(
                ggus_id=ticket.ggus_id,
                title=public(ticket.subject),
                component=ticket.component.name if ticket.component_id else "",
                status=status_text(ticket),
                since=ticket.created_at,
                symptoms=public(ticket.description) or public(ticket.subject),
                impact=public(ticket.impact),
                workaround=public(ticket.workaround),
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
            plain_text(p.symptoms),
            "",
            "Impact:",
            plain_text(p.impact) if p.impact else "Not described yet.",
            "",
            "Workaround:",
            plain_text(p.workaround) if p.workaround else "None known yet.",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"
