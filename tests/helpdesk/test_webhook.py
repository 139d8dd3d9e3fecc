"""The webhook Zammad's triggers post to: signed as zammad/zammad ``lib/user_agent.rb``
``set_signature`` signs (``X-Hub-Signature: sha1=<HMAC-SHA1 hex of the body>``), headers and
default body as zammad-admin-documentation ``manage/webhook/payload.rst`` shows them
(``X-Zammad-Trigger``, ``X-Zammad-Delivery``, ``{"ticket": {...}, "article": {...}}``)."""

from __future__ import annotations

import json
import logging

import pytest

from dmsu.helpdesk.connector import run_pull
from dmsu.helpdesk.models import HelpdeskInbox, HelpdeskReview
from dmsu.helpdesk.webhook import signature
from dmsu.tickets.models import Ticket
from tests.support import zammad_server as zs

zammad = zs.zammad
zammad_config = zs.zammad_config
SECRET = "webhook-secret-for-tests"


@pytest.fixture
def app_config(zammad_config):
    return zammad_config


def post(client, body: bytes, sig: str | None, **headers):
    if sig is not None:
        headers["X-Hub-Signature"] = sig
    return client.post("/helpdesk/webhook", data=body, content_type="application/json",
                       headers={"X-Zammad-Trigger": "DMSU tickets", "X-Zammad-Delivery": "d-1",
                                **headers})  # fmt: skip


def payload(ticket_id=3) -> bytes:
    ticket = {**zs.DOC_TICKET, "id": ticket_id}
    return json.dumps({"ticket": ticket, "article": zs.DOC_ARTICLE}).encode()


def test_signed_webhook_is_queued_at_once(app, client):
    body = payload()
    response = post(client, body, signature(body, SECRET))  # no session, no CSRF token
    assert response.status_code == 202 and response.get_json() == {"queued": 3}
    row = HelpdeskInbox.get()
    assert (row.zammad_id, row.state, row.trigger, row.delivery) == (
        3,
        "queued",
        "DMSU tickets",
        "d-1",
    )


@pytest.mark.parametrize("sig", [None, "sha1=0000", "sha256=abc", "nonsense"])
def test_wrong_signature_is_refused_and_logged(app, client, caplog, sig):
    body = payload()
    with caplog.at_level(logging.WARNING, logger="dmsu.helpdesk.webhook"):
        response = post(client, body, sig)
    assert response.status_code == 401
    assert "X-Hub-Signature" in response.get_json()["error"]
    assert "refused" in caplog.text
    assert not HelpdeskInbox.select().exists()


def test_signature_of_another_body_is_refused(app, client):
    response = post(client, payload(4), signature(payload(3), SECRET))
    assert response.status_code == 401 and not HelpdeskInbox.select().exists()


def test_body_without_ticket_id_is_refused(app, client):
    body = b'{"article": {}}'
    response = post(client, body, signature(body, SECRET))
    assert response.status_code == 400 and "ticket id" in response.get_json()["error"]


@pytest.mark.parametrize("ticket_id", [2**31, 2**63, 10**23, 0, -3, 1.5, True, "14"])
def test_ticket_id_no_row_can_hold_is_refused(app, client, ticket_id):
    """A signed body whose id the inbox's integer column cannot hold (PostgreSQL's integer,
    below 2**31) is one sentence, not a 500 of the database driver (the Wapiti re-run's
    hand probe of the webhook: 2**63 answered 500 on SQLite, 2**31 would on PostgreSQL)."""
    body = json.dumps({"ticket": {"id": ticket_id}}).encode()
    response = post(client, body, signature(body, SECRET))
    assert response.status_code == 400
    assert "not a positive whole number" in response.get_json()["error"]
    assert not HelpdeskInbox.select().exists()


def test_largest_ticket_id_a_row_holds_is_queued(app, client):
    body = json.dumps({"ticket": {"id": 2**31 - 1}}).encode()
    response = post(client, body, signature(body, SECRET))
    assert response.status_code == 202 and HelpdeskInbox.get().zammad_id == 2**31 - 1


@pytest.mark.parametrize("app_config", [{"DMSU_ZAMMAD_WEBHOOK_SECRET": ""}])
def test_unconfigured_webhook_refuses_everything(app, client):
    body = payload()
    assert post(client, body, signature(body, "")).status_code == 503


def test_queue_is_pulled_once_per_ticket(app, client, zammad):
    zammad.add_ticket(3, number=71003, group="DMSU", created=zs.at(0))
    body = payload(3)
    for _ in range(3):
        assert post(client, body, signature(body, SECRET)).status_code == 202
    with app.app_context():
        text = run_pull(app.config, poll=False)
    assert "1 kept (1 new" in text
    assert sum(1 for m, p in zammad.requests if p == "/api/v1/tickets/3") == 1
    assert Ticket.get(Ticket.ggus_id == 71003).support_unit.name == "DMSU"
    assert HelpdeskInbox.select().where(HelpdeskInbox.state == "done").count() == 3


def test_unknown_group_from_the_webhook_is_kept_for_review(app, client, zammad):
    zammad.add_ticket(8, number=80008, group="NGI_IT", created=zs.at(0))
    body = payload(8)
    post(client, body, signature(body, SECRET))
    with app.app_context():
        run_pull(app.config, poll=False)
    assert not Ticket.select().exists()
    review = HelpdeskReview.get(HelpdeskReview.zammad_id == 8)
    assert (review.reason, review.value) == ("unknown group", "NGI_IT")


def test_ticket_deleted_on_the_helpdesk(app, client, zammad):
    zammad.add_ticket(3, number=71003, group="DMSU", created=zs.at(0))
    body = payload(3)
    post(client, body, signature(body, SECRET))
    with app.app_context():
        run_pull(app.config, poll=False)
    zammad.delete(3)
    post(client, body, signature(body, SECRET))
    with app.app_context():
        text = run_pull(app.config, poll=False)
    assert "deleted on the helpdesk: 3" in text
    assert Ticket.select().where(Ticket.ggus_id == 71003).exists()  # the site keeps it
    assert HelpdeskReview.get(HelpdeskReview.zammad_id == 3).reason == "deleted"


def test_helpdesk_down_leaves_the_queue(app, client, zammad):
    body = payload(3)
    post(client, body, signature(body, SECRET))
    zammad.stop()
    with app.app_context():
        text = run_pull(app.config, poll=False)
    assert text.startswith("Helpdesk pull failed") and "could not be reached" in text
    row = HelpdeskInbox.get()
    assert (row.state, row.attempts) == ("queued", 1)
