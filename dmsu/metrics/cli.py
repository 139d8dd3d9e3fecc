"""``flask dmsu`` commands of the metrics area.

``flask --app app dmsu metrics --period PY3 --by quarter --format json`` prints the issue's
JSON shape (``{"periods": [...], "total": {...}}``); ``--format csv`` one line per piece and
the total; ``--format table`` seed 001's Table 1 layout. Bad input (an unknown period, an end
before the start, an unknown split or format) gets one sentence and exit status 2.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from dmsu.core import clock
from dmsu.core.clitools import needs_schema
from dmsu.metrics.periods import SPLITS, PeriodError
from dmsu.metrics.report import FORMATS, period_metrics, project_start, render, resolve


def register(group: click.Group) -> None:
    """Attach this area's commands to the ``dmsu`` group."""
    group.add_command(metrics_command)


@click.command("metrics")
@click.option(
    "--period",
    "period_name",
    default=None,
    metavar="PERIOD",
    help="PQ9, PY3, 2012-07, 2013-W07, 2012 or 2012-05-01..2013-05-01 (default: this project year).",
)
@click.option("--by", type=click.Choice(SPLITS), default="quarter", show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@with_appcontext
@needs_schema
def metrics_command(period_name, by, fmt):
    """Print the ticket metrics of a period (the metrics' definitions, from events, UTC)."""
    from dmsu.metrics.page import current_year

    config = current_app.config
    try:
        if period_name is None:
            period = current_year(config, clock.now())
        else:
            period = resolve(period_name, project_start(config))
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="'--period'") from None
    click.echo(render(period_metrics(period, by, project_start(config)), fmt), nl=False)
