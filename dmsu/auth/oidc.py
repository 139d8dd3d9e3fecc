"""Login with EGI Check-in (OpenID Connect), through Authlib, switched on by configuration:
``DMSU_OIDC_ENABLED=1`` with ``DMSU_OIDC_METADATA_URL`` (the provider's discovery document),
``DMSU_OIDC_CLIENT_ID`` and ``DMSU_OIDC_CLIENT_SECRET``.

The authorization code flow with PKCE (S256); Authlib sends and checks ``state`` and the ID
token's ``nonce``. Who may do what comes from the person's entitlements at Check-in (the
``eduperson_entitlement`` claim, read from the userinfo endpoint): ``DMSU_OIDC_ROLE_MAP`` maps
entitlements to the site's roles, and the highest mapped role is the person's role, at every
login. Someone with no mapped entitlement is refused and no account is made. Logging out of a
Check-in session ends it at the provider too (RP-initiated logout), back to the home page.
"""

from __future__ import annotations

from urllib.parse import urlencode

import requests
from authlib.common.errors import AuthlibBaseError as OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, current_app, flash, redirect, session, url_for

from dmsu.auth import accounts
from dmsu.auth.models import ROLES
from dmsu.auth.sessions import log_in

bp = Blueprint("oidc", __name__)
SESSION_KEY = "oidc_id_token"
EXTENSION = "dmsu.oidc"


def provider():
    """This app's client of the provider (one per app: Authlib keeps a client per name)."""
    return current_app.extensions[EXTENSION].provider


def init_app(app) -> None:
    missing = [
        key
        for key in ("DMSU_OIDC_METADATA_URL", "DMSU_OIDC_CLIENT_ID", "DMSU_OIDC_CLIENT_SECRET")
        if not app.config.get(key)
    ]
    if missing:
        raise RuntimeError(f"OpenID Connect is enabled but {', '.join(missing)} is not set.")
    role_map(app.config)  # refuse a map that names no role of the site at start
    oauth = OAuth(app)
    oauth.register(
        "provider",
        server_metadata_url=app.config["DMSU_OIDC_METADATA_URL"],
        client_id=app.config["DMSU_OIDC_CLIENT_ID"],
        client_secret=app.config["DMSU_OIDC_CLIENT_SECRET"],
        client_kwargs={"scope": app.config["DMSU_OIDC_SCOPES"], "code_challenge_method": "S256"},
    )
    app.extensions[EXTENSION] = oauth
    app.register_blueprint(bp)


def role_map(config) -> dict[str, str]:
    """``DMSU_OIDC_ROLE_MAP`` as ``{entitlement: role}``: a dict, or text with one
    ``entitlement = role`` per line or ``;``."""
    value = config["DMSU_OIDC_ROLE_MAP"]
    if isinstance(value, str):
        pairs = []
        for part in value.replace("\n", ";").split(";"):
            if part.strip():
                entitlement, _, role = part.rpartition("=")
                pairs.append((entitlement.strip(), role.strip()))
        value = dict(pairs)
    unknown = sorted({role for role in value.values() if role not in ROLES})
    if unknown:
        raise RuntimeError(
            f"DMSU_OIDC_ROLE_MAP names {', '.join(unknown)}; the roles are {', '.join(ROLES)}."
        )
    return dict(value)


def role_for(entitlements, mapping: dict[str, str]) -> str | None:
    """The highest role any of ``entitlements`` maps to, or None."""
    if isinstance(entitlements, str):
        entitlements = [entitlements]
    found = {mapping[e] for e in entitlements or () if e in mapping}
    for role in reversed(ROLES):  # admin, assigner, resolver, tpm
        if role in found:
            return role
    return None


def _unreachable(exc):
    current_app.logger.warning("OpenID Connect provider unreachable: %s", exc)
    flash(
        f"{current_app.config['DMSU_OIDC_NAME']} cannot be reached right now; try again in "
        "a moment, or log in with a password.",
        "error",
    )
    return redirect(url_for("auth.login"))


@bp.get("/login/oidc")
def login():
    try:
        return provider().authorize_redirect(url_for("oidc.callback", _external=True))
    except (requests.RequestException, OAuthError, ValueError) as exc:
        return _unreachable(exc)


@bp.get("/login/oidc/callback")
def callback():
    name = current_app.config["DMSU_OIDC_NAME"]
    try:
        token = provider().authorize_access_token()  # state, PKCE verifier, ID token, nonce
        claims = dict(token.get("userinfo") or {})
        info = provider().userinfo(token=token)
        if claims.get("sub") and info.get("sub") != claims["sub"]:
            # OpenID Connect Core 5.3.2: the userinfo answer must be about the ID token's
            # subject, or it must not be used
            raise ValueError("the userinfo subject is not the ID token's")
        claims.update(info)
    except requests.RequestException as exc:
        return _unreachable(exc)
    except (OAuthError, KeyError, ValueError) as exc:
        current_app.logger.warning("OpenID Connect login refused: %s", exc)
        flash(f"The login with {name} did not complete; please try again.", "error")
        return redirect(url_for("auth.login"))
    claim = current_app.config["DMSU_OIDC_ENTITLEMENT_CLAIM"]
    role = role_for(claims.get(claim), role_map(current_app.config))
    if role is None or not claims.get("sub"):
        flash(
            f"Your {name} account has no entitlement that gives a role here; ask the DMSU "
            "administrators to add you to the DMSU group.",
            "error",
        )
        return redirect(url_for("auth.login"))
    user = accounts.user_for_oidc(
        claims["sub"],
        email=claims.get("email", ""),
        name=claims.get("name", ""),
        preferred=claims.get("preferred_username", ""),
        role=role,
    )
    if user is None:
        flash("Your account is disabled; ask an administrator.", "error")
        return redirect(url_for("auth.login"))
    log_in(user)
    session[SESSION_KEY] = token.get("id_token", "")
    return redirect(url_for("home.index"))


def end_session_url(id_token: str) -> str | None:
    """Where to send the browser to end the provider's session too (None without one)."""
    try:
        metadata = provider().load_server_metadata()
    except (requests.RequestException, ValueError):
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint or not id_token:
        return None
    query = urlencode(
        {"id_token_hint": id_token,
         "post_logout_redirect_uri": url_for("home.index", _external=True)}
    )  # fmt: skip
    return f"{endpoint}?{query}"
