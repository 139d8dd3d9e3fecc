"""CSV cells that a spreadsheet opens as text, never as a formula (CSV injection, OWASP).

Every CSV the site writes (cheat sheet, metrics tables and numbers, requirements log, TCB
digest) goes through :func:`writer` / :func:`dict_writer`: a text cell that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, which
spreadsheets take as "this is text" and do not show. Numbers are left alone (a negative
number is a number). The cheat sheet's CSV round-trips: its importer takes the apostrophe
off again with :func:`read_cell`.
"""

from __future__ import annotations

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """``value`` safe to put in a CSV cell."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


_CONTROLS = {chr(n) for n in range(32)} - {"\t", "\n", "\r"} | {"\x7f"}


def control_character(record: dict) -> tuple[str, str] | None:
    """``(column, what)`` of the first cell of a read CSV record that holds a control
    character no text needs (NUL first of all: PostgreSQL refuses it in text and SQLite would
    keep it in a name), else None; an importer refuses the file naming the line and column."""
    for column, value in record.items():
        for char in value or "":
            if char in _CONTROLS:
                name = "a NUL" if char == "\x00" else "a control"
                return column, f"holds {name} character (0x{ord(char):02X})"
    return None


def read_cell(text: str) -> str:
    """A cell as written by :func:`cell`, back to the value."""
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class _Rows:
    def __init__(self, inner):
        self.inner = inner

    def writerow(self, row):
        return self.inner.writerow([cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class _DictRows:
    def __init__(self, inner):
        self.inner = inner

    def writeheader(self):
        return self.inner.writeheader()

    def writerow(self, row: dict):
        return self.inner.writerow({key: cell(value) for key, value in row.items()})


def writer(out, **options) -> _Rows:
    """``csv.writer`` whose rows are made safe cell by cell."""
    return _Rows(csv.writer(out, **options))


def dict_writer(out, fieldnames, **options) -> _DictRows:
    """``csv.DictWriter`` whose rows are made safe cell by cell."""
    return _DictRows(csv.DictWriter(out, fieldnames=fieldnames, **options))
