"""Importing a file of the import format (:mod:`dmsu.tickets.exchange.records`) in one transaction.

ARCHITECTURE.md rule 7: "an import names the line and field ... Nothing is half-written: multi-row
changes run in one transaction." Lines are read, checked and written in batches through
:class:`dmsu.tickets.exchange.importer.TicketWriter`; a bad line stops the writing and, unless the
caller asked to skip bad lines, undoes what was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dmsu.core.db import database
from dmsu.tickets.exchange.bulk import refresh_statistics
from dmsu.tickets.exchange.importer import ImportSummary, TicketWriter
from dmsu.tickets.exchange.records import TicketRecord, read_lines


class _Rollback(Exception):
    """Raised inside the transaction to undo an import that found bad lines."""


@dataclass
class FileImport:
    """The outcome of importing the lines of a file."""

    summary: ImportSummary
    problems: list = field(default_factory=list)  # records.Problem
    written: bool = False
    lines_read: int = 0
    valid: int = 0


def import_lines(lines, *, skip_invalid=False, dry_run=False, progress=None, batch_size=1000):
    """Import an iterable of JSON lines in one transaction.

    By default a file with any bad line writes nothing (every problem is reported);
    ``skip_invalid`` writes the good lines; ``dry_run`` only checks. ``progress(n)`` is called
    with the number of characters read since the last call.
    """
    result = FileImport(summary=ImportSummary())
    try:
        with database.atomic():
            writer = TicketWriter()
            batch: list[TicketRecord] = []
            batches = 0
            for number, record, problem, size in read_lines(lines):
                result.lines_read = number
                if progress is not None:
                    progress(size)
                if problem is not None:
                    result.problems.append(problem)
                elif record is not None:
                    result.valid += 1
                    batch.append(record)
                writing = not dry_run and (skip_invalid or not result.problems)
                if not writing:
                    batch = []
                elif len(batch) >= batch_size:
                    writer.write(batch)
                    batch = []
                    batches += 1
                    if batches & (batches - 1) == 0:  # after batch 1, 2, 4, 8, ...
                        refresh_statistics()
            if batch and not dry_run and (skip_invalid or not result.problems):
                writer.write(batch)
            if batches:
                refresh_statistics()  # what the import leaves, for the readers after it
            result.summary = writer.summary
            if dry_run or (result.problems and not skip_invalid):
                raise _Rollback
            result.written = True
    except _Rollback:
        pass
    return result
