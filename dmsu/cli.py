"""The ``flask dmsu`` command group: set-up commands here, area commands from ``<area>/cli.py``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from dmsu.core import schema
from dmsu.core.clitools import needs_schema
from dmsu.core.db import connection_problem, database

dmsu_group = AppGroup("dmsu", help="DMSU desk commands.")


@dmsu_group.command("init")
def init_command():
    """Create or migrate the schema, the built-in support units, and load content/."""
    from dmsu import content
    from dmsu.tickets.sla import stored_clocks as sla_clocks

    problem = connection_problem()
    if problem:
        raise click.ClickException(problem)
    applied = schema.migrate()
    click.echo(f"Schema: {'applied ' + ', '.join(applied) if applied else 'up to date'}.")
    with database.atomic():
        summary = content.load_all()
    for line in summary:
        click.echo(line)
    refreshed = sla_clocks.refresh_stale()  # the calendar or a unit's SLA level may have changed
    if refreshed:
        click.echo(sla_clocks.refreshed(refreshed))


@dmsu_group.command("demo")
@click.option("--tickets", "n_tickets", default=700, show_default=True, type=click.IntRange(0))
@click.option("--seed", default=2012, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has tickets.")
@needs_schema
def demo_command(n_tickets, seed, if_empty):
    """Fill an empty database with a realistic year of demo data."""
    from dmsu import demo
    from dmsu.tickets.models import Ticket

    if Ticket.select().exists():
        if if_empty:
            click.echo("The database already has tickets; demo data not loaded.")
            return
        raise click.ClickException("The database already has tickets; demo needs an empty one.")
    logins = demo.load(n_tickets, seed=seed, echo=click.echo)
    click.echo("Demo logins (user / password):")
    for username, password in logins:
        click.echo(f"  {username} / {password}")


@dmsu_group.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@needs_schema
def backup_command(target):
    """Write a consistent backup of the whole database to TARGET."""
    from dmsu.core import backup

    try:
        method = backup.backup(target)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written to {target} ({method}).")


@dmsu_group.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(source, yes):
    """Replace the database's contents with the backup in SOURCE."""
    from dmsu.core import backup

    problem = connection_problem()
    if problem:
        raise click.ClickException(problem)
    if not yes:
        click.confirm("This replaces everything in the database. Continue?", abort=True)
    try:
        method = backup.restore(source)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored from {source} ({method}).")


def register_cli(app) -> None:
    from dmsu.auth import cli as auth_cli
    from dmsu.cheatsheet import cli as cheatsheet_cli
    from dmsu.digests import cli as digests_cli
    from dmsu.forums import cli as forums_cli
    from dmsu.helpdesk import cli as helpdesk_cli
    from dmsu.jobs import cli as jobs_cli
    from dmsu.metrics import cli as metrics_cli
    from dmsu.repositories import cli as repositories_cli
    from dmsu.requirements import cli as requirements_cli
    from dmsu.search import cli as search_cli
    from dmsu.tickets import cli as tickets_cli
    from dmsu.wiki import cli as wiki_cli

    for module in (
        auth_cli,
        tickets_cli,
        jobs_cli,
        cheatsheet_cli,
        wiki_cli,
        digests_cli,
        requirements_cli,
        metrics_cli,
        search_cli,
        helpdesk_cli,
        forums_cli,
        repositories_cli,
    ):
        module.register(dmsu_group)
    app.cli.add_command(dmsu_group)
