"""The helpdesk bridge posts the same new ticket twice at once, over real HTTP against a live
server: one post creates it (201), the other updates it (200), nothing is stored twice, and
neither answers 500."""

from __future__ import annotations

from functools import partial

import requests

from dmsu.api import tokens
from dmsu.tickets.models import Ticket, TicketEvent
from tests.support.live_http import TIMEOUT, race

ROUNDS = 15


def _ticket(ggus_id: int) -> dict:
    return {
        "ggus_id": ggus_id,
        "subject": "Jobs vanish after proxy renewal",
        "created_at": "2013-02-11T09:00:00Z",
        "events": [
            {"at": "2013-02-11T10:00:00Z", "type": "assigned", "support_unit": "DMSU"},
            {"at": "2013-02-11T11:00:00Z", "type": "status", "status": "in progress"},
        ],
    }


def test_the_same_new_ticket_posted_twice_at_once_is_created_once(live_server, make_user):
    _, secret = tokens.create_token(make_user("admin"), "GGUS bridge")
    post = partial(
        requests.post,
        f"{live_server.url}/api/v1/tickets",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=TIMEOUT,
    )
    for n in range(ROUNDS):
        body = _ticket(95000 + n)
        answers = race(partial(post, json=body), partial(post, json=body))
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 201], f"round {n}: answers {statuses}: {answers[0].text[:200]}"
        assert all(a.headers["Content-Type"] == "application/json" for a in answers)
        ticket = Ticket.get(Ticket.ggus_id == body["ggus_id"])
        assert ticket.status == "in progress"
        assert TicketEvent.select().where(TicketEvent.ticket == ticket).count() == 2


def test_different_new_tickets_posted_at_once_are_all_created(live_server, make_user):
    """Hardening round 2: concurrent creates of different tickets answered 500 (the bulk
    writer's driver errors escaped the handlers)."""
    _, secret = tokens.create_token(make_user("admin"), "GGUS bridge")
    post = partial(
        requests.post,
        f"{live_server.url}/api/v1/tickets",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=TIMEOUT,
    )
    for n in range(ROUNDS // 3):
        bodies = [_ticket(96000 + 10 * n + k) for k in range(4)]
        answers = race(*[partial(post, json=body) for body in bodies])
        statuses = [a.status_code for a in answers]
        assert statuses == [201] * 4, f"round {n}: {statuses}: {answers[0].text[:200]}"
    assert Ticket.select().count() == 4 * (ROUNDS // 3)
    assert TicketEvent.select().count() == 2 * 4 * (ROUNDS // 3)
