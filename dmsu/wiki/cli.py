"""``flask dmsu`` commands of the wiki area."""

from __future__ import annotations

import click

from dmsu.core.clitools import needs_schema


def rerender_all(refused: list[str] | None = None) -> int:
    """Render every page's current revision again (after a change to the markdown path):
    the stored page HTML, the search text and the links. Revisions keep their own HTML; a
    page saved meanwhile keeps what its save rendered; a page the markdown path now refuses
    keeps its HTML, and its slug goes to ``refused``."""
    from dmsu.core.db import write_transaction
    from dmsu.core.markdown import MarkdownRefused
    from dmsu.wiki import links

    count = 0
    for page in list(links.current_pages()):
        try:
            rendered = links.render_page(page.markdown, page.visibility, self_slug=page.slug)
        except MarkdownRefused:
            if refused is not None:
                refused.append(page.slug)
            continue
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
        refused: list[str] = []
        click.echo(f"Wiki pages rendered again: {rerender_all(refused)}.")
        if refused:
            click.echo(
                "Kept as they were (too long or too complex for the markdown path now; edit "
                f"them): {', '.join(refused)}."
            )
