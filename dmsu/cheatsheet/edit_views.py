"""Editing the cheat sheet inline (htmx swaps one table row for its edit form and back) or
with plain full-page forms; the change history and its revert. Needs ``cheatsheet.edit``;
the history needs ``cheatsheet.history`` (staff)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from dmsu.auth.permissions import require
from dmsu.cheatsheet import editing, history
from dmsu.cheatsheet.blueprint import bp
from dmsu.cheatsheet.fields import COLUMNS, parse
from dmsu.cheatsheet.models import CheatSheetChange, Component
from dmsu.cheatsheet.sheet import forget, load_sheet
from dmsu.cheatsheet.views import viewer
from dmsu.core import paging
from dmsu.core.extensions import htmx
from dmsu.core.once import AlreadySubmitted, submitted_once


def _editor():
    if not current_user.is_authenticated:
        abort(redirect(url_for("auth.login", next=request.path)))
    require(current_user, "cheatsheet.edit", "edit the cheat sheet")


def _component(slug: str) -> Component:
    component = Component.get_or_none(Component.slug == slug)
    if component is None:
        abort(404)
    return component


def _form_context(values, errors=(), component=None, version=""):
    sheet = load_sheet()
    return {
        "values": values,
        "errors": list(errors),
        "field_errors": {e.column: e.sentence() for e in errors},
        "component": component,
        "version": version,
        "units": sheet.units,
        "partners": sheet.partners,
        "columns": 6,
    }


def _display_row(component_id: int):
    forget()
    row = next(r for r in load_sheet().rows if r.id == component_id)
    return render_template("cheatsheet/_row.html", row=row, **viewer())


def _edit_response(values, errors, component=None, version="", *, conflict=False):
    """A form with errors answers 422 as a full page (409 when someone else saved first); as
    an htmx row it answers 200 (the row with its message is the answer; a 4xx would only add
    a console error in the browser)."""
    context = _form_context(values, errors, component, version)
    if htmx:
        return render_template("cheatsheet/_edit_row.html", **context)
    status = 409 if conflict else 422 if errors else 200
    return render_template("cheatsheet/edit.html", **context), status


def _sent_twice(twice: AlreadySubmitted, component: Component | None):
    """A repeat of a saved form (a double click, a retried POST): saved once; the row as it
    is now for htmx, else where the first save went, instead of a conflict with the editor's
    own save."""
    if htmx and component is not None:
        return _display_row(component.id)
    flash(str(twice), "info")
    return redirect(twice.answer_url or url_for("cheatsheet.index"), code=303)


def _save(component: Component | None):
    values = {column: request.form.get(column, "") for column in COLUMNS}
    version = request.form.get("version", "")
    data, errors = parse(values)
    conflict = False
    if not errors:
        try:
            with submitted_once(request.form) as submission:
                saved = editing.save_component(
                    current_user, data, component, version=version or None
                )
                submission.answered(url_for("cheatsheet.index", q=saved.name))
        except AlreadySubmitted as twice:
            return _sent_twice(twice, component)
        except editing.CheatSheetInvalid as exc:
            errors, conflict = exc.errors, isinstance(exc, editing.CheatSheetConflict)
    if errors:
        return _edit_response(values, errors, component, version, conflict=conflict)
    forget()
    if htmx:
        return _display_row(saved.id)
    flash(f"Saved {saved.name}.", "success")
    return redirect(url_for("cheatsheet.index", q=saved.name))


@bp.route("/cheatsheet/new", methods=["GET", "POST"])
def new():
    _editor()
    if request.method == "POST":
        return _save(None)
    return _edit_response(dict.fromkeys(COLUMNS, ""), [])


@bp.route("/components/<slug>/edit", methods=["GET", "POST"])
def edit(slug):
    _editor()
    component = _component(slug)
    if request.method == "POST":
        return _save(component)
    values = editing.current_data(component).as_row(with_emails=True)
    values["experts"] = "\n".join(values["experts"].split(";")) if values["experts"] else ""
    return _edit_response(values, [], component, editing.version_of(component))


@bp.get("/components/<slug>/row")
def row(slug):
    """The display row of a component (an edit row's Cancel swaps this back in)."""
    return _display_row(_component(slug).id)


@bp.post("/components/<slug>/retire")
def retire(slug):
    return _set_retired(slug, True)


@bp.post("/components/<slug>/restore")
def restore(slug):
    return _set_retired(slug, False)


def _set_retired(slug: str, retired: bool):
    _editor()
    component = _component(slug)
    try:
        component = editing.set_retired(current_user, component, retired)
        message = f"{component.name} is {'retired' if retired else 'back on the sheet'}."
    except editing.CheatSheetInvalid as exc:
        flash(f"{component.name} was not {'retired' if retired else 'restored'}: {exc}", "error")
        message = None
    forget()
    if htmx:
        return _display_row(component.id)
    if message:
        flash(message, "success")
    return redirect(url_for("cheatsheet.component", slug=component.slug))


def _page_number() -> int:
    return paging.page_number(request.args.get("page"))


def _history_reader():
    if not current_user.is_authenticated:
        abort(redirect(url_for("auth.login", next=request.path)))
    require(current_user, "cheatsheet.history", "see the cheat-sheet history")


@bp.get("/cheatsheet/history")
def history_page():
    _history_reader()
    page = history.changes(page=_page_number())
    return render_template(
        "cheatsheet/history.html",
        page=page,
        component=None,
        describe=history.describe,
        labels=history.ACTION_LABELS,
        **viewer(),
    )


@bp.get("/components/<slug>/history")
def component_history(slug):
    _history_reader()
    component = _component(slug)
    page = history.changes(component, page=_page_number())
    return render_template(
        "cheatsheet/history.html",
        page=page,
        component=component,
        describe=history.describe,
        labels=history.ACTION_LABELS,
        **viewer(),
    )


@bp.post("/cheatsheet/history/<int:change_id>/revert")
def revert(change_id):
    _editor()
    change = CheatSheetChange.get_or_none(CheatSheetChange.id == change_id)
    if change is None:
        abort(404)
    try:
        component = editing.revert(current_user, change, version=request.form.get("version"))
    except editing.CheatSheetInvalid as exc:
        flash(f"Change {change_id} cannot be reverted: {exc}", "error")
        return redirect(url_for("cheatsheet.history_page"), 303)
    forget()
    flash(f"Reverted change {change_id} of {component.name}.", "success")
    return redirect(url_for("cheatsheet.component_history", slug=component.slug), 303)


@bp.get("/cheatsheet/new/cancel")
def cancel_new():
    """An empty answer: the Cancel of an inline "Add a component" row removes the row."""
    if htmx:
        return ""
    return redirect(url_for("cheatsheet.index"))
