"""``flask dmsu import-tickets`` and ``export-tickets``: the import format on the command line.

Registered by :func:`dmsu.tickets.cli.register` (one call, so other ticket commands can sit
beside these). See :mod:`dmsu.tickets.exchange.records` for the format.
"""

from __future__ import annotations

import os
import sys

import click

from dmsu.core.clitools import needs_schema

PROGRESS_THRESHOLD = 1_000_000  # characters: smaller files import without a bar


def _lines(n: int) -> str:
    return f"{n} bad line" if n == 1 else f"{n} bad lines"


@click.command("import-tickets")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--skip-invalid", is_flag=True, help="Import the good lines, report the bad ones.")
@click.option("--dry-run", is_flag=True, help="Check the file only; write nothing.")
@needs_schema
def import_tickets_command(path, skip_invalid, dry_run):
    """Import tickets from a JSON-lines file (one ticket per line; see README)."""
    from dmsu.tickets.exchange.import_file import import_lines

    size = 0 if path == "-" else os.path.getsize(path)
    with click.open_file(path, encoding="utf-8", errors="strict") as handle:
        try:
            if size >= PROGRESS_THRESHOLD:
                with click.progressbar(
                    length=size, label="Importing tickets", file=sys.stderr
                ) as bar:
                    result = import_lines(
                        handle, skip_invalid=skip_invalid, dry_run=dry_run, progress=bar.update
                    )
            else:
                result = import_lines(handle, skip_invalid=skip_invalid, dry_run=dry_run)
        except UnicodeDecodeError as exc:
            raise click.ClickException(f"{path} is not UTF-8 text ({exc.reason}).") from None
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if dry_run:
        click.echo(
            f"Dry run: {result.valid} valid tickets, {_lines(len(result.problems))}; "
            "nothing written."
        )
        if result.problems:
            raise click.exceptions.Exit(1)
        return
    if result.problems and not skip_invalid:
        raise click.ClickException(
            f"{_lines(len(result.problems))} in {path}; nothing was imported "
            "(fix them, or use --skip-invalid to import the good lines)."
        )
    for line in result.summary.lines():
        click.echo(line)
    if result.problems:
        click.echo(f"Skipped {_lines(len(result.problems))}.", err=True)


@click.command("export-tickets")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default="-",
              help="File to write (default: standard output).")  # fmt: skip
@needs_schema
def export_tickets_command(output):
    """Write every ticket in the import format, one JSON object per line."""
    from dmsu.tickets.exchange.exporter import export_lines

    count = 0
    with click.open_file(output, "w", encoding="utf-8") as handle:
        for line in export_lines():
            handle.write(line)
            handle.write("\n")
            count += 1
    if output != "-":
        click.echo(f"Exported {count} tickets to {output}.")


def register(group: click.Group) -> None:
    group.add_command(import_tickets_command)
    group.add_command(export_tickets_command)
