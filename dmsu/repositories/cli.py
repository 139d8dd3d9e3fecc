"""``flask dmsu`` commands of the repositories area: ``scan-repositories``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from dmsu.core.clitools import needs_schema


def register(group: click.Group) -> None:
    """Attach this area's commands to the ``dmsu`` group."""
    group.add_command(scan_command)


@click.command("scan-repositories")
@with_appcontext
@needs_schema
def scan_command():
    """Read every enabled repository and record what is new as releases (idempotent)."""
    from dmsu.repositories.run import run_scan
    from dmsu.repositories.scan import summary
    from dmsu.repositories.sources import SourceError

    try:
        scan = run_scan(current_app.config, trigger="command", file_root=current_app.instance_path)
    except SourceError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(summary(scan))
    if scan.repositories_failed:
        raise SystemExit(1)
