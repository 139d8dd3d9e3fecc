"""``flask dmsu`` commands of the wiki area."""

from __future__ import annotations

import click

from dmsu.clitools import needs_schema


def rerender_all() -> int:
    """Render every page's current revision again (after a change to the markdown path):
    the stored page HTML, the search text and the links. Revisions keep their own HTML; a
    page saved meanwhile keeps what its save rendered."""
    from dmsu.db import write_transaction
    from dmsu.wiki import links

    count = 0
    for page in list(links.current_pages()):
        rendered = links.render_page(page.markdown, page.visibility, self_slug=page.slug)
        with write_transaction("wiki"):
            if links.store_rendered(page, rendered, body_text=rendered.body_text):
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
