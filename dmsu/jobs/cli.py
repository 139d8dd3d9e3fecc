"""``flask dmsu tick`` and ``flask dmsu scheduler``: running the periodic jobs.

"``flask --app app dmsu tick [--now ISO-8601]`` runs every due job once as of
that instant (for tests, cron and replaying history)"; in production the scheduler "runs as
its own process, ``flask --app app dmsu scheduler``, and a second scheduler process must not
double-send".
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from dmsu import jobs
from dmsu.core import clock
from dmsu.core.clitools import needs_schema


def _instant(_ctx, _param, value):
    if value is None:
        return None
    try:
        return clock.parse_instant(value)
    except ValueError as exc:
        raise click.BadParameter(f"{exc}") from None


@click.command("tick")
@click.option(
    "--now",
    "now",
    callback=_instant,
    metavar="ISO-8601",
    help="Run as of this instant, e.g. 2013-02-11T09:00:00+01:00 (default: the clock).",
)
@with_appcontext
@needs_schema
def tick_command(now):
    """Run every job once as of NOW and print what each did."""
    now = now or clock.now()
    with clock.frozen(now):
        results = jobs.run_all(now)
    click.echo(f"Jobs as of {now.isoformat()}:")
    failed = []
    for name, summary in results:
        click.echo(f"  {name}: {summary if summary is not None else 'done'}")
        if isinstance(summary, str) and summary.startswith("failed:"):
            failed.append(name)
    if failed:
        raise click.ClickException(f"These jobs failed (see the log): {', '.join(failed)}.")


@click.command("scheduler")
@with_appcontext
@needs_schema
def scheduler_command():
    """Run the jobs on their schedules until stopped (one scheduler at a time)."""
    app = current_app._get_current_object()
    running = app.extensions.pop("dmsu_scheduler", None)
    if running is not None:  # DMSU_SCHEDULER=1 in the environment: one scheduler is enough
        running.shutdown(wait=True)
        app.extensions.pop("dmsu_scheduler_lock").release()
    click.echo("Scheduler started: " + ", ".join(job.name for job in jobs.all_jobs()) + ".")
    try:
        jobs.run_scheduler(app)
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")


def register(group: click.Group) -> None:
    group.add_command(tick_command)
    group.add_command(scheduler_command)
