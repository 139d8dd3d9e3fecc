"""``flask dmsu`` commands of the wiki area."""

from __future__ import annotations

import click

from dmsu.clitools import needs_schema


def rerender_all() -> int:
    """Render every page's current revision again (after a change to the markdown path):
    the stored page HTML, the search text and the links. Revisions keep their own HTML."""
    from dmsu import clock
    from dmsu.db import database
    from dmsu.wiki import links
    from dmsu.wiki.models import Page, Revision

    count = 0
    current = (
        Page.select(Page.id, Page.slug, Page.visibility, Revision.markdown)
        .join(Revision, on=((Revision.page == Page.id) & (Revision.number == Page.revision_number)))
        .order_by(Page.id)
        .objects()
    )
    for page in list(current):
        rendered = links.render_page(page.markdown, page.visibility, self_slug=page.slug)
        with database.atomic():
            Page.update(
                html=rendered.html, body_text=rendered.body_text, changed_at=clock.now()
            ).where(Page.id == page.id).execute()
            links.store_links(page, rendered)
        count += 1
    return count


def register(group: click.Group) -> None:
    """Attach this area's commands to the ``dmsu`` group."""

    @group.command("wiki-rerender")
    @needs_schema
    def wiki_rerender_command():
        """Render every wiki page again from its markdown (after a renderer change)."""
        click.echo(f"Wiki pages rendered again: {rerender_all()}.")
