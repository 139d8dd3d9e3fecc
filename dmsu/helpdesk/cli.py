"""``flask dmsu`` commands of the helpdesk area: ``helpdesk-pull`` and ``helpdesk-push``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from dmsu.core.clitools import needs_schema


def register(group: click.Group) -> None:
    """Attach this area's commands to the ``dmsu`` group."""
    group.add_command(pull_command)
    group.add_command(push_command)


@click.command("helpdesk-pull")
@click.option("--queue-only", is_flag=True, help="Only the tickets the webhook queued.")
@with_appcontext
@needs_schema
def pull_command(queue_only):
    """Pull the helpdesk's changed tickets (webhook queue, then the poll); idempotent."""
    from dmsu.helpdesk.connector import IDLE, run_pull

    text = run_pull(current_app.config, poll=not queue_only)
    if text == IDLE or text.startswith("Helpdesk pull failed"):
        raise click.ClickException(text)
    click.echo(text)


@click.command("helpdesk-push")
@with_appcontext
@needs_schema
def push_command():
    """Send the queued steps to the helpdesk (or mark them, in dry-run mode)."""
    from dmsu.helpdesk.connector import IDLE, run_push

    text = run_push(current_app.config)
    if text == IDLE:
        raise click.ClickException(text)
    click.echo(text)
