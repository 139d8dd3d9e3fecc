"""The shift rota page and its iCalendar feed.

"a weekly rota among assigners (generated round robin, editable by admins)";
"Shift rota page: who is on shift each week, with an iCalendar feed (icalendar
package) so assigners can subscribe". Anyone may read the rota (the digests name their
author publicly too); admins reassign a week or generate the next weeks.
"""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from dmsu.auth.models import User
from dmsu.auth.permissions import can, require
from dmsu.core import clock
from dmsu.core.extensions import htmx
from dmsu.digests import feeds, rota
from dmsu.digests.blueprint import bp
from dmsu.digests.models import Shift
from dmsu.digests.publishing import week_span
from dmsu.digests.views import week_or_404

PAST_WEEKS = 4
NEXT_WEEKS = 12
CALENDAR_PAST_WEEKS = 8
CALENDAR_NEXT_WEEKS = 52


def _rota_page(*, error: str | None = None, values: dict | None = None, status: int = 200):
    this_week = rota.week_of(clock.now())
    first = rota.add_weeks(this_week, -PAST_WEEKS)
    weeks = rota.shifts_between(first, PAST_WEEKS + 1 + NEXT_WEEKS)
    editable = can(current_user, "rota.edit")
    people = list(User.active_with_role(*rota.ASSIGNABLE_ROLES)) if editable else []
    last = Shift.select(Shift.week).order_by(Shift.week.desc()).first()
    next_free = rota.add_weeks(last.week, 1) if last and last.week >= this_week else this_week
    body = render_template(
        "digests/rota.html",
        weeks=weeks,
        this_week=this_week,
        editable=editable,
        people=people,
        next_free=next_free,
        error=error,
        values=values or {},
        span=week_span,
    )
    return body, status


@bp.get("/digests/rota")
def rota_page():
    """Who is on shift: the past 4 weeks, this week and the next 12."""
    return _rota_page()


@bp.post("/digests/rota/<week>")
@login_required
def rota_set(week: str):
    """An admin puts someone on a week (htmx: the row comes back)."""
    require(current_user, "rota.edit", "change the shift rota")
    week = week_or_404(week)
    error = None
    try:
        shift = rota.set_shift(week, request.form.get("user", ""), current_user)
    except rota.RotaError as exc:
        if not htmx:
            return _rota_page(error=str(exc), status=422)
        error, shift = str(exc), Shift.get_or_none(Shift.week == week)
    if htmx:  # htmx swaps 2xx answers only: the row comes back, with the error if any
        people = list(User.active_with_role(*rota.ASSIGNABLE_ROLES))
        return render_template(
            "digests/_rota_row.html",
            week=week,
            shift=shift,
            editable=True,
            people=people,
            this_week=rota.week_of(clock.now()),
            span=week_span,
            saved=error is None,
            row_error=error,
        )
    flash(f"{shift.user.name} is on shift in {week}.", "success")
    return redirect(url_for("digests.rota_page"))


@bp.post("/digests/rota/generate")
@login_required
def rota_generate():
    """An admin fills the next N weeks round robin among the active assigners."""
    require(current_user, "rota.edit", "generate the shift rota")
    values = {"start": request.form.get("start", ""), "weeks": request.form.get("weeks", "")}
    try:
        weeks = int(values["weeks"])
    except ValueError:
        return _rota_page(
            error="Give the number of weeks as a whole number.", values=values, status=422
        )
    try:
        shifts = rota.generate_rota(
            values["start"], weeks, current_user, overwrite=bool(request.form.get("overwrite"))
        )
    except rota.RotaError as exc:
        return _rota_page(error=str(exc), values=values, status=422)
    flash(f"The rota is set from {shifts[0].week} to {shifts[-1].week}.", "success")
    return redirect(url_for("digests.rota_page"))


@bp.get("/digests/rota.ics")
def rota_ics():
    """The rota as iCalendar: one all-day event per shift week, UID stable per week."""
    this_week = rota.week_of(clock.now())
    first = rota.add_weeks(this_week, -CALENDAR_PAST_WEEKS)
    last = rota.add_weeks(this_week, CALENDAR_NEXT_WEEKS)
    shifts = [
        shift
        for _, shift in rota.shifts_between(first, CALENDAR_PAST_WEEKS + CALENDAR_NEXT_WEEKS + 1)
        if shift is not None and shift.week <= last
    ]
    document = feeds.rota_calendar(shifts, current_app.config)
    response = Response(document, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="dmsu-shift-rota.ics"'
    return response
