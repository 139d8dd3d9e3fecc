"""Account logic shared by the login page, the admin page and the CLI."""

from __future__ import annotations

import re

from peewee import IntegrityError

from dmsu.auth.models import ROLES, User
from dmsu.auth.passwords import hash_password, needs_rehash, verify_password
from dmsu.core import clock
from dmsu.core.db import database

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
MIN_PASSWORD = 8


class AccountError(ValueError):
    """Bad account input; the message is one clear sentence."""


def validate(username: str, role: str, password: str | None) -> None:
    if not USERNAME_RE.match(username or ""):
        raise AccountError("A user name has 2 to 64 letters, digits, dots, dashes or underscores.")
    if role not in ROLES:
        raise AccountError(f"Unknown role '{role}'; choose one of {', '.join(ROLES)}.")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.")


def create_user(
    username: str,
    role: str,
    password: str,
    *,
    display_name: str = "",
    email: str = "",
) -> User:
    validate(username, role, password)
    if User.select().where(User.username == username).exists():
        raise AccountError(f"A user named '{username}' already exists.")
    try:
        with database.atomic():
            return User.create(
                username=username,
                role=role,
                password_hash=hash_password(password),
                display_name=display_name.strip(),
                email=email.strip(),
            )
    except IntegrityError as exc:
        raise AccountError(f"A user named '{username}' already exists.") from exc


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for every failure)."""
    user = User.get_or_none(User.username == (username or "").strip())
    if user is None or not user.active or not verify_password(user.password_hash, password):
        return None
    changes = {"last_login_at": clock.now()}
    if needs_rehash(user.password_hash):
        changes["password_hash"] = hash_password(password)
    return _write(user, **changes)


def _write(user: User, **columns) -> User:
    """Write only ``columns`` of the account: a whole-row save of a copy read earlier would
    put back what someone changed meanwhile (a login undid an admin's disable)."""
    User.update(**columns).where(User.id == user.id).execute()
    for name, value in columns.items():
        setattr(user, name, value)
    return user


def update_user(user: User, *, role: str | None = None, active: bool | None = None) -> User:
    changes = {}
    if role is not None:
        validate(user.username, role, None)
        changes["role"] = role
    if active is not None:
        changes["active"] = active
    return _write(user, **changes) if changes else user


def set_password(user: User, password: str) -> None:
    validate(user.username, user.role, password)
    _write(user, password_hash=hash_password(password))


def user_for_oidc(
    subject: str, *, email: str, name: str, preferred: str, default_role: str
) -> User | None:
    """The local account linked to an OpenID Connect subject, created on first login.
    Returns None for a disabled account."""
    user = User.get_or_none(User.oidc_subject == subject)
    if user is None:
        base = re.sub(r"[^A-Za-z0-9_.-]", "", preferred or email.split("@")[0]) or "user"
        base = base[:56] if len(base) >= 2 else f"user-{base}"
        username, n = base, 1
        while User.select().where(User.username == username).exists():
            n += 1
            username = f"{base}{n}"
        validate(username, default_role, None)
        user = User.create(
            username=username,
            role=default_role,
            display_name=name.strip(),
            email=email.strip(),
            oidc_subject=subject,
        )
    if not user.active:
        return None
    return _write(user, last_login_at=clock.now())
