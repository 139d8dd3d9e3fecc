"""Optional OpenID Connect login (EGI Check-in style) via Authlib, switched on by
configuration: ``DMSU_OIDC_ENABLED=1`` with ``DMSU_OIDC_METADATA_URL``, ``DMSU_OIDC_CLIENT_ID``
and ``DMSU_OIDC_CLIENT_SECRET``. New people get ``DMSU_OIDC_DEFAULT_ROLE``; an admin raises it.
"""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Blueprint, current_app, flash, redirect, url_for

from dmsu.auth import accounts
from dmsu.auth.sessions import log_in

oauth = OAuth()
bp = Blueprint("oidc", __name__)


def init_app(app) -> None:
    missing = [
        key
        for key in ("DMSU_OIDC_METADATA_URL", "DMSU_OIDC_CLIENT_ID", "DMSU_OIDC_CLIENT_SECRET")
        if not app.config.get(key)
    ]
    if missing:
        raise RuntimeError(f"OpenID Connect is enabled but {', '.join(missing)} is not set.")
    oauth.init_app(app)
    oauth.register(
        "provider",
        server_metadata_url=app.config["DMSU_OIDC_METADATA_URL"],
        client_id=app.config["DMSU_OIDC_CLIENT_ID"],
        client_secret=app.config["DMSU_OIDC_CLIENT_SECRET"],
        client_kwargs={"scope": "openid profile email"},
    )
    app.register_blueprint(bp)


@bp.get("/login/oidc")
def login():
    return oauth.provider.authorize_redirect(url_for("oidc.callback", _external=True))


@bp.get("/login/oidc/callback")
def callback():
    token = oauth.provider.authorize_access_token()
    claims = token.get("userinfo") or oauth.provider.userinfo()
    user = accounts.user_for_oidc(
        claims["sub"],
        email=claims.get("email", ""),
        name=claims.get("name", ""),
        preferred=claims.get("preferred_username", ""),
        default_role=current_app.config["DMSU_OIDC_DEFAULT_ROLE"],
    )
    if user is None:
        flash("Your account is disabled; ask an administrator.", "error")
        return redirect(url_for("auth.login"))
    log_in(user)
    return redirect(url_for("home.index"))
