"""Starting a session, the one way both logins (local and OpenID Connect) do it."""

from __future__ import annotations

from flask import session
from flask_login import login_user

from dmsu.auth import accounts


def log_in(user, *, remember: bool = False) -> None:
    """Start a session: a new CSRF token (the anonymous page's does not carry over) and a
    login of its own (:func:`dmsu.auth.accounts.new_login`: its remember-me cookie differs
    from every other login's and ends with the account's session generation)."""
    session.pop("csrf_token", None)
    login_user(accounts.new_login(user), remember=remember)
