"""``/admin/api-tokens``: admins create API tokens (the secret is shown once) and revoke them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from dmsu.api import tokens
from dmsu.auth.models import ApiToken, User
from dmsu.auth.permissions import can
from dmsu.core import clock

bp = Blueprint("api_admin", __name__)


def _page(status=200, **context):
    context.setdefault("form", {})
    context.setdefault("error", None)
    context.setdefault("secret", None)
    return render_template(
        "admin/api_tokens.html",
        tokens=tokens.all_tokens(),
        users=User.active_with_role("tpm", "resolver", "assigner", "admin"),
        valid_days=tokens.VALID_DAYS,
        default_days=tokens.DEFAULT_DAYS,
        now=clock.now(),
        **context,
    ), status


@bp.route("/admin/api-tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    if not can(current_user, "api_tokens.manage"):
        abort(403)
    if request.method == "GET":
        return _page()
    form = request.form.to_dict()
    owner = None
    if form.get("user_id"):
        owner = User.get_or_none(User.id == form["user_id"]) if form["user_id"].isdigit() else None
        if owner is None:
            return _page(400, form=form, error="Choose the user the token acts for.")
    days = form.get("days", str(tokens.DEFAULT_DAYS))
    if not days.isdigit() or int(days) not in tokens.VALID_DAYS:
        return _page(400, form=form, error="Choose how many days the token is valid for.")
    try:
        token, secret = tokens.create_token(current_user, form.get("name", ""), owner, int(days))
    except tokens.TokenError as exc:
        return _page(400, form=form, error=str(exc))
    # The secret is shown on this response only (never stored, never redirected with).
    html, _ = _page(secret=secret, created=token)
    return html, 200, {"Cache-Control": "no-store"}


@bp.post("/admin/api-tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    if not can(current_user, "api_tokens.manage"):
        abort(403)
    token = ApiToken.get_or_none(ApiToken.id == token_id) or abort(404)
    tokens.revoke_token(current_user, token)
    flash(f"Token '{token.name}' revoked.", "success")
    return redirect(url_for("api_admin.api_tokens")), 303
