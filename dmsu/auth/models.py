"""Accounts: local users with a role, and API tokens for the helpdesk side."""

from __future__ import annotations

from peewee import BooleanField, CharField, ForeignKeyField, IntegerField

from dmsu.core import clock
from dmsu.core.db import BaseModel, UTCDateTimeField

ROLES = ("tpm", "resolver", "assigner", "admin")
ROLE_LABELS = {
    "tpm": "1st line (TPM)",
    "resolver": "DMSU resolver",
    "assigner": "DMSU assigner",
    "admin": "Administrator",
}


class User(BaseModel):
    username = CharField(max_length=64, unique=True)
    display_name = CharField(max_length=120, default="")
    email = CharField(max_length=254, default="")
    role = CharField(max_length=16, index=True)
    password_hash = CharField(max_length=255, default="")
    active = BooleanField(default=True)
    oidc_subject = CharField(max_length=255, null=True, unique=True)
    created_at = UTCDateTimeField(default=clock.now)
    last_login_at = UTCDateTimeField(null=True)
    # Moved on by logout, a new password, a new role and disabling: every session and
    # remember-me cookie carries the generation it was made in and ends with it (m0911).
    session_generation = IntegerField(default=1)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What the session and the remember-me cookie keep: the id, the session generation
        and, right after a login, that login's own random part (so the cookie of every login
        differs). :func:`dmsu.auth.accounts.session_user` reads it back."""
        nonce = getattr(self, "login_nonce", None)
        base = f"{self.id}.{self.session_generation}"
        return f"{base}.{nonce}" if nonce else base

    @property
    def is_staff(self) -> bool:
        return True

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @classmethod
    def active_with_role(cls, *roles: str):
        return cls.select().where(cls.active == True, cls.role.in_(roles)).order_by(cls.username)  # noqa: E712


class ApiToken(BaseModel):
    """A bearer token for the JSON API, created by an admin; only its hash is kept."""

    name = CharField(max_length=120)
    token_hash = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    created_at = UTCDateTimeField(default=clock.now)
    last_used_at = UTCDateTimeField(null=True)
    revoked_at = UTCDateTimeField(null=True)
    expires_at = UTCDateTimeField(null=True)  # set for every token (m0910 gave older ones one)
