"""The repositories page: each scan (repositories read, packages seen, releases recorded,
tickets closed, errors), the repositories scanned, and for admins the forms that change them
(thin: parse the request, call the logic, render)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from dmsu.auth.permissions import can, require
from dmsu.repositories import history, sources
from dmsu.repositories.blueprint import bp
from dmsu.repositories.models import CHANNELS, KINDS
from dmsu.repositories.run import run_scan
from dmsu.repositories.scan import summary


@bp.app_template_global("repository_scans")
def repository_scans(limit: int = 5) -> list:
    """For ``repositories/_scans_box.html`` on the releases page: nothing for non-staff."""
    if not can(current_user, "ticket.view"):
        return []
    return history.recent_scans(limit)


def _page(form=None, error: str = "", status: int = 200, editing: int | None = None):
    return render_template(
        "repositories/index.html",
        scans=history.recent_scans(20),
        sources=sources.all_sources(),
        kinds=KINDS,
        channels=CHANNELS,
        form=form or {},
        error=error,
        editing=editing,
        may_manage=can(current_user, "repositories.manage"),
        may_scan=can(current_user, "release.record"),
    ), status


@bp.get("/")
@login_required
def index():
    require(current_user, "ticket.view", "see the repository scans")
    return _page()


@bp.post("/scan")
@login_required
def scan_now():
    require(current_user, "release.record", "scan the repositories")
    try:
        scan = run_scan(current_app.config, trigger="page", file_root=current_app.instance_path)
    except sources.SourceError as exc:
        return _page(error=str(exc), status=400)
    flash(summary(scan), "success" if not scan.repositories_failed else "error")
    return redirect(url_for("repositories.index"))


@bp.post("/sources")
@bp.post("/sources/<int:source_id>")
@login_required
def save_source(source_id: int | None = None):
    require(current_user, "repositories.manage", "change the repositories scanned")
    form = request.form
    try:
        if form.get("enabled") in ("0", "1") and not form.get("url"):
            sources.set_enabled(source_id or 0, form["enabled"] == "1")
            return redirect(url_for("repositories.index"))
        data = sources.check(
            form.get("name", ""), form.get("kind", ""), form.get("channel", ""), form.get("url", "")
        )
        if source_id is None:  # the add form with a name already listed changes that one
            source_id = sources.id_named(data.name)
        source = sources.save(data, source_id)
    except sources.SourceError as exc:
        return _page(form=form, error=str(exc), status=400, editing=source_id)
    flash(f"Repository {source.name} saved.", "success")
    return redirect(url_for("repositories.index"))
