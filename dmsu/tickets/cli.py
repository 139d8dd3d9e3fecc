"""``flask dmsu`` commands of the tickets area."""

from __future__ import annotations

import click

from dmsu.core.clitools import needs_schema


@click.command("record-release")
@click.argument("component")
@click.argument("version")
@click.option(
    "--status",
    type=click.Choice(["delivered", "verified", "rejected"]),
    default="verified",
    show_default=True,
    help="What UMD says about the release.",
)
@needs_schema
def record_release_command(component, version, status):
    """Record COMPONENT VERSION as delivered, verified or rejected in UMD.

    A verified release closes the tickets in UMD release fixed in this or an older version
    and solves the on-hold tickets waiting for it (seed 001).
    """
    from dmsu.tickets import workflow

    try:
        changed = workflow.record_release(component, version, status, workflow.SYSTEM)
    except workflow.WorkflowError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{component} {version} recorded as {status}.")
    closed = [t.ggus_id for t in changed if t.status == "closed"]
    solved = [t.ggus_id for t in changed if t.status == "solved"]
    if status == "verified":
        click.echo(f"Closed {len(closed)} ticket(s): {', '.join(map(str, closed)) or 'none'}.")
        click.echo(
            f"Solved {len(solved)} on-hold ticket(s): {', '.join(map(str, solved)) or 'none'}."
        )


def register(group: click.Group) -> None:
    """Attach this area's commands to the ``dmsu`` group."""
    group.add_command(record_release_command)
    from dmsu.tickets.exchange import cli as import_cli

    import_cli.register(group)
