"""Sessions that end, passwords that can change and cannot be trivial, logins that do not tell
who has an account (hardening round 2).

Defects pinned: after logout the old session cookie still opened staff pages; the
remember-me cookie was the same on every login, survived logout and lasted a year; nobody
could change a password; the CSRF token was not rotated at login; "12345678" and eight spaces
were accepted; a wrong password for a real user took far longer than for an unknown name.
"""

from __future__ import annotations

import pytest

from dmsu.auth import accounts, passwords
from dmsu.auth.models import User
from tests.support.client import PASSWORD

STAFF_PAGE = "/tickets/"


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_session_cookie_kept_from_before_logout_no_longer_opens_staff_pages(
    app, login, make_user
):
    client = login(make_user("resolver", "rita"))
    kept = session_cookie(client)
    assert client.get(STAFF_PAGE).status_code == 200
    client.form("/logout")
    replay = app.test_client()
    replay.set_cookie("session", kept)
    assert replay.get(STAFF_PAGE).status_code == 302  # to the login page


def test_logout_ends_the_sessions_on_every_device(login, make_user):
    user = make_user("resolver", "rita")
    laptop, phone = login(user), login(user)
    laptop.form("/logout")
    assert phone.get(STAFF_PAGE).status_code == 302


def remember_cookie(client):
    cookie = client.get_cookie("remember_token")
    return cookie.value if cookie else None


def log_in_remembered(app, user):
    client = app.test_client()
    response = client.form(
        "/login", {"username": user.username, "password": PASSWORD, "remember": "1"}
    )
    assert response.status_code == 302
    return client


def test_the_remember_me_cookie_differs_per_login_and_ends_with_logout(app, make_user):
    user = make_user("resolver", "rita")
    first, second = log_in_remembered(app, user), log_in_remembered(app, user)
    kept = remember_cookie(first)
    assert kept and kept != remember_cookie(second)
    first.form("/logout")
    # a browser that kept only the remember-me cookie (its session cookie expired)
    returning = app.test_client()
    returning.set_cookie("remember_token", kept)
    assert returning.get(STAFF_PAGE).status_code == 302
    returning = app.test_client()
    returning.set_cookie("remember_token", remember_cookie(second))
    assert returning.get(STAFF_PAGE).status_code == 302  # logout ends every login


@pytest.mark.parametrize(
    "change",
    [
        lambda user: accounts.update_user(user, role="tpm"),
        lambda user: accounts.update_user(user, active=False),
        lambda user: accounts.set_password(user, "a quite different passphrase"),
    ],
    ids=["new role", "disabled", "new password"],
)
def test_role_change_disabling_and_new_passwords_end_every_session(login, make_user, change):
    user = make_user("assigner", "ann")
    client = login(user)
    assert client.get(STAFF_PAGE).status_code == 200
    change(User.get_by_id(user.id))
    assert client.get(STAFF_PAGE).status_code == 302


def test_the_csrf_token_is_rotated_at_login(app, make_user):
    user = make_user("resolver", "rita")
    client = app.test_client()
    before = client.csrf_token()
    client.form("/login", {"username": user.username, "password": PASSWORD})
    assert client.csrf_token() != before
    refused = client.post("/account/password", data={"csrf_token": before, "current": "x"})
    assert refused.status_code == 400


@pytest.mark.parametrize(
    "weak", ["12345678", " " * 8, "password1", "rita1234", "qwertyuiop", "aaaaaaaaaaaa"]
)
def test_trivial_and_common_passwords_are_refused(make_user, weak):
    with pytest.raises(accounts.AccountError, match="harder to guess|at least 8"):
        accounts.create_user("rita", "resolver", weak)


def test_a_user_changes_their_own_password_and_other_sessions_end(login, make_user, app):
    user = make_user("resolver", "rita")
    here, elsewhere = login(user), login(user)
    wrong = here.form("/account/password", {"current": "not it", "new": "x", "again": "x"})
    assert wrong.status_code == 400 and "current password is not right" in wrong.get_data(
        as_text=True
    )
    weak = here.form(
        "/account/password", {"current": PASSWORD, "new": "12345678", "again": "12345678"}
    )
    assert weak.status_code == 400 and "harder to guess" in weak.get_data(as_text=True)
    new = "tangerine orbit lamp mosaic"
    done = here.form("/account/password", {"current": PASSWORD, "new": new, "again": new})
    assert done.status_code == 303
    assert here.get(STAFF_PAGE).status_code == 200  # this session goes on
    assert elsewhere.get(STAFF_PAGE).status_code == 302
    fresh = app.test_client()
    assert fresh.form("/login", {"username": "rita", "password": new}).status_code == 302


def test_an_admin_resets_a_password_on_the_page_and_in_the_cli(
    clients, make_user, runner, tmp_path
):
    user = make_user("tpm", "tom")
    response = clients["admin"].form(
        f"/admin/users/{user.id}/password", {"password": "river canyon pebble sunrise"}
    )
    assert response.status_code == 303
    assert accounts.authenticate("tom", "river canyon pebble sunrise") is not None
    refused = clients["admin"].form(f"/admin/users/{user.id}/password", {"password": "12345678"})
    assert refused.status_code == 303
    assert accounts.authenticate("tom", "river canyon pebble sunrise") is not None
    secret = tmp_path / "pw"
    secret.write_text("violet harbour engine quartz\n")
    result = runner.invoke(args=["dmsu", "set-password", "tom", "--password-file", str(secret)])
    assert result.exit_code == 0, result.output
    assert accounts.authenticate("tom", "violet harbour engine quartz") is not None
    bad = runner.invoke(args=["dmsu", "set-password", "nobody", "--password-file", str(secret)])
    assert bad.exit_code == 1 and "no user named 'nobody'" in bad.output


def test_an_unknown_name_costs_a_password_check_like_a_real_one(make_user, monkeypatch):
    """The answer takes the time of one password check either way (a stand-in hash for names
    that are no account), so it does not tell which names exist."""
    make_user("resolver", "rita")
    checks = []
    real = passwords.verify_password

    def counting(password_hash, password):
        checks.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counting)
    assert accounts.authenticate("rita", "wrong horse") is None
    assert accounts.authenticate("nobody-here", "wrong horse") is None
    assert len(checks) == 2 and all(h.startswith("$argon2") for h in checks)
