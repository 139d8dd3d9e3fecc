"""The public cheat sheet, its CSV export, the component pages and the routing form (thin:
parse the request, call the logic, render). Editing and history are in :mod:`edit_views`."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

import dmsu.core.cache.registry as registry
from dmsu.auth.permissions import can, require
from dmsu.cheatsheet import component_info, routing
from dmsu.cheatsheet.blueprint import bp
from dmsu.cheatsheet.importer import write_csv
from dmsu.cheatsheet.search import SheetQuery, run
from dmsu.cheatsheet.sheet import load_sheet
from dmsu.core.cache.pages import public_page
from dmsu.core.db import generation
from dmsu.core.extensions import htmx

ROWS_CACHE_SIZE = 256
_ROWS = registry.Cache("cheatsheet.rows", max_entries=ROWS_CACHE_SIZE)


def viewer() -> dict[str, bool]:
    """What the current reader may see: experts' e-mails (staff only), edit buttons."""
    return {
        "show_emails": bool(current_user.is_authenticated),
        "can_edit": can(current_user, "cheatsheet.edit"),
    }


def render_rows(sheet, query: SheetQuery) -> Markup:
    """The results partial, kept per sheet version, query and what the reader may see (the
    1st line searches it all day; the ``cheatsheet.rows`` cache: the page store keeps only
    anonymous pages, and staff search it too); an editor's rows carry forms with the session's CSRF
    token, so they are rendered each time."""
    context = viewer()
    if context["can_edit"]:
        html = render_template(
            "cheatsheet/_rows.html", result=run(sheet, query), query=query, **context
        )
        return Markup(html)  # noqa: S704 - output of an autoescaped template
    key = (generation(), sheet.version, query.cache_key(), context["show_emails"])
    html = _ROWS.cached(
        key,
        lambda: render_template(
            "cheatsheet/_rows.html", result=run(sheet, query), query=query, **context
        ),
    )
    return Markup(html)  # noqa: S704 - output of an autoescaped template


@bp.get("/cheatsheet/")
@public_page("cheatsheet")
def index():
    sheet = load_sheet()
    query = SheetQuery.from_args(request.args)
    if htmx and not htmx.history_restore_request:
        return render_rows(sheet, query)
    return render_template(
        "cheatsheet/index.html",
        sheet=sheet,
        query=query,
        rows_html=render_rows(sheet, query),
        **viewer(),
    )


@bp.get("/cheatsheet.csv")
@public_page("cheatsheet")
def export_csv():
    sheet = load_sheet()
    result = run(sheet, SheetQuery.from_args(request.args))
    text = write_csv(result.rows, with_emails=current_user.is_authenticated)
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="cheatsheet.csv"'},
    )


@bp.get("/components/<slug>")
def component(slug):
    sheet = load_sheet()
    row = sheet.by_slug(slug)
    if row is None:
        abort(404)
    staff = can(current_user, "ticket.view")
    return render_template(
        "cheatsheet/component.html",
        row=row,
        sla=component_info.sla_table(row.unit, current_app.config),
        tickets=component_info.tickets_of(row.id, staff=staff),
        component=component_info.model_of(row.id),
        sheet=sheet,
        **viewer(),
    )


@bp.route("/cheatsheet/route", methods=["GET", "POST"])
def route():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    require(current_user, "cheatsheet.route", "ask for routing suggestions")
    subject = (request.values.get("subject") or "").strip()[:500]
    text = (request.values.get("text") or "").strip()[:20000]
    asked = bool(subject or text) or request.method == "POST"
    error = None
    suggestions = []
    if asked and not (subject or text):
        error = "Paste the ticket's subject or text to get a suggestion."
    elif asked:
        model = routing.configured_text_model(current_app.config)
        suggestions = routing.suggest(subject, text, model=model)
    context = {
        "subject": subject,
        "text": text,
        "asked": asked,
        "error": error,
        "suggestions": suggestions,
        **viewer(),
    }
    if htmx and not htmx.history_restore_request:  # 200: the partial carries the message
        return render_template("cheatsheet/_route_results.html", **context)
    return render_template("cheatsheet/route.html", **context), (422 if error else 200)
