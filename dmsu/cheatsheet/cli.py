"""``flask dmsu`` commands of the cheat sheet: import, export, routing accuracy."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dmsu.core.clitools import needs_schema


def register(group: click.Group) -> None:
    """Attach this area's commands to the ``dmsu`` group."""
    group.add_command(import_cheatsheet)
    group.add_command(export_cheatsheet)
    group.add_command(routing_accuracy)


@click.command("import-cheatsheet")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--retire-missing",
    is_flag=True,
    help="Retire the components on the sheet that the file does not list.",
)
@needs_schema
def import_cheatsheet(path: Path, retire_missing: bool):
    """Validate every row of a cheat-sheet CSV, then create or update its components (all or
    nothing; each change recorded in the history)."""
    from dmsu.cheatsheet.importer import CheatSheetImportError, import_file

    try:
        summary = import_file(path, retire_missing=retire_missing)
    except CheatSheetImportError as exc:
        for problem in exc.problems[1:]:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException(str(exc)) from None
    click.echo(summary.line())


@click.command("export-cheatsheet")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--retired", is_flag=True, help="Include retired components.")
@needs_schema
def export_cheatsheet(path: Path | None, retired: bool):
    """Write the cheat sheet as CSV (the import format, with e-mail addresses) to PATH or
    standard output."""
    from dmsu.cheatsheet.importer import write_csv
    from dmsu.cheatsheet.sheet import load_sheet

    rows = [row for row in load_sheet().rows if retired or not row.retired]
    text = write_csv(rows, with_emails=True)
    if path is None:
        sys.stdout.write(text)
    else:
        path.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {len(rows)} components to {path}.")


@click.command("routing-accuracy")
@click.option(
    "--method",
    type=click.Choice(["time", "loo"]),
    default="time",
    show_default=True,
    help="time: train on older tickets, test on the newest; loo: leave one out.",
)
@click.option("--test-fraction", default=0.2, show_default=True, type=click.FloatRange(0.01, 0.99))
@click.option("--limit", type=click.IntRange(1), help="Use only the latest N labelled tickets.")
@needs_schema
def routing_accuracy(method: str, test_fraction: float, limit: int | None):
    """How often the true component of past tickets is among the first three suggestions."""
    from dmsu.cheatsheet.accuracy import measure

    report = measure(method, test_fraction, limit)
    if report.combined.n == 0:
        raise click.ClickException(
            "No tickets with a known component to measure on; load some (flask dmsu demo)."
        )
    for line in report.lines():
        click.echo(line)
