"""Accounts, login, roles, the admin's user page and the create-user command."""

from __future__ import annotations

import pytest

from dmsu.auth import accounts
from dmsu.auth.models import User
from dmsu.auth.permissions import PermissionDenied, can, require
from tests.support.client import PASSWORD


def test_passwords_are_argon2_hashes(make_user):
    user = make_user("tpm")
    assert user.password_hash.startswith("$argon2")
    assert PASSWORD not in user.password_hash


def test_login_and_logout(client, make_user):
    make_user("resolver", "rita")
    response = client.form("/login", {"username": "rita", "password": PASSWORD})
    assert response.status_code == 302
    assert b"Rita" in client.get("/").data
    client.form("/logout")
    assert b"Log in" in client.get("/").data


def test_wrong_password_keeps_the_user_name(client, make_user):
    make_user("tpm", "tom")
    response = client.form("/login", {"username": "tom", "password": "wrong"})
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "Wrong user name or password" in html
    assert 'value="tom"' in html


def test_disabled_user_cannot_log_in_and_loses_session(client, make_user, login):
    user = make_user("tpm", "gone")
    session = login(user)
    accounts.update_user(user, active=False)
    assert session.get("/tickets/").status_code == 302  # back to login
    response = client.form("/login", {"username": "gone", "password": PASSWORD})
    assert response.status_code == 401


