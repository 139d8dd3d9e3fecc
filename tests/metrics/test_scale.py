"""Metrics stay SQL aggregations: the number of queries does not grow with the tickets, and a
re-import of the same file (helper TC's importer) changes no number."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from dmsu.core.cache.registry import clear_all
from dmsu.core.db import database
from dmsu.metrics.page import page_tables
from dmsu.metrics.periods import parse_period
from dmsu.metrics.report import period_metrics
from tests.support.queries import QueryCounter


def history(n: int) -> list[dict]:
    tickets = []
    for i in range(n):
        day = 2 + i % 27
        events = [
            {"at": f"2012-05-{day:02d}T09:00:00+02:00", "type": "assigned", "support_unit": "TPM"},
            {"at": f"2012-05-{day:02d}T10:00:00+02:00", "type": "assigned", "support_unit": "DMSU"},
        ]
        if i % 3 == 0:
            events.append(
                {"at": f"2012-06-{day:02d}T10:00:00+00:00", "type": "status", "status": "solved"}
            )
        elif i % 3 == 1:
            events += [
                {
                    "at": f"2012-05-{day:02d}T12:00:00+00:00",
                    "type": "assigned",
                    "support_unit": "CREAM",
                },
                {"at": f"2012-05-{day:02d}T13:00:00+00:00", "type": "eta", "due": "2012-07-01"},
                {
                    "at": "2012-06-20T10:00:00+00:00",
                    "type": "assigned",
                    "support_unit": "UMD release",
                },
            ]
        else:
            events.append(
                {
                    "at": f"2012-05-{day:02d}T11:00:00-05:00",
                    "type": "assigned",
                    "support_unit": "TPM",
                }
            )
        tickets.append(
            {
                "ggus_id": 80000 + i,
                "subject": f"Ticket {i}",
                "created_at": f"2012-05-{day:02d}T08:00:00+02:00",
                "component": "CREAM CE",
                "category": "incident",
                "events": list(reversed(events)),  # any order in the file
            }
        )
    return tickets


def import_file(app, tickets):
    from dmsu.tickets.exchange.import_file import import_lines

    with app.app_context():
        result = import_lines([json.dumps(t) for t in tickets])
    assert result.written, result.problems


@pytest.fixture
def count_queries():
    def counting(func):
        with QueryCounter(database.obj, at="execute_sql") as counter:
            func()
        return len(counter)

    return counting


def test_the_number_of_queries_does_not_grow_with_the_tickets(app, count_queries):
    now = datetime(2013, 6, 1, tzinfo=UTC)
    year = parse_period("PY3")

    def compute():
        with app.app_context():
            clear_all()
            period_metrics(year, "quarter", date(2010, 5, 1))
            page_tables(year, app.config, now)

    import_file(app, history(3))
    few = count_queries(compute)
    import_file(app, history(60))
    many = count_queries(compute)
    assert few == many
    assert many <= 30  # PostgreSQL adds a savepoint and SET LOCAL work_mem per query


def test_a_reimport_of_the_same_file_changes_no_number(app):
    tickets = history(12)
    import_file(app, tickets)
    with app.app_context():
        first = period_metrics(parse_period("PY3"), "quarter", date(2010, 5, 1))
    assert first["total"]["assigned_to_dmsu"] == 12
    assert first["total"]["solved_by_dmsu"] == 4
    assert first["total"]["assigned_to_third_line"] == 4
    assert first["total"]["reassigned_to_tpm"] == 4
    assert first["total"]["eta_fixes"] == 4
    assert first["total"]["eta_by_initial"] == 4
    import_file(app, tickets)
    with app.app_context():
        clear_all()
        again = period_metrics(parse_period("PY3"), "quarter", date(2010, 5, 1))
    assert again == first
