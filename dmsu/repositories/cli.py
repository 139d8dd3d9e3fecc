"""``flask dmsu`` commands of the repositories area."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Attach this area's commands to the ``dmsu`` group."""
