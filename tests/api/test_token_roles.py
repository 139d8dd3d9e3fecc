"""API tokens act within their owner's role as it is at each request, and expire.

Defects pinned (hardening round 2): a token of a tpm user closed and assigned tickets through
``POST /api/v1/tickets`` with the power of the importer, writing events shown as made by any
user the body named; a demoted admin's token kept that power; tokens never expired.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from dmsu.api import tokens
from dmsu.auth.models import ApiToken
from dmsu.core import clock
from dmsu.tickets.models import Ticket, TicketEvent

BODY = {
    "ggus_id": 91039,
    "subject": "CREAM jobs stuck",
    "created_at": "2013-02-11T09:00:00+00:00",
    "events": [
        {"at": "2013-02-11T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
        {"at": "2013-02-11T10:00:00+00:00", "type": "status", "status": "closed",
         "actor": "root"},
    ],
}  # fmt: skip


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize("role", ["tpm", "resolver", "assigner"])
def test_only_an_admins_token_imports_and_nothing_is_written_otherwise(client, make_user, role):
    make_user("admin", "root")
    owner = make_user(role, f"{role}-bot")
    _, secret = tokens.create_token(make_user("admin", "boss"), "bridge", owner)
    response = client.post("/api/v1/tickets", json=BODY, headers=bearer(secret))
    assert response.status_code == 403
    body = response.get_json()
    assert f"{role}-bot ({role})" in body["error"] and "import tickets" in body["error"]
    assert Ticket.select().count() == 0 and TicketEvent.select().count() == 0


def test_staff_tokens_still_read_tickets(client, make_user, make_ticket):
    make_ticket(91039)
    owner = make_user("tpm", "reader")
    _, secret = tokens.create_token(make_user("admin", "boss"), "reader", owner)
    assert client.get("/api/v1/tickets/91039", headers=bearer(secret)).status_code == 200


def test_a_demoted_admins_token_loses_the_import_at_once(client, make_user):
    admin = make_user("admin", "root")
    _, secret = tokens.create_token(admin, "bridge")
    assert client.post("/api/v1/tickets", json=BODY, headers=bearer(secret)).status_code == 201
    admin.role = "resolver"
    admin.save()
    again = dict(BODY, ggus_id=91040)
    assert client.post("/api/v1/tickets", json=again, headers=bearer(secret)).status_code == 403
    assert not Ticket.select().where(Ticket.ggus_id == 91040).exists()


def test_tokens_expire(client, make_user, make_ticket):
    make_ticket(91039)
    admin = make_user("admin", "root")
    record, secret = tokens.create_token(admin, "bridge", days=30)
    assert abs(record.expires_at - (clock.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert client.get("/api/v1/tickets/91039", headers=bearer(secret)).status_code == 200
    ApiToken.update(expires_at=clock.now() - timedelta(seconds=1)).execute()
    response = client.get("/api/v1/tickets/91039", headers=bearer(secret))
    assert response.status_code == 401 and "expired" in response.get_json()["error"]


def test_a_token_is_valid_for_a_chosen_number_of_days_only(make_user):
    admin = make_user("admin", "root")
    with pytest.raises(tokens.TokenError, match="valid for 30, 90, 180, 365 days"):
        tokens.create_token(admin, "bridge", days=10_000)


def test_the_admin_page_shows_expiry_and_keeps_the_form_on_error(clients):
    admin = clients["admin"]
    created = admin.form("/admin/api-tokens", {"name": "GGUS bridge", "days": "180"})
    assert created.status_code == 200
    token = ApiToken.get(ApiToken.name == "GGUS bridge")
    assert abs(token.expires_at - (clock.now() + timedelta(days=180))) < timedelta(minutes=1)
    page = admin.get("/admin/api-tokens").get_data(as_text=True)
    assert token.expires_at.strftime("%Y-%m-%d") in page and "Valid for" in page
    refused = admin.form("/admin/api-tokens", {"name": "keep me", "days": "7"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "Choose how many days" in html and 'value="keep me"' in html
