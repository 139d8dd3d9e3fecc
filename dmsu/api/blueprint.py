"""The JSON API's blueprint (``/api/v1``), mounted once; its endpoints sit in one module per
area beside this one (about, tickets, cheatsheet, wiki). Errors are JSON with one sentence."""

from __future__ import annotations

import functools
import json

from flask import Blueprint, g, jsonify, request
from flask_login import current_user

from dmsu.api import tokens
from dmsu.auth import permissions
from dmsu.core import jsontext
from dmsu.core.extensions import csrf

bp = Blueprint("api", __name__)
csrf.exempt(bp)


def error(status: int, message: str, field: str | None = None, **extra):
    response = jsonify(error=message, field=field, **extra)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="dmsu"'
    return response


MAX_DEPTH = 64
"""How deep a JSON body may nest (a ticket is three levels deep)."""


def json_body():
    """``(body, None)`` for a request whose body is JSON the site can store, else
    ``(None, response)`` with one sentence: not JSON at all, nested deeper than
    :data:`MAX_DEPTH` (a hundred thousand brackets made the parser fail with a 500), or text
    that is not Unicode (an escaped lone surrogate like ``\\ud800`` parses, but no database can
    store it)."""
    if not request.is_json:
        return None, error(415, "Send the body as JSON (Content-Type: application/json).")
    try:
        body = json.loads(request.get_data())
    except RecursionError:
        return None, error(400, f"The body nests deeper than {MAX_DEPTH} levels.")
    except ValueError:
        return None, error(400, "The body is not valid JSON.")
    stack = [(body, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                return None, error(400, f"The body nests deeper than {MAX_DEPTH} levels.")
            stack.extend((item, depth + 1) for item in _inner(value))
    found = jsontext.lone_surrogate_at(body)
    if found is not None:
        return None, error(400, f"The body {jsontext.MESSAGE}.", found or None)
    return body, None


def _inner(value: dict | list):
    return value.values() if isinstance(value, dict) else value


def caller():
    """``(user, None)`` for the caller of a read that anyone may make — a token's user, the
    session's user or anonymous — or ``(None, response)`` when a token was sent but is not
    valid (a bad token is refused, never read as anonymous)."""
    header = request.headers.get("Authorization")
    if header:
        token = tokens.authenticate(header)
        if token is None:
            return None, error(401, "Send a valid API token: Authorization: Bearer <token>.")
        return token.user, None
    return current_user._get_current_object(), None


def token_required(permission: str, action: str):
    """Refuse with 401 unless the request carries a live bearer token, and with 403 unless the
    token's owner, in the role they hold now, may do ``permission``: a token acts within its
    owner's role, never with more (a demoted admin's token loses the import at once)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            token = tokens.authenticate(request.headers.get("Authorization"))
            if token is None:
                return error(
                    401, "Send a valid API token: Authorization: Bearer <token> (not expired)."
                )
            if not permissions.can(token.user, permission):
                return error(
                    403,
                    f"This token acts for {token.user.username} ({token.user.role}), "
                    f"who may not {action}.",
                )
            g.api_token = token
            return view(*args, **kwargs)

        return wrapper

    return decorate


def _register_admin_pages(state) -> None:
    """The admin's token page lives at ``/admin/api-tokens`` (outside ``/api/v1``, with CSRF)."""
    from dmsu.api.admin_views import bp as admin_bp

    if "api_admin" not in state.app.blueprints:
        state.app.register_blueprint(admin_bp)


bp.record_once(_register_admin_pages)
