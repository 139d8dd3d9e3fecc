"""``flask dmsu metrics``: the JSON shape, CSV and table output, and exit status 2 on bad input."""

from __future__ import annotations

import csv
import io
import json

import pytest


@pytest.fixture
def history(make_ticket):
    make_ticket(
        1,
        events=[
            {"at": "2012-05-02T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
            {"at": "2012-05-04T09:00:00+00:00", "type": "status", "status": "solved"},
        ],
    )
    make_ticket(
        2,
        events=[
            {"at": "2012-09-03T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
            {"at": "2012-09-03T12:00:00+00:00", "type": "assigned", "support_unit": "CREAM"},
        ],
    )


def run(runner, *args):
    return runner.invoke(args=["dmsu", "metrics", *args])


def test_json_by_quarter_prints_the_issue_shape(runner, history):
    result = run(runner, "--period", "PY3", "--by", "quarter", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [p["name"] for p in data["periods"]] == ["PQ9", "PQ10", "PQ11", "PQ12"]
    pq9, pq10 = data["periods"][:2]
    assert (pq9["assigned_to_dmsu"], pq9["solved_by_dmsu"], pq9["solve_days_mean"]) == (1, 1, 2.0)
    assert pq9["reassign_hours_mean"] is None
    assert (pq10["assigned_to_third_line"], pq10["reassign_hours_median"]) == (1, 3.0)
    assert data["total"]["name"] == "PY3"
    assert (data["total"]["start"], data["total"]["end"]) == ("2012-05-01", "2013-05-01")
    assert data["total"]["assigned_to_dmsu"] == 2
    assert "null" in result.output  # nothing to average is null, not 0


def test_csv_has_a_line_per_piece_and_the_total(runner, history):
    result = run(runner, "--period", "PQ9", "--by", "month", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["name"] for r in rows] == ["2012-05", "2012-06", "2012-07", "PQ9"]
    assert rows[0]["solved_by_dmsu"] == "1"
    assert rows[1]["solve_days_mean"] == ""


def test_table_follows_the_seed_layout(runner, history):
    result = run(runner, "--period", "PY3", "--by", "none", "--format", "table")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["Metric", "PY3"]
    assert any(
        line.startswith("Tickets assigned to DMSU") and line.endswith(" 2") for line in lines
    )
    assert any(
        line.startswith("Share solved in DMSU (%)") and line.endswith("50.0") for line in lines
    )


def test_by_week_names_iso_weeks(runner, history):
    result = run(runner, "--period", "2012-05", "--by", "week", "--format", "json")
    data = json.loads(result.output)
    assert data["periods"][0]["name"] == "2012-W18"
    assert data["periods"][0]["start"] == "2012-05-01"
    assert data["periods"][0]["assigned_to_dmsu"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "PQ99x"], "is not a period"),
        (["--period", "2013-05-01..2012-05-01"], "must end after it starts"),
        (["--period", "PY3", "--format", "xml"], "'xml' is not one of"),
        (["--period", "PY3", "--by", "day"], "'day' is not one of"),
        (["--period", "2012-13"], "is not a month"),
    ],
)
def test_bad_input_gets_one_sentence_and_exit_status_2(runner, args, message):
    result = run(runner, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