def test_login_is_rate_limited(client, make_user):
    make_user("tpm", "tom")
    codes = [
        client.form("/login", {"username": "tom", "password": "nope"}).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [401] * 10
    assert codes[-1] == 429


def test_login_redirect_stays_on_this_site(client, make_user):
    make_user("tpm", "tom")
    response = client.form(
        "/login", {"username": "tom", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "target", ["//evil.example/", "///evil.example/", "////evil.example", "/\\evil.example"]
)
def test_a_next_of_several_slashes_is_another_site_and_goes_home(client, make_user, target):
    """A browser reads ``///evil.example`` as the site evil.example (urlsplit sees a path)."""
    make_user("tpm", "tom")
    response = client.form("/login", {"username": "tom", "password": PASSWORD, "next": target})
    assert response.headers["Location"] == "/"


def test_log_in_from_search_results_comes_back_to_the_same_search(client, make_user):
    """Issue 18: "Log in" from cheat-sheet search results kept the page but dropped the query."""
    make_user("tpm", "tom")
    page = client.get("/cheatsheet/?q=dcache+pool").get_data(as_text=True)
    assert 'href="/login?next=/cheatsheet/?q%3Ddcache%2Bpool"' in page
    plain = client.get("/cheatsheet/").get_data(as_text=True)
    assert 'href="/login?next=/cheatsheet/"' in plain  # no trailing "?" without a query
    response = client.form(
        "/login", {"username": "tom", "password": PASSWORD, "next": "/cheatsheet/?q=dcache+pool"}
    )
    assert response.headers["Location"] == "/cheatsheet/?q=dcache+pool"


def test_duplicate_user_is_one_sentence(make_user):
    make_user("tpm", "tom")
    with pytest.raises(accounts.AccountError, match="already exists"):
        accounts.create_user("tom", "tpm", "another password")


@pytest.mark.parametrize(
    ("username", "role", "password", "message"),
    [
        ("x", "tpm", "long enough", "user name"),
        ("bob", "boss", "long enough", "Unknown role"),
        ("bob", "tpm", "short", "at least 8"),
    ],
)
def test_bad_account_input(app, username, role, password, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.create_user(username, role, password)


def test_a_password_longer_than_zxcvbn_reads_is_judged_not_a_500(admin_client):
    """zxcvbn 4.5 raises ValueError past 72 characters; the Wapiti re-run's long payloads in
    the admin's password fields answered 500. The first 72 characters are judged (a strong
    start makes the whole at least as strong)."""
    strong = "correct horse battery staple " * 4  # 116 characters
    response = admin_client.form(
        "/admin/users", {"username": "longpass", "role": "resolver", "password": strong}
    )
    assert response.status_code == 302 and User.get(User.username == "longpass")
    weak = "a" * 200
    response = admin_client.form(
        "/admin/users", {"username": "weakpass", "role": "resolver", "password": weak}
    )
    assert response.status_code == 400 and "harder to guess" in response.get_data(as_text=True)
    with pytest.raises(accounts.AccountError, match="harder to guess"):
        accounts.check_password(weak, "weakpass")


def test_permission_table(make_user):
    tpm, assigner = make_user("tpm"), make_user("assigner")
    assert can(assigner, "ticket.assign_third_line")
    assert not can(tpm, "ticket.assign_third_line")
    assert not can(None, "ticket.view")
    with pytest.raises(PermissionDenied, match="admin, assigner"):
        require(tpm, "ticket.assign_third_line")


def test_admin_adds_disables_and_changes_roles(admin_client):
    response = admin_client.form(
        "/admin/users",
        {"username": "newbie", "role": "resolver", "password": "a fine password"},
    )
    assert response.status_code == 302
    user = User.get(User.username == "newbie")
    admin_client.form(f"/admin/users/{user.id}", {"role": "assigner"})
    admin_client.form(f"/admin/users/{user.id}", {"active": "0"})
    user = User.get_by_id(user.id)
    assert (user.role, user.active) == ("assigner", False)


def test_admin_form_keeps_input_on_error(admin_client):
    response = admin_client.form(
        "/admin/users",
        {"username": "newbie", "role": "tpm", "password": "short", "email": "n@x.org"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "at least 8" in html and 'value="newbie"' in html and 'value="n@x.org"' in html


@pytest.mark.parametrize("role", ["tpm", "resolver", "assigner"])
def test_only_admins_manage_users(clients, role):
    assert clients[role].get("/admin/users").status_code == 403


def test_create_user_command(runner, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("a long password\n")
    result = runner.invoke(
        args=["dmsu", "create-user", "carol", "--role", "assigner", "--password-file", str(secret)]
    )
    assert result.exit_code == 0, result.output
    assert accounts.authenticate("carol", "a long password").role == "assigner"
    again = runner.invoke(
        args=["dmsu", "create-user", "carol", "--role", "assigner", "--password-file", str(secret)]
    )
    assert again.exit_code == 1
    assert "already exists" in again.output and "Traceback" not in again.output


def test_create_user_prompts_for_password(runner):
    result = runner.invoke(
        args=["dmsu", "create-user", "dave", "--role", "tpm"], input="pass word 1\npass word 1\n"
    )
    assert result.exit_code == 0, result.output
    assert accounts.authenticate("dave", "pass word 1") is not None


def test_oidc_login_links_one_account_per_subject(app):
    first = accounts.user_for_oidc(
        "sub-1", email="eva@example.org", name="Eva", preferred="eva", role="tpm"
    )
    again = accounts.user_for_oidc(
        "sub-1", email="eva@example.org", name="Eva", preferred="eva", role="tpm"
    )
    other = accounts.user_for_oidc(
        "sub-2", email="eva@other.org", name="Eva Two", preferred="eva", role="tpm"
    )
    assert first.id == again.id and first.role == "tpm" and first.password_hash == ""
    assert other.username == "eva2"
    assert accounts.authenticate("eva", "") is None  # no local password


def test_oidc_needs_its_settings(database_url, tmp_path):
    from dmsu import create_app

    with pytest.raises(RuntimeError, match="DMSU_OIDC_METADATA_URL"):
        create_app(
            {"DATABASE_URL": database_url, "SECRET_KEY": "x", "DMSU_OIDC_ENABLED": True},
            instance_path=str(tmp_path),
        )


def test_oidc_enabled_adds_its_login_routes(database_url, tmp_path):
    from dmsu import create_app

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "x",
            "DMSU_OIDC_ENABLED": True,
            "DMSU_OIDC_METADATA_URL": "https://checkin.example.org/.well-known/openid-configuration",
            "DMSU_OIDC_CLIENT_ID": "dmsu",
            "DMSU_OIDC_CLIENT_SECRET": "from-the-environment",
        },
        instance_path=str(tmp_path),
    )
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert {"/login/oidc", "/login/oidc/callback"} <= rules
