"""The TCB digest pages: ``/requirements/tcb?period=PQ9`` as a page, ``.md`` and ``.csv``, and
recording the listed requirements as reported at a TCB meeting."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from dmsu.auth.permissions import PermissionDenied, require
from dmsu.core import clock
from dmsu.metrics.periods import PeriodError, parse_period, quarter_of
from dmsu.requirements import tcb
from dmsu.requirements.blueprint import bp
from dmsu.requirements.log import RequirementError


def _project_start():
    from datetime import date

    return date.fromisoformat(current_app.config["DMSU_PROJECT_START"])


def _digest(period_text: str):
    """The digest of ``period_text`` (default: the current project quarter)."""
    require(current_user, "requirement.view", "see the requirements digest")
    start = _project_start()
    if not period_text:
        period_text = f"PQ{quarter_of(clock.now(), start)}"
    return tcb.tcb_digest(parse_period(period_text, start), current_user)


def _page(period_text: str, *, error=None, meeting_date="", status=200):
    try:
        digest = _digest(period_text)
    except PeriodError as exc:
        return render_template(
            "requirements/tcb.html", digest=None, period_text=period_text, error=str(exc)
        ), 400
    return render_template(
        "requirements/tcb.html",
        digest=digest,
        period_text=digest.period.name,
        error=error,
        meeting_date=meeting_date or clock.now().date().isoformat(),
    ), status


@bp.get("/requirements/tcb")
@login_required
def tcb_digest():
    return _page(request.args.get("period", "").strip())


def _export(kind: str):
    try:
        digest = _digest(request.args.get("period", "").strip())
    except PeriodError as exc:
        return Response(str(exc) + "\n", status=400, mimetype="text/plain")
    rt_base = current_app.config.get("DMSU_RT_URL") or ""
    name = f"dmsu-requirements-{digest.period.name}"
    if kind == "md":
        base = current_app.config["DMSU_BASE_URL"].rstrip("/")
        body = tcb.digest_markdown(
            digest,
            rt_base_url=rt_base,
            page_url=lambda i: base + url_for(".show", requirement_id=i),
        )
        mimetype, filename = "text/markdown", f"{name}.md"
    else:
        body = tcb.digest_csv(digest, rt_base_url=rt_base)
        mimetype, filename = "text/csv", f"{name}.csv"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f"inline; filename={filename}"},
    )


@bp.get("/requirements/tcb.md")
@login_required
def tcb_markdown():
    return _export("md")


@bp.get("/requirements/tcb.csv")
@login_required
def tcb_csv():
    return _export("csv")


@bp.post("/requirements/tcb")
@login_required
def tcb_record():
    period_text = request.form.get("period", "").strip()
    meeting_date = request.form.get("meeting_date", "")
    try:
        digest = _digest(period_text)
        recorded, already = tcb.record_reported(
            digest,
            current_user,
            meeting_date,
            ids=[i for i in request.form.getlist("requirement") if i.isdigit()] or None,
            note=request.form.get("note", ""),
        )
    except PeriodError as exc:
        return _page(period_text, error=str(exc), meeting_date=meeting_date, status=400)
    except (RequirementError, PermissionDenied) as exc:
        status = 403 if isinstance(exc, PermissionDenied) else 422
        return _page(period_text, error=str(exc), meeting_date=meeting_date, status=status)
    message = f"Recorded {recorded} requirement(s) as reported to the TCB on {meeting_date.strip()}"
    flash(
        message + (f"; {already} were already recorded for that meeting." if already else "."),
        "success",
    )
    return redirect(url_for(".tcb_digest", period=digest.period.name), code=303)
