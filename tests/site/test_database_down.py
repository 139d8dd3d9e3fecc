"""When the database goes away (a PostgreSQL restart), every page answers 503 with one
sentence, also for a logged-in reader whose account cannot be loaded: never a 500.

Found by bench/faults.py: during the restart, staff pages answered 500 because the 503 page's
layout loaded the logged-in user from the unreachable database.
"""

from __future__ import annotations

import peewee
import pytest


@pytest.fixture
def staff(clients):
    return clients["resolver"]


def _refuse_user_loading(monkeypatch):
    """The user loader's query fails, as it does while PostgreSQL restarts."""
    from dmsu.core.extensions import login_manager

    def unreachable(user_id):
        raise peewee.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(login_manager, "_user_callback", unreachable)


@pytest.mark.parametrize("url", ["/tickets/", "/", "/wiki/"])
def test_the_schema_guard_answers_503_without_loading_the_user(staff, monkeypatch, url):
    import dmsu.web

    monkeypatch.setattr(dmsu.web, "open_connection", lambda: "Cannot reach the database.")
    _refuse_user_loading(monkeypatch)
    response = staff.get(url)
    assert response.status_code == 503
    assert "Cannot reach the database." in response.get_data(as_text=True)


def test_a_database_error_while_loading_the_user_is_a_503(staff, monkeypatch):
    _refuse_user_loading(monkeypatch)
    response = staff.get("/tickets/")
    assert response.status_code == 503
    assert "not reachable right now" in response.get_data(as_text=True)


def test_the_api_answers_json_503_when_the_database_is_gone(client, monkeypatch):
    import dmsu.web

    monkeypatch.setattr(dmsu.web, "open_connection", lambda: "Cannot reach the database.")
    response = client.get("/api/v1/components")
    assert response.status_code == 503
    assert response.get_json() == {"error": "Cannot reach the database."}
