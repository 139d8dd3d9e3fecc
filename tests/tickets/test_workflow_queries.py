"""What a workflow step costs in SQL statements: a step appends its events and brings the
ticket in step inside one transaction, and must not grow with the ticket's history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dmsu.cheatsheet.models import Component
from dmsu.tickets import workflow
from dmsu.tickets.units import SupportUnit
from tests.support.queries import QueryCounter

T0 = datetime(2013, 2, 4, 9, 0, tzinfo=UTC)
# Counted at the cursor, BEGIN and COMMIT included (tests/support/queries.py): the unit, the
# two events and the involvement, the ETA's revision, the history with its units in one read,
# one UPDATE of the ticket (its changes and its derived columns), the events' derived columns,
# the SLA clocks, and the ticket's search document (one read of the ticket with its diary, one
# upsert: dmsu/tickets/search_documents.py).
REASSIGN_TO_THIRD_LINE_QUERIES = 14


@pytest.fixture
def ticket_in_dmsu(make_user, app):
    unit = SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2")
    Component.create(name="CREAM CE", slug="cream-ce", support_unit=unit)
    tpm = make_user("tpm", "tpm")
    ticket = workflow.create_ticket(tpm, ggus_id=91039, subject="Jobs stuck", at=T0)
    workflow.route_to_dmsu(ticket, tpm, at=T0 + timedelta(hours=1))
    return ticket, make_user("assigner", "assigner")


def reassign_cost(ticket, assigner, at) -> int:
    with QueryCounter() as counter:
        workflow.reassign_to_third_line(
            ticket, assigner, "CREAM", note="defect", eta=(at + timedelta(days=9)).date(), at=at
        )
    return len(counter)


def test_reassigning_to_the_third_line_costs_a_fixed_number_of_queries(ticket_in_dmsu):
    ticket, assigner = ticket_in_dmsu
    assert (
        reassign_cost(ticket, assigner, T0 + timedelta(hours=2)) <= REASSIGN_TO_THIRD_LINE_QUERIES
    )


def test_the_cost_does_not_grow_with_the_ticket_history(ticket_in_dmsu):
    ticket, assigner = ticket_in_dmsu
    for hour in range(2, 22):
        workflow.add_comment(ticket, assigner, f"note {hour}", at=T0 + timedelta(hours=hour))
    first = reassign_cost(ticket, assigner, T0 + timedelta(hours=23))
    workflow.route_to_dmsu(ticket, assigner, at=T0 + timedelta(hours=24))
    for hour in range(25, 85):
        workflow.add_comment(ticket, assigner, f"note {hour}", at=T0 + timedelta(hours=hour))
    assert reassign_cost(ticket, assigner, T0 + timedelta(hours=86)) <= first
