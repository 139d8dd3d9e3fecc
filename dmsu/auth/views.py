"""Log in, log out, your own password, and the admin's user list (roles, disabling,
password resets)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from dmsu.auth import accounts
from dmsu.auth.models import ROLE_LABELS, ROLES, User
from dmsu.auth.permissions import can
from dmsu.auth.sessions import log_in
from dmsu.core.extensions import limiter

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """A local path (with its query: the search a person logged in from) to go on to after
    login, or the home page: never another site, and never a control character (a newline in
    ``next`` cannot become a header). A path starting with two slashes or more is another site
    to a browser (``///evil.example`` goes to evil.example), whatever ``urlsplit`` says."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
        and "\\" not in target
        and not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target)
    ):
        return target
    return url_for("home.index")


def _account_limit() -> str:
    return current_app.config["DMSU_LOGIN_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["DMSU_LOGIN_ADDRESS_RATE_LIMIT"]


def _account() -> str:
    return "login-account:" + request.form.get("username", "").strip().lower()[:64]


def _failed(response) -> bool:
    return response.status_code == 401


# Only failures count, per account (guessing one password) and, more loosely, per address
# (guessing many accounts; a proxy's users share one address, so one person's typos there do
# not lock out everyone behind it). The counts live in the shared storage
# (DMSU_RATELIMIT_STORAGE_URI: Redis with PostgreSQL), so every worker and host sees them and a
# restart does not reset them.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _account_limit,
    key_func=_account,
    methods=["POST"],
    deduct_when=_failed,
    error_message="Too many failed logins for this account; wait a minute and try again.",
)
@limiter.limit(
    _address_limit,
    methods=["POST"],
    deduct_when=_failed,
    error_message="Too many failed logins from this address; wait a minute and try again.",
)
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    error = None
    username = request.form.get("username", "")
    if request.method == "POST":
        user = accounts.authenticate(username, request.form.get("password", ""))
        if user is not None:
            log_in(user, remember=bool(request.form.get("remember")))
            flash(f"Welcome, {user.name}.", "success")
            return redirect(_safe_next(request.form.get("next")))
        error = "Wrong user name or password, or the account is disabled."
    return render_template(
        "auth/login.html",
        error=error,
        username=username,
        next=request.values.get("next", ""),
        oidc_enabled=current_app.config["DMSU_OIDC_ENABLED"],
        oidc_name=current_app.config["DMSU_OIDC_NAME"],
    ), (401 if error else 200)


@bp.post("/logout")
def logout():
    """Log out everywhere: every session and remember-me cookie of the account ends (a copy
    of the session cookie kept from before no longer opens a page)."""
    if current_user.is_authenticated:
        accounts.end_sessions(current_user)
    id_token = session.pop("oidc_id_token", None)
    logout_user()
    if id_token and current_app.config.get("DMSU_OIDC_ENABLED"):
        from dmsu.auth import oidc

        provider_logout = oidc.end_session_url(id_token)
        if provider_logout:  # end the Check-in session too, then back here
            flash("You are logged out.", "info")
            return redirect(provider_logout)
    flash("You are logged out.", "info")
    return redirect(url_for("home.index"))


@bp.route("/admin/users", methods=["GET", "POST"])
@login_required
def users():
    if not can(current_user, "users.manage"):
        abort(403)
    error = None
    form = {}
    if request.method == "POST":
        form = request.form.to_dict()
        try:
            user = accounts.create_user(
                form.get("username", "").strip(),
                form.get("role", ""),
                form.get("password", ""),
                display_name=form.get("display_name", ""),
                email=form.get("email", ""),
            )
            flash(f"User {user.username} added.", "success")
            return redirect(url_for("auth.users"))
        except accounts.AccountError as exc:
            error = str(exc)
    return render_template(
        "auth/users.html",
        users=User.select().order_by(User.username),
        roles=ROLES,
        role_labels=ROLE_LABELS,
        error=error,
        form=form,
    ), (400 if error else 200)


@bp.post("/admin/users/<int:user_id>")
@login_required
def update_user(user_id: int):
    if not can(current_user, "users.manage"):
        abort(403)
    user = User.get_or_none(User.id == user_id) or abort(404)
    role = request.form.get("role") or None
    active = {"1": True, "0": False}.get(request.form.get("active", ""))
    if user.id == current_user.id and (active is False or (role and role != "admin")):
        flash("You cannot disable yourself or drop your own admin role.", "error")
        return redirect(url_for("auth.users")), 303
    try:
        accounts.update_user(user, role=role, active=active)
        flash(f"User {user.username} updated.", "success")
    except accounts.AccountError as exc:
        flash(str(exc), "error")
    return redirect(url_for("auth.users")), 303


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change your own password; every other session of the account ends, this one goes on."""
    error = None
    if request.method == "POST":
        try:
            accounts.change_own_password(
                current_user,
                request.form.get("current", ""),
                request.form.get("new", ""),
                request.form.get("again", ""),
            )
        except accounts.AccountError as exc:
            error = str(exc)
        else:
            log_in(User.get_by_id(current_user.id))
            flash("Password changed; your other sessions have ended.", "success")
            return redirect(url_for("home.index")), 303
    return render_template("auth/password.html", error=error), (400 if error else 200)


@bp.post("/admin/users/<int:user_id>/password")
@login_required
def reset_password(user_id: int):
    """An admin sets a new password for an account (which ends its sessions)."""
    if not can(current_user, "users.manage"):
        abort(403)
    user = User.get_or_none(User.id == user_id) or abort(404)
    try:
        accounts.set_password(user, request.form.get("password", ""))
    except accounts.AccountError as exc:
        flash(f"{user.username}: {exc}", "error")
    else:
        if user.id == current_user.id:
            log_in(User.get_by_id(user.id))
        flash(f"New password set for {user.username}; their sessions have ended.", "success")
    return redirect(url_for("auth.users")), 303
