"""Account logic shared by the login page, the admin page and the CLI."""

from __future__ import annotations

import re
import secrets

from peewee import IntegrityError
from zxcvbn import zxcvbn

from dmsu.auth.models import ROLES, User
from dmsu.auth.passwords import hash_password, needs_rehash, verify_password
from dmsu.core import clock
from dmsu.core.db import database

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
MIN_PASSWORD = 8
MIN_SCORE = 3
ZXCVBN_MAX = 72


class AccountError(ValueError):
    """Bad account input; the message is one clear sentence."""


def validate(username: str, role: str, password: str | None) -> None:
    if not USERNAME_RE.match(username or ""):
        raise AccountError("A user name has 2 to 64 letters, digits, dots, dashes or underscores.")
    if role not in ROLES:
        raise AccountError(f"Unknown role '{role}'; choose one of {', '.join(ROLES)}.")
    if password is not None:
        check_password(password, username)


def check_password(password: str, username: str = "") -> None:
    """Refuse a password that is short or easy to guess: zxcvbn's estimate (common passwords,
    keyboard runs, repeats, dates, the user's own name) must reach "safely unguessable" (3 of
    4). "12345678" and eight spaces were accepted."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.")
    # zxcvbn raises ValueError past its max_length (72): judge the start of a longer one
    estimate = zxcvbn(password[:ZXCVBN_MAX], user_inputs=[username, "dmsu", "egi"])
    if estimate["score"] < MIN_SCORE:
        warning = estimate["feedback"].get("warning") or "It is easy to guess."
        raise AccountError(
            f"Choose a password that is harder to guess ({warning.rstrip('.')}); "
            "a few unrelated words work well."
        )


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
    """The active user with these credentials, or None: the same answer for every failure, in
    the same time (a name that is no account is checked against a stand-in hash, so the answer
    does not tell whether the account exists: 160 ms against 7 ms did)."""
    user = User.get_or_none(User.username == (username or "").strip())
    if user is None or not user.password_hash:
        verify_password(stand_in_hash(), password or "")
        return None
    if not verify_password(user.password_hash, password) or not user.active:
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
    """A new role or disabling ends every session of the account (:func:`end_sessions`)."""
    changes = {}
    if role is not None and role != user.role:
        validate(user.username, role, None)
        changes["role"] = role
    if active is not None and active != user.active:
        changes["active"] = active
    if not changes:
        return user
    with database.atomic():
        _write(user, **changes)
        end_sessions(user)
    return user


def set_password(user: User, password: str) -> None:
    """A new password (the user's own change, or an admin's reset); it ends every session of
    the account."""
    validate(user.username, user.role, password)
    with database.atomic():
        _write(user, password_hash=hash_password(password))
        end_sessions(user)


def change_own_password(user: User, current: str, new: str, again: str) -> None:
    """The user's own change: the current password first, the new one twice."""
    if not verify_password(user.password_hash, current or ""):
        raise AccountError("The current password is not right.")
    if new != again:
        raise AccountError("The two new passwords differ; type the same one twice.")
    if new == current:
        raise AccountError("The new password is the one you have; choose another.")
    set_password(user, new)


def end_sessions(user: User) -> None:
    """End every session and remember-me cookie of ``user`` at once, on every device: each
    carries the generation it was made in (:meth:`User.get_id`)."""
    User.update(session_generation=User.session_generation + 1).where(User.id == user.id).execute()
    user.session_generation = (
        User.select(User.session_generation).where(User.id == user.id).scalar() or 1
    )


def session_user(session_id: str, load) -> User | None:
    """The user a session or remember-me cookie names (``id.generation[.login]``, see
    :meth:`User.get_id`), loaded by ``load(id)``, if the generation is still the account's;
    ids from before generations (a bare number) end too."""
    parts = str(session_id or "").split(".")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    user = load(parts[0])
    if user is None or str(user.session_generation) != parts[1]:
        return None
    return user


def new_login(user: User) -> User:
    """Mark ``user`` for a fresh login: the id its cookies keep gets a random part of its
    own, so no two logins share a remember-me cookie."""
    user.login_nonce = secrets.token_urlsafe(9)
    return user


_stand_in: list[str] = []


def stand_in_hash() -> str:
    """A hash with the site's current cost, for checking passwords of names that are no
    account (made once per process)."""
    if not _stand_in:
        _stand_in.append(hash_password(secrets.token_urlsafe(16)))
    return _stand_in[0]


def user_for_oidc(subject: str, *, email: str, name: str, preferred: str, role: str) -> User | None:
    """The local account linked to an OpenID Connect subject, created on first login, with
    ``role`` (what the person's entitlements map to: at every login, so a change at the
    provider counts, and ends the account's other sessions). Returns None for a disabled
    account."""
    user = User.get_or_none(User.oidc_subject == subject)
    if user is None:
        base = re.sub(r"[^A-Za-z0-9_.-]", "", preferred or email.split("@")[0]) or "user"
        base = base[:56] if len(base) >= 2 else f"user-{base}"
        username, n = base, 1
        while User.select().where(User.username == username).exists():
            n += 1
            username = f"{base}{n}"
        validate(username, role, None)
        user = User.create(
            username=username,
            role=role,
            display_name=name.strip(),
            email=email.strip(),
            oidc_subject=subject,
        )
    if not user.active:
        return None
    update_user(user, role=role)
    return _write(user, last_login_at=clock.now())
