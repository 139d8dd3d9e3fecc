"""API tokens: created by an admin on ``/admin/api-tokens``, shown once, stored hashed.

A token is ``dmsu_`` followed by 32 random URL-safe bytes; only its SHA-256 is kept
(:class:`dmsu.auth.models.ApiToken`). A request proves itself with
``Authorization: Bearer <token>``; a revoked token, or one whose owner is disabled, no longer
works, and neither does one past its expiry (tokens are valid for :data:`VALID_DAYS`, 90 days
unless the admin chooses otherwise). Every use updates ``last_used_at``. A token acts within
its owner's role as it is at each request (:func:`dmsu.api.blueprint.token_required`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from dmsu.auth import permissions
from dmsu.auth.models import ApiToken, User
from dmsu.core import clock
from dmsu.core.db import database

PREFIX = "dmsu_"
NAME_MAX = 120
VALID_DAYS = (30, 90, 180, 365)
DEFAULT_DAYS = 90


class TokenError(ValueError):
    """Bad token input; the message is one clear sentence."""


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(
    actor, name: str, owner: User | None = None, days: int = DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """A new token for ``owner`` (default: the admin creating it), valid for ``days`` (one of
    :data:`VALID_DAYS`); returns it and the secret to show once."""
    permissions.require(actor, "api_tokens.manage", "create API tokens")
    name = (name or "").strip()
    if not name:
        raise TokenError("Give the token a name that says who uses it, e.g. 'GGUS bridge'.")
    if len(name) > NAME_MAX:
        raise TokenError(f"A token name has at most {NAME_MAX} characters.")
    if days not in VALID_DAYS:
        raise TokenError(
            f"A token is valid for {', '.join(map(str, VALID_DAYS))} days; choose one of these."
        )
    owner = owner or actor
    if not owner.active:
        raise TokenError(f"{owner.username} is disabled; a token of theirs would not work.")
    raw = PREFIX + secrets.token_urlsafe(32)
    with database.atomic():
        token = ApiToken.create(
            name=name,
            token_hash=token_hash(raw),
            user=owner,
            expires_at=clock.now() + timedelta(days=days),
        )
    return token, raw


def revoke_token(actor, token: ApiToken) -> None:
    permissions.require(actor, "api_tokens.manage", "revoke API tokens")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save()


def authenticate(header: str | None) -> ApiToken | None:
    """The live token named by an ``Authorization: Bearer ...`` header, or None."""
    scheme, _, raw = (header or "").strip().partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw.startswith(PREFIX):
        return None
    digest = token_hash(raw)
    token = ApiToken.select(ApiToken, User).join(User).where(ApiToken.token_hash == digest).first()
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    now = clock.now()
    if token.revoked_at is not None or not token.user.active:
        return None
    if token.expires_at is None or token.expires_at <= now:
        return None
    ApiToken.update(last_used_at=now).where(ApiToken.id == token.id).execute()
    token.last_used_at = now
    return token


def all_tokens():
    return ApiToken.select(ApiToken, User).join(User).order_by(ApiToken.created_at.desc())
