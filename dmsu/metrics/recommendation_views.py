"""TCB recommendations pages (staff only; editing for ``recommendation.edit``): the list of a
quarter with the review of the previous quarter's, the "draft recommendations" action, and
plain forms to add, edit, review and delete. Routes live on the metrics blueprint."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from dmsu.auth.permissions import can, require
from dmsu.metrics import recommendations as logic
from dmsu.metrics.blueprint import bp
from dmsu.metrics.models import Recommendation
from dmsu.metrics.periods import PeriodError
from dmsu.metrics.quarterly import quarter_period


def _quarter(name: str):
    try:
        return quarter_period(name, current_app.config)
    except PeriodError:
        abort(404)


def _item(item_id: int) -> Recommendation:
    found = Recommendation.get_or_none(Recommendation.id == item_id)
    if found is None:
        abort(404)
    return found


def _list(quarter, form_values=None, errors=None, status=200):
    previous = logic.previous_quarter(quarter.name)
    return (
        render_template(
            "metrics/recommendations.html",
            quarter=quarter,
            items=logic.for_quarter(quarter.name),
            previous=previous,
            previous_items=logic.for_quarter(previous) if previous else [],
            can_edit=can(current_user, "recommendation.edit"),
            values=form_values or {},
            errors=errors or {},
            followed=logic.FOLLOWED,
        ),
        status,
    )


@bp.get("/metrics/recommendations/<quarter>")
@login_required
def recommendations(quarter: str):
    return _list(_quarter(quarter))


@bp.post("/metrics/recommendations/<quarter>")
@login_required
def add_recommendation(quarter: str):
    period = _quarter(quarter)
    try:
        logic.save(current_user, period.name, request.form)
    except logic.RecommendationError as exc:
        return _list(period, request.form, exc.errors, 422)
    flash("Recommendation added.", "success")
    return redirect(url_for("metrics.recommendations", quarter=period.name))


@bp.post("/metrics/recommendations/<quarter>/draft")
@login_required
def draft_recommendations(quarter: str):
    period = _quarter(quarter)
    created = logic.draft(period, current_user)
    if created:
        flash(f"{len(created)} recommendations drafted: edit them before the report.", "success")
    else:
        flash("Nothing new to propose from the per-product figures and open problems.", "info")
    return redirect(url_for("metrics.recommendations", quarter=period.name))


def _refused(item: Recommendation, exc: logic.RecommendationError):
    """The form again with the user's input: 422 for bad input; 409 when someone else saved
    first, the form then carrying the current version (saving again is a deliberate choice)."""
    if not isinstance(exc, logic.StaleRecommendation):
        return request.form, exc.errors, 422
    return {**request.form.to_dict(), "version": _item(item.id).version}, exc.errors, 409


@bp.route("/metrics/recommendations/item/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_recommendation(item_id: int):
    item = _item(item_id)
    require(current_user, "recommendation.edit", "edit TCB recommendations")
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        try:
            logic.save(current_user, item.quarter, request.form, item)
        except logic.RecommendationError as exc:
            values, errors, status = _refused(item, exc)
        else:
            flash("Recommendation saved.", "success")
            return redirect(url_for("metrics.recommendations", quarter=item.quarter))
    return render_template(
        "metrics/recommendation_form.html", item=item, values=values, errors=errors
    ), status


@bp.route("/metrics/recommendations/item/<int:item_id>/review", methods=["GET", "POST"])
@login_required
def review_recommendation(item_id: int):
    item = _item(item_id)
    require(current_user, "recommendation.edit", "review TCB recommendations")
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        try:
            logic.review(current_user, item, request.form)
        except logic.RecommendationError as exc:
            values, errors, status = _refused(item, exc)
        else:
            flash("Review saved.", "success")
            following = f"PQ{logic.quarter_number(item.quarter) + 1}"
            return redirect(url_for("metrics.recommendations", quarter=following))
    return render_template(
        "metrics/recommendation_review.html",
        item=item,
        values=values,
        errors=errors,
        followed=logic.FOLLOWED,
    ), status


@bp.post("/metrics/recommendations/item/<int:item_id>/delete")
@login_required
def delete_recommendation(item_id: int):
    item = _item(item_id)
    quarter = item.quarter
    logic.delete(current_user, item)
    flash("Recommendation deleted.", "success")
    return redirect(url_for("metrics.recommendations", quarter=quarter))
