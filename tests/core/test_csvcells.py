"""Every CSV the site writes opens in a spreadsheet as text, never as a formula, and the
cheat sheet's CSV still round-trips (dmsu/core/csvcells.py)."""

from __future__ import annotations

import csv
import io

import pytest

from dmsu import content
from dmsu.cheatsheet.importer import import_rows, read_rows, write_csv
from dmsu.cheatsheet.models import Component
from dmsu.cheatsheet.sheet import forget, load_sheet
from dmsu.core import csvcells
from dmsu.metrics.tables import Table

PAYLOADS = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_becomes_text_and_comes_back(payload):
    written = csvcells.cell(payload)
    assert written == "'" + payload
    assert csvcells.read_cell(written) == payload


@pytest.mark.parametrize("value", ["CREAM CE", "'quoted already", "", 42, -5, 2.5, None])
def test_other_values_are_left_alone(value):
    assert csvcells.cell(value) == value
    if isinstance(value, str):
        assert csvcells.read_cell(value) == value


def test_a_metrics_table_writes_names_as_text(app):
    table = Table(name="t", title="T", columns=["unit", "violations"])
    table.rows = [["=cmd|' /C calc'!A0", -3]]
    row = next(csv.reader(io.StringIO(table.csv().splitlines()[1])))
    assert row == ["'=cmd|' /C calc'!A0", "-3"]


def test_the_cheat_sheet_csv_round_trips_a_name_that_looks_like_a_formula(app):
    content.load_all()
    component = Component.select().order_by(Component.name).first()
    component.description = "-Dfoo=bar must be set on the worker nodes"
    component.save()
    forget()
    text = write_csv([r for r in load_sheet().rows if not r.retired], with_emails=True)
    assert "'-Dfoo=bar" in text
    rows = read_rows(io.StringIO(text))
    summary = import_rows(rows)
    assert summary.updated == []
    assert Component.get_by_id(component.id).description.startswith("-Dfoo=bar")
