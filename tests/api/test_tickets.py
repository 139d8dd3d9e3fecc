"""``/api/v1/tickets``: bearer tokens, the same upsert as the import, JSON errors."""

from __future__ import annotations

import pytest

from dmsu.api import tokens
from dmsu.auth.models import ApiToken
from dmsu.core import clock
from dmsu.tickets.models import Ticket, TicketEvent
from tests.support.records import history, ticket


@pytest.fixture
def admin(make_user):
    return make_user("admin", "root")


@pytest.fixture
def token(admin):
    _, secret = tokens.create_token(admin, "GGUS bridge")
    return secret


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_post_creates_then_updates_through_the_import_path(client, token):
    body = ticket(events=history(), component="CREAM CE", submitter_email="joe@example.org")
    created = client.post("/api/v1/tickets", json=body, headers=bearer(token))
    assert created.status_code == 201, created.get_json()
    assert created.headers["Location"].endswith("/api/v1/tickets/91039")
    data = created.get_json()
    assert (data["ggus_id"], data["status"], data["support_unit"]) == (
        91039,
        "in progress",
        "CREAM",
    )
    assert len(data["events"]) == 6
    same = client.post("/api/v1/tickets", json=body, headers=bearer(token))
    assert same.status_code == 200
    assert TicketEvent.select().count() == 6  # de-duplicated like a re-import
    body["events"].append({"at": "2013-02-20T09:00:00Z", "type": "status", "status": "solved"})
    updated = client.post("/api/v1/tickets", json=body, headers=bearer(token))
    assert updated.status_code == 200 and updated.get_json()["status"] == "solved"
    assert TicketEvent.select().count() == 7


def test_get_returns_the_ticket_with_internal_events(client, token):
    client.post("/api/v1/tickets", json=ticket(events=history(), submitter_email="joe@example.org"),
                headers=bearer(token))  # fmt: skip
    response = client.get("/api/v1/tickets/91039", headers=bearer(token))
    assert response.status_code == 200
    data = response.get_json()
    assert data["submitter_email"] == "joe@example.org"
    assert any(e["type"] == "comment" and e["public"] is False for e in data["events"])


def test_anonymous_and_bad_tokens_get_401_without_data(client, token, admin):
    client.post("/api/v1/tickets", json=ticket(submitter_email="joe@example.org"),
                headers=bearer(token))  # fmt: skip
    for headers in ({}, bearer("dmsu_wrong"), {"Authorization": f"Basic {token}"}):
        response = client.get("/api/v1/tickets/91039", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "joe@example.org" not in response.get_data(as_text=True)
        assert response.get_json()["error"]
        assert client.post("/api/v1/tickets", json=ticket(2), headers=headers).status_code == 401
    assert not Ticket.select().where(Ticket.ggus_id == 2).exists()


def test_revoked_token_and_disabled_owner_stop_working(client, admin):
    record, secret = tokens.create_token(admin, "old")
    assert client.get("/api/v1/tickets/1", headers=bearer(secret)).status_code == 404
    tokens.revoke_token(admin, record)
    assert client.get("/api/v1/tickets/1", headers=bearer(secret)).status_code == 401
    _, other = tokens.create_token(admin, "new")
    admin.active = False
    admin.save()
    assert client.get("/api/v1/tickets/1", headers=bearer(other)).status_code == 401


def test_last_used_at_is_updated(client, token):
    stored = ApiToken.get()
    assert stored.last_used_at is None
    assert stored.token_hash != token and len(stored.token_hash) == 64
    client.get("/api/v1/tickets/1", headers=bearer(token))
    assert ApiToken.get().last_used_at is not None
    assert ApiToken.get().last_used_at <= clock.now()


@pytest.mark.parametrize(
    ("kwargs", "status", "field"),
    [
        ({"data": "ggus_id=1", "content_type": "application/x-www-form-urlencoded"}, 415, None),
        ({"data": "{oops", "content_type": "application/json"}, 400, None),
        ({"json": [1, 2]}, 400, None),
        ({"json": ticket(created_at="2013-02-11")}, 422, "created_at"),
        ({"json": ticket(events=[{"at": "2013-02-30T10:00", "type": "comment"}])}, 422,
         "events[0].at"),
        ({"json": ticket(events=[{"at": "2013-02-12T10:00:00Z", "type": "status",
                                  "status": "done"}])}, 422, "events[0].status"),
        ({"json": {"subject": "x"}}, 422, "ggus_id"),
    ],
)  # fmt: skip
def test_bad_input_is_a_json_error_naming_the_field(client, token, kwargs, status, field):
    response = client.post("/api/v1/tickets", headers=bearer(token), **kwargs)
    assert response.status_code == status
    data = response.get_json()
    assert data["error"] and data["field"] == field
    assert Ticket.select().count() == 0


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/nowhere", 404),
        ("get", "/api/v1/tickets/abc", 404),
        ("delete", "/api/v1/tickets/1", 405),
        ("get", "/api/v1/tickets", 401),
        ("put", "/api/v1/tickets", 405),
    ],
)
def test_every_api_error_is_json(client, method, path, status):
    response = client.open(path, method=method.upper())
    assert response.status_code == status
    assert response.is_json and response.get_json()["error"]


def test_server_errors_are_json(app, client, token, monkeypatch):
    from dmsu.api import tickets as views

    def broken(_ggus_id):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "ticket_json", broken)
    response = client.get("/api/v1/tickets/1", headers=bearer(token))
    assert response.status_code == 500 and response.get_json()["error"]


# --- the admin page ------------------------------------------------------------------------


def test_admin_creates_a_token_shown_once_and_revokes_it(clients, client):
    admin_client = clients["admin"]
    page = admin_client.get("/admin/api-tokens")
    assert page.status_code == 200 and "Create a token" in page.get_data(as_text=True)
    created = admin_client.form("/admin/api-tokens", {"name": "GGUS bridge"})
    html = created.get_data(as_text=True)
    assert created.status_code == 200 and "copy it now" in html
    assert created.headers["Cache-Control"] == "no-store"
    secret = html.split('id="new-token-secret" class="token-secret" value="')[1].split('"')[0]
    assert secret.startswith("dmsu_")
    assert secret not in admin_client.get("/admin/api-tokens").get_data(as_text=True)
    assert client.get("/api/v1/tickets/5", headers=bearer(secret)).status_code == 404
    record = ApiToken.get(ApiToken.name == "GGUS bridge")
    revoked = admin_client.form(f"/admin/api-tokens/{record.id}/revoke")
    assert revoked.status_code == 303
    assert client.get("/api/v1/tickets/5", headers=bearer(secret)).status_code == 401


def test_token_form_keeps_input_on_error(clients):
    response = clients["admin"].form("/admin/api-tokens", {"name": "   "})
    assert response.status_code == 400
    assert "Give the token a name" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["anonymous", "tpm", "resolver", "assigner"])
def test_only_admins_manage_tokens(clients, role):
    response = clients[role].get("/admin/api-tokens")
    assert (
        response.status_code in (302, 403) if role == "anonymous" else response.status_code == 403
    )
    post = clients[role].form("/admin/api-tokens", {"name": "sneaky"})
    assert post.status_code in (302, 400, 403)
    assert not ApiToken.select().exists()
