"""``flask dmsu`` commands of the tickets area."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Attach this area's commands to the ``dmsu`` group."""
    from dmsu.tickets import import_cli  # import-tickets, export-tickets

    import_cli.register(group)
