"""The cheat sheet as CSV: ``content/cheatsheet.csv`` (loaded by ``dmsu init``), the
``import-cheatsheet`` command and the ``/cheatsheet.csv`` export share one format.

Columns (:data:`~dmsu.cheatsheet.fields.COLUMNS`): component, aliases (``;``-separated),
description, support_unit, partners (``;``), experts (``;``, each ``Name <email>``),
deployment_size (registered instances), doc_url, forums (``;``: list addresses or links), packages (``;``: the RPM/deb package names
the component ships; a file without this column reads as none).

An import validates every row before it writes anything (ARCHITECTURE.md rule 7: "an import names the
line and field"; "Nothing is half-written"), then creates or updates the components in one
transaction, each change recorded. Rows are matched to components by name, ignoring case.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from dmsu.cheatsheet import editing
from dmsu.cheatsheet.fields import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    ComponentData,
    FieldError,
    parse,
    to_json,
)
from dmsu.cheatsheet.models import Component, ComponentName, Partner, name_key
from dmsu.cheatsheet.sheet import Row, forget, load_sheet
from dmsu.core import csvcells
from dmsu.core.db import write_transaction


class CheatSheetImportError(ValueError):
    """The file cannot be imported; ``problems`` are sentences naming line and column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"{problems[0]} ({count}; nothing was imported)")


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"Components: {len(self.created)} new, {len(self.updated)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.retired)} retired."
        )


def read_rows(handle) -> list[tuple[int, dict[str, str]]]:
    """(first line number, row) of each CSV record; the header must have exactly the
    cheat-sheet columns, in any order."""
    reader = csv.DictReader(handle)
    header = [name.strip() for name in (reader.fieldnames or [])]
    if not header:
        raise CheatSheetImportError(["line 1: the file is empty; it needs a header line"])
    reader.fieldnames = header
    missing = [c for c in COLUMNS if c not in header and c not in OPTIONAL_COLUMNS]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        if unknown:
            parts.append(
                f"has the unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"
            )
        raise CheatSheetImportError([f"line 1: the header {' and '.join(parts)}"])
    rows, start = [], reader.line_num + 1
    for record in reader:
        if None in record:
            raise CheatSheetImportError([f"line {start}: more values than columns"])
        control = csvcells.control_character(record)
        if control is not None:
            raise CheatSheetImportError(
                [f"line {start}, column {control[0]}: {control[1]}; remove it and import again"]
            )
        if any((value or "").strip() for value in record.values()):
            rows.append((start, {k: csvcells.read_cell(v or "") for k, v in record.items()}))
        start = reader.line_num + 1
    return rows


def read_file(path: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            return read_rows(handle)
    except UnicodeDecodeError:
        raise CheatSheetImportError([f"{path} is not UTF-8 text"]) from None
    except csv.Error as exc:
        raise CheatSheetImportError([f"{path} is not readable CSV: {exc}"]) from None


def import_rows(
    rows: list[tuple[int, dict[str, str]]],
    *,
    only_new: bool = False,
    retire_missing: bool = False,
    note: str = "",
    actor=None,
) -> ImportSummary:
    """Validate every row, then write them all in one transaction (or nothing)."""
    sheet = load_sheet()
    by_key = {name_key(row.name): row for row in sheet.rows}
    lookup = editing.Lookup.load()
    planned, problems, seen = [], [], {}
    for line, record in rows:
        data, errors = parse(record)
        current = by_key.get(name_key(data.name))
        if only_new and current is not None:
            continue
        planned.append((line, data, current))
        for key, label in data.name_keys():
            if key in seen:
                errors.append(
                    FieldError(
                        "aliases" if key != name_key(data.name) else "component",
                        f"'{label}' is already used on line {seen[key]}",
                    )
                )
            seen.setdefault(key, line)
        problems.extend(f"line {line}, column {e.column}: {e.message}" for e in errors)
    # Names of the components the file rewrites are free for the file to hand out again.
    rewritten = {current.id for _, _, current in planned if current is not None}
    lookup.taken = {k: v for k, v in lookup.taken.items() if v[0] not in rewritten}
    for line, data, current in planned:
        own = current.id if current is not None else -line
        for error in editing.validate(data, lookup, own):
            problems.append(f"line {line}, column {error.column}: {error.message}")
    if problems:
        raise CheatSheetImportError(problems)
    return _write(planned, sheet.rows, lookup, only_new, retire_missing, note, actor)


def _write(planned, all_rows: tuple[Row, ...], lookup, only_new, retire_missing, note, actor):
    summary = ImportSummary()
    changed = []
    for _, data, current in planned:
        if current is None:
            changed.append((data, None))
            summary.created.append(data.name)
        elif to_json(current.data(), current.retired) != to_json(data, False):
            changed.append((data, current))
            summary.updated.append(data.name)
        else:
            summary.unchanged.append(data.name)
    in_file = {current.id for _, _, current in planned if current is not None}
    to_retire = []
    if retire_missing and not only_new:
        to_retire = [r for r in all_rows if r.id not in in_file and not r.retired]
        summary.retired = [r.name for r in to_retire]
    with write_transaction("cheatsheet"):
        ids = [current.id for _, current in changed if current is not None]
        if ids:
            ComponentName.delete().where(ComponentName.component.in_(ids)).execute()
        components = {c.id: c for c in Component.select().where(Component.id.in_(ids or [0]))}
        for data, current in changed:
            component = components.get(current.id) if current is not None else None
            editing.write_validated(actor, component, data, False, "import", note, lookup)
        for row in to_retire:
            component = Component.get_by_id(row.id)
            editing.write_validated(actor, component, row.data(), True, "import", note, lookup)
    forget()
    return summary


def import_file(path: Path, **options) -> ImportSummary:
    """``flask dmsu import-cheatsheet FILE.csv``: the whole file or nothing."""
    return import_rows(read_file(path), note=f"import of {Path(path).name}", **options)


def write_csv(rows, with_emails: bool) -> str:
    """The CSV text of sheet rows, in the import format (it round-trips)."""
    out = io.StringIO()
    writer = csvcells.dict_writer(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        data: ComponentData = row.data()
        writer.writerow(data.as_row(with_emails=with_emails))
    return out.getvalue()


def load_partners(path: Path) -> int:
    """Partners from ``partners.csv`` (name, country, contact); existing ones are kept."""
    created = 0
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            name = (row.get("name") or "").strip()
            if not name:
                raise CheatSheetImportError(
                    [f"{path.name} line {line}, column name: the name is empty"]
                )
            if Partner.get_or_none(Partner.name == name) is None:
                Partner.create(
                    name=name,
                    country=(row.get("country") or "").strip(),
                    contact=(row.get("contact") or "").strip(),
                )
                created += 1
    return created


def load_content(content_dir: Path) -> list[str]:
    """Called by ``dmsu init``: partners, then the components not yet on the sheet (edits made
    on the site are kept; run ``import-cheatsheet`` to overwrite them)."""
    import click

    lines = []
    try:
        if (content_dir / "partners.csv").exists():
            lines.append(f"Partners: {load_partners(content_dir / 'partners.csv')} new.")
        if (content_dir / "cheatsheet.csv").exists():
            summary = import_rows(
                read_file(content_dir / "cheatsheet.csv"),
                only_new=True,
                note="content/cheatsheet.csv",
            )
            lines.append(f"Components: {len(summary.created)} new.")
    except CheatSheetImportError as exc:
        raise click.ClickException(f"content/: {exc}") from None
    return lines
