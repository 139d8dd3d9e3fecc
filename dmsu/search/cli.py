"""``flask dmsu`` commands of the search: the rebuild."""

from __future__ import annotations

import click

from dmsu.core.clitools import needs_schema


def register(group: click.Group) -> None:
    """Attach this area's commands to the ``dmsu`` group."""

    @group.command("search-rebuild")
    @needs_schema
    def search_rebuild_command():
        """Make the search index again from every area (after a change of tokenizer)."""
        from dmsu.search.rebuild import rebuild_all

        written = rebuild_all()
        parts = ", ".join(f"{area} {count}" for area, count in written.items())
        click.echo(f"Search index made again: {parts} documents.")
