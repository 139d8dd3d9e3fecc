"""``flask dmsu`` commands of the requirements area: ``rt-sync`` and ``requirements-digest``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from dmsu.core.clitools import needs_schema


def register(group: click.Group) -> None:
    """Attach this area's commands to the ``dmsu`` group."""
    group.add_command(rt_sync_command)
    group.add_command(digest_command)


@click.command("rt-sync")
@with_appcontext
@needs_schema
def rt_sync_command():
    """Pull the status of the RT tickets linked to requirements (idempotent)."""
    from dmsu.requirements.rt_client import RtError, RtSettings
    from dmsu.requirements.rt_sync import sync_from_rt

    settings = RtSettings.from_config(current_app.config)
    if not settings.configured:
        raise click.ClickException(
            "RT is not configured: set DMSU_RT_URL and DMSU_RT_TOKEN (or DMSU_RT_USER and "
            "DMSU_RT_PASSWORD)."
        )
    try:
        result = sync_from_rt(settings)
    except RtError as exc:
        raise click.ClickException(f"{exc}; no requirement was changed.") from None
    click.echo(result.summary())


@click.command("requirements-digest")
@with_appcontext
@click.option("--period", required=True, help="PQ9, PY3, 2013-02, 2013-W07 or a..b")
@click.option("--format", "fmt", type=click.Choice(["md", "csv"]), default="md", show_default=True)
@needs_schema
def digest_command(period, fmt):
    """Print the TCB requirements digest of a period as markdown or CSV."""
    from datetime import date
    from types import SimpleNamespace

    from dmsu.metrics.periods import PeriodError, parse_period
    from dmsu.requirements import tcb

    try:
        span = parse_period(period, date.fromisoformat(current_app.config["DMSU_PROJECT_START"]))
    except PeriodError as exc:
        raise click.UsageError(str(exc)) from None
    reader = SimpleNamespace(is_authenticated=True, is_active=True, role="admin")  # the CLI
    digest = tcb.tcb_digest(span, reader)
    rt_base = current_app.config.get("DMSU_RT_URL") or ""
    if fmt == "csv":
        click.echo(tcb.digest_csv(digest, rt_base_url=rt_base), nl=False)
        return
    base = current_app.config["DMSU_BASE_URL"].rstrip("/")
    click.echo(
        tcb.digest_markdown(
            digest, rt_base_url=rt_base, page_url=lambda i: f"{base}/requirements/{i}"
        ),
        nl=False,
    )
