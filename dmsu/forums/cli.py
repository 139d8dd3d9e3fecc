"""``flask dmsu`` commands of the forums area: ``forums-fetch`` (the job, by hand: IMAP and
Bugzilla) and ``forums-import`` (back-fill a list from an mbox or LISTSERV notebook file)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from dmsu.core.clitools import needs_schema


def register(group: click.Group) -> None:
    """Attach this area's commands to the ``dmsu`` group."""
    group.add_command(fetch_command)
    group.add_command(import_command)


@click.command("forums-fetch")
@with_appcontext
@needs_schema
def fetch_command():
    """Fetch new mail of the IMAP mailbox and the followed Bugzilla (incremental, idempotent)."""
    from dmsu.forums.sources import fetch_sources

    run = fetch_sources(current_app.config)
    if not run.configured or run.failed:
        raise click.ClickException(run.text)
    click.echo(run.text)


@click.command("forums-import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--list", "address", required=True, help="the list's address, e.g. user-forum@dcache.org"
)
@click.option("--format", "kind", type=click.Choice(["auto", "mbox", "listserv"]), default="auto")
@with_appcontext
@needs_schema
def import_command(path, address, kind):
    """Back-fill a list from an mbox (.mbox, .mbox.gz) or LISTSERV notebook (LIST.LOGyymm)."""
    from dmsu.core.db import write_transaction
    from dmsu.forums.archives import ArchiveError, import_file
    from dmsu.forums.lists import ListError, ensure_list

    try:
        with write_transaction("forums"):
            forum_list = ensure_list(address)
        result = import_file(path, forum_list, kind=None if kind == "auto" else kind)
    except (ArchiveError, ListError) as exc:
        raise click.ClickException(f"{exc} Nothing was imported.") from None
    click.echo(result.summary())
