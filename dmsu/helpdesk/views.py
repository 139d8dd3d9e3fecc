"""The helpdesk area's pages (thin: parse the request, call the logic, render).

``POST /helpdesk/webhook`` is Zammad's: it carries no session and no CSRF token, it is
verified by the HMAC signature of its body instead (:mod:`dmsu.helpdesk.webhook`), and it
answers at once (202) with the work queued. The admins' pages (``/helpdesk/``,
``/helpdesk/mapping``) need the admin role (``outbox.read``, as the mail outbox).
"""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from dmsu.auth.permissions import can
from dmsu.core.extensions import csrf
from dmsu.helpdesk import overview as overview_module
from dmsu.helpdesk import webhook
from dmsu.helpdesk.blueprint import bp
from dmsu.helpdesk.connector import run_pull, run_push
from dmsu.helpdesk.mapping import MappingError, current_text, parse, path_from_config, save


def _admin() -> None:
    if not can(current_user, "outbox.read"):
        abort(403)


@bp.post("/webhook")
@csrf.exempt
def receive_webhook():
    try:
        queued = webhook.receive(
            request.get_data(cache=False), request.headers,
            str(current_app.config.get("DMSU_ZAMMAD_WEBHOOK_SECRET") or ""),
            request.remote_addr or "",
        )  # fmt: skip
    except webhook.WebhookRefused as exc:
        return jsonify(error=str(exc)), exc.status
    return jsonify(queued=queued.zammad_id), 202


@bp.app_template_global("helpdesk_conflicts")
def helpdesk_conflicts(ticket) -> list:
    """For ``helpdesk/_ticket_conflicts.html`` on the ticket page: the open conflicts of the
    ticket, for staff; nothing (and no query) while the connector is idle."""
    if ticket is None or not current_app.config.get("DMSU_ZAMMAD_URL"):
        return []
    if not can(current_user, "ticket.view"):
        return []
    return overview_module.open_conflicts(ticket.ggus_id, limit=20)


def _admin_page(status: int = 200, error: str | None = None):
    view = overview_module.overview(current_app.config)
    return render_template("helpdesk/admin.html", view=view, error=error), status


@bp.get("/")
@login_required
def admin():
    _admin()
    return _admin_page()


@bp.post("/run")
@login_required
def run():
    _admin()
    what = request.form.get("what", "")
    if what == "pull":
        flash(run_pull(current_app.config), "success")
    elif what == "push":
        flash(run_push(current_app.config), "success")
    else:
        return _admin_page(400, error="Choose to pull or to push.")
    return redirect(url_for("helpdesk.admin")), 303


@bp.post("/reviews/<int:review_id>/resolve")
@login_required
def resolve_review(review_id: int):
    _admin()
    if not overview_module.resolve_review(review_id):
        abort(404)
    flash("Marked as reviewed.", "success")
    return redirect(url_for("helpdesk.admin") + "#reviews"), 303


@bp.post("/conflicts/<int:conflict_id>/resolve")
@login_required
def resolve_conflict(conflict_id: int):
    if not can(current_user, "ticket.work"):
        abort(403)
    if not overview_module.resolve_conflict(conflict_id):
        abort(404)
    flash("Conflict marked as settled.", "success")
    back = request.form.get("next", "")
    return redirect(back if back.startswith("/tickets/") else url_for("helpdesk.admin")), 303


@bp.route("/mapping", methods=["GET", "POST"])
@login_required
def mapping():
    _admin()
    error, status = None, 200
    if request.method == "POST":
        text = request.form.get("text", "")
        try:
            save(text, current_user.username)
        except MappingError as exc:
            error, status = str(exc), 400
        else:
            flash("Mapping saved; the next pull and push use it.", "success")
            return redirect(url_for("helpdesk.mapping")), 303
    try:
        saved_text, source = current_text(current_app.config)
        current = parse(saved_text, source)
    except MappingError as exc:
        saved_text, source, current = "", "", None
        error = error or str(exc)
    text = request.form.get("text", saved_text) if status == 400 else saved_text
    return render_template(
        "helpdesk/mapping.html", mapping=current, error=error, source=source, text=text,
        path=path_from_config(current_app.config),
    ), status  # fmt: skip
