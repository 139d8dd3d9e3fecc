"""The workflow's step listeners (dmsu/core/step_listeners.py): called once per outermost
step with exactly its events, inside its transaction."""

from __future__ import annotations

import pytest

from dmsu.core import step_listeners
from dmsu.tickets import workflow
from dmsu.tickets.models import TicketEvent


@pytest.fixture
def heard():
    calls: list[list] = []
    step_listeners.register("test-listener", lambda events: calls.append(list(events)))
    yield calls
    step_listeners.unregister("test-listener")


def ticket_in_dmsu(make_ticket):
    return make_ticket(91039, events=[{"at": "2013-02-11T09:00:00+00:00", "type": "assigned",
                                       "support_unit": "DMSU"}])  # fmt: skip


def test_a_step_hands_its_events_once(app, make_ticket, make_user, heard):
    ticket = ticket_in_dmsu(make_ticket)
    assigner = make_user("assigner")
    with app.app_context():
        workflow.add_comment(ticket, assigner, "one", public=False)
    assert len(heard) == 1 and [(e.kind, e.text) for e in heard[0]] == [("comment", "one")]


def test_a_step_with_inner_steps_is_heard_once_with_all_of_them(app, make_ticket, make_user, heard):
    ticket = ticket_in_dmsu(make_ticket)
    with app.app_context():
        workflow.update_fields(
            ticket, make_user("assigner"), broad_impact=True, fixed_version="1.2"
        )
    assert len(heard) == 1
    assert sorted(e.kind for e in heard[0]) == ["field", "field"]


def test_a_listener_that_raises_fails_the_step(app, make_ticket, make_user):
    ticket = ticket_in_dmsu(make_ticket)
    before = TicketEvent.select().count()

    def refuse(events):
        raise RuntimeError("no")

    step_listeners.register("test-refuser", refuse)
    try:
        with app.app_context(), pytest.raises(RuntimeError):
            workflow.add_comment(ticket, make_user("resolver"), "lost")
    finally:
        step_listeners.unregister("test-refuser")
    assert TicketEvent.select().count() == before  # nothing of the step was written
