"""Demo wiki content: solution digests of solved tickets that went to the 3rd line for lack
of expertise (seed 000: "... which get solved are inspected, and the digest of the solution
recorded at DMSU internal wiki"), and known-issue pages linked to components."""

from __future__ import annotations

from dataclasses import replace

from dmsu.cheatsheet.models import Component
from dmsu.core import clock
from dmsu.core.markdown import slugify
from dmsu.tickets.models import CLOSED_STATUSES, Ticket
from dmsu.wiki import solution
from dmsu.wiki.models import KNOWN_ISSUE_TAG, Page
from dmsu.wiki.pages import Draft, create_page

DIGESTS = 6
KNOWN_ISSUES = (
    (
        "dCache",
        "Known issue: dCache SRM door refuses transfers after a CA update",
        "After the site updates its CA certificates, the SRM door refuses transfers with "
        "`CGSI-gSOAP: Could not open connection`. **Workaround:** restart the SRM door so that "
        "it reloads the trust store.",
    ),
    (
        "VOMS",
        "Known issue: VOMS proxies without attributes after a server certificate change",
        "`voms-proxy-init` succeeds but the proxy carries no attributes when the clients still "
        "have the old `.lsc` file. **Workaround:** install the new `.lsc` files on the clients.",
    ),
    (
        "WMS",
        "Known issue: WMS job status stuck in Waiting",
        "Jobs stay in *Waiting* when the information system publishes no matching CE. "
        "**Workaround:** check the CE publication in the top BDII first.",
    ),
)
_SOLUTIONS = (
    "The product team found a race in the service start-up; a configuration change avoids it.",
    "A missing package dependency on the worker nodes; installing it solved the problem.",
    "A documented but rarely used option had the wrong default; setting it explicitly helped.",
    "The site ran an older, unsupported release; the upgrade solved the issue.",
)


def _digest_tickets(limit: int):
    return list(
        Ticket.select()
        .where(Ticket.lack_of_expertise == True, Ticket.status.in_(CLOSED_STATUSES))  # noqa: E712
        .order_by(Ticket.updated_at.desc())
        .limit(limit)
    )


def load(ctx) -> str:
    author = ctx.users.get("rita") or next(
        (u for u in ctx.users.values() if u.role in {"resolver", "assigner"}), None
    )
    if author is None:
        return "Wiki: no DMSU user to write demo pages."
    digests = known = 0
    for ticket in _digest_tickets(DIGESTS):
        draft = solution.prefill(ticket)
        if Page.select().where(Page.slug == slugify(draft.title)).exists():
            continue
        body = draft.markdown.replace(
            "_How it was solved, so that DMSU can solve the next one._",
            ctx.rng.choice(_SOLUTIONS),
        )
        visibility = "public" if digests % 3 == 0 else "internal"
        with clock.frozen(max(ticket.updated_at, ticket.created_at)):
            page = create_page(replace(draft, markdown=body, visibility=visibility), author)
            solution.link_to_ticket(ticket, author, page)
        digests += 1
    for component_name, title, text in KNOWN_ISSUES:
        component = Component.get_or_none(Component.name == component_name)
        if component is None or Page.select().where(Page.slug == slugify(title)).exists():
            continue
        with clock.frozen(ctx.end):
            create_page(
                Draft(
                    title=title,
                    markdown=f"## Symptoms and workaround\n\n{text}\n\nSee [[Markdown help]].\n",
                    visibility="public",
                    tags=f"{KNOWN_ISSUE_TAG} {slugify(component_name)}",
                    component_id=component.id,
                    summary="Demo known issue",
                ),
                author,
            )
        known += 1
    return f"Wiki: {digests} solution digests, {known} known-issue pages."
