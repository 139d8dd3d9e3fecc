"""An admin disables an account at the moment its owner logs in, over real HTTP against a
live server: the login records its time without writing the rest of the account back, so the
account stays disabled."""

from __future__ import annotations

from functools import partial

import pytest

from dmsu.auth.models import User
from tests.support.live_http import LiveSession, race

ROUNDS = 15


@pytest.fixture
def app_config():
    return {"DMSU_LOGIN_RATE_LIMIT": "1000 per minute"}


def test_disabling_an_account_while_its_owner_logs_in_keeps_it_disabled(live_server, make_user):
    admin = LiveSession(live_server.url).log_in(make_user("admin"))
    person = make_user("resolver")
    for n in range(ROUNDS):
        User.update(active=True).where(User.id == person.id).execute()
        visitor = LiveSession(live_server.url)
        token = visitor.login_token()
        disabled, logged_in = race(
            partial(admin.form, f"/admin/users/{person.id}", {"active": "0"}),
            partial(visitor.submit_login, person, token),
        )
        assert disabled.status_code == 303, (
            f"round {n}: the disable answered {disabled.status_code}"
        )
        assert logged_in.status_code in (302, 401), f"round {n}: login {logged_in.status_code}"
        assert not User.get_by_id(person.id).active, f"round {n}: the login undid the disable"
        if logged_in.status_code == 302:
            assert visitor.get("/tickets/mine").status_code == 302  # the session is refused
