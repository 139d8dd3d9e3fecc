"""API tokens expire: ``expires_at`` on every token. Tokens made before had none and worked
for ever; they get 90 days from this migration, time for an admin to replace them. A no-op
where the column exists and every token has its expiry."""

from __future__ import annotations


def up(db, migrator):
    from datetime import timedelta

    from dmsu.auth.models import ApiToken
    from dmsu.core import clock
    from dmsu.core.db import UTCDateTimeField
    from dmsu.core.schema import add_column_if_missing

    add_column_if_missing("api_token", "expires_at", UTCDateTimeField(null=True))
    ApiToken.update(expires_at=clock.now() + timedelta(days=90)).where(
        ApiToken.expires_at.is_null()
    ).execute()
