"""Views of the tickets area (thin: parse the request, call the logic, render).

Tickets are internal: every page here is for logged-in staff.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from dmsu.auth.permissions import PermissionDenied, require
from dmsu.cheatsheet.models import Component
from dmsu.core import clock
from dmsu.core.cache.staff import staff_page
from dmsu.core.extensions import htmx
from dmsu.core.once import AlreadySubmitted, submitted_once
from dmsu.core.publictext import LooksPersonal
from dmsu.tickets import workflow
from dmsu.tickets.models import CATEGORIES, PRIORITIES, Release
from dmsu.tickets.pages import marks, queries, routing_help
from dmsu.tickets.pages.actions import ACTIONS, PastEta
from dmsu.tickets.pages.role_words import role_words
from dmsu.tickets.workflow.releases import RELEASE_STATUSES

bp = Blueprint("tickets", __name__)
bp.add_app_template_filter(role_words, "role_words")
# the marks of a row in every ticket table (lists, sweep, duty lists, the staff home)
bp.add_app_template_global(marks.status_mark, "status_mark")
bp.add_app_template_global(marks.priority_mark, "priority_mark")


def _list(filters: queries.TicketFilters, *, title: str, mine: bool = False):
    require(current_user, "ticket.view", "see tickets")
    result = queries.list_tickets(filters)
    context = {"filters": filters, "result": result, "title": title, "mine": mine}
    context["may_create"] = workflow.may_create_ticket(current_user)
    if htmx:
        return render_template("tickets/_rows.html", **context)
    return render_template("tickets/index.html", choices=queries.filter_choices(), **context)


@bp.get("/tickets/")
@login_required
@staff_page
def index():
    return _list(queries.TicketFilters.from_args(request.args), title="Tickets")


@bp.get("/tickets/mine")
@login_required
@staff_page
def mine():
    filters = queries.TicketFilters.from_args(request.args)
    filters.assignee, filters.implied = str(current_user.id), ("assignee",)
    return _list(filters, title="My tickets", mine=True)


@bp.route("/tickets/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_user, "ticket.create", "record a ticket")
    form = request.form if request.method == "POST" else {}
    error = None
    if request.method == "POST":
        try:
            ticket = workflow.create_ticket(
                current_user._get_current_object(),
                ggus_id=(form.get("ggus_id") or "").strip(),
                subject=form.get("subject", ""),
                description=form.get("description", ""),
                submitter=form.get("submitter", "").strip(),
                submitter_email=form.get("submitter_email", "").strip(),
                component=queries.row_id(form.get("component")),
                category=form.get("category") or None,
                priority=form.get("priority") or "less urgent",
            )
        except workflow.WorkflowError as exc:
            error = str(exc)
        else:
            if form.get("route_to_dmsu"):
                workflow.route_to_dmsu(ticket, current_user._get_current_object())
            flash(f"Ticket {ticket.ggus_id} recorded.", "success")
            return redirect(url_for("tickets.show", ggus_id=ticket.ggus_id))
    components = Component.select(Component.id, Component.name).order_by(Component.name)
    return render_template(
        "tickets/new.html",
        form=form,
        error=error,
        components=components,
        categories=CATEGORIES,
        priorities=PRIORITIES,
    ), (400 if error else 200)


def _ticket_or_404(ggus_id: int):
    ticket = queries.ticket_by_ggus_id(ggus_id)
    if ticket is None:
        abort(404)
    return ticket


def _render_ticket(
    ticket,
    *,
    failed: str | None = None,
    error: str | None = None,
    status=200,
    personal=None,
    past_eta: bool = False,
):
    from dmsu.tickets.sla.rules import running_deadlines

    allowed = workflow.allowed_actions(ticket, current_user)
    context = {
        "ticket": ticket,
        "allowed": allowed,
        "events": queries.timeline_of(ticket),
        "involved": queries.involved_units(ticket),
        "third_line_units": queries.suggested_first(ticket, allowed.third_line_units),
        "components": Component.select(Component.id, Component.name).order_by(Component.name),
        "categories": CATEGORIES,
        "priorities": PRIORITIES,
        "deadlines": running_deadlines(ticket, clock.now()),
        "suggestions": routing_help.suggestions_for(ticket, allowed, current_app.config),
        "ggus_url": current_app.config["DMSU_GGUS_TICKET_URL"].format(id=ticket.ggus_id),
        "failed": failed,
        "error": error,
        "typed": request.form if failed else {},
        "personal": personal,
        "past_eta": past_eta,
    }
    return render_template("tickets/show.html", **context), status


@bp.get("/tickets/<int:ggus_id>")
@login_required
@staff_page
def show(ggus_id: int):
    require(current_user, "ticket.view", "see tickets")
    return _render_ticket(_ticket_or_404(ggus_id))


@bp.post("/tickets/<int:ggus_id>/<action>")
@login_required
def act(ggus_id: int, action: str):
    """One of the ticket page's forms; a refusal re-renders the page with the typed text."""
    require(current_user, "ticket.view", "see tickets")
    handler = ACTIONS.get(action)
    if handler is None:
        abort(404)
    ticket = _ticket_or_404(ggus_id)
    answer = url_for("tickets.show", ggus_id=ggus_id) + "#timeline"
    try:
        with submitted_once(request.form) as submission:
            message = handler(ticket, current_user._get_current_object(), request.form)
            submission.answered(answer)
    except AlreadySubmitted as twice:
        flash(str(twice), "info")
        return redirect(twice.answer_url or answer, code=303)
    except workflow.WorkflowError as exc:
        return _render_ticket(
            _ticket_or_404(ggus_id),
            failed=action,
            error=str(exc),
            status=400,
            past_eta=isinstance(exc, PastEta),
        )
    except LooksPersonal as found:
        return _render_ticket(
            _ticket_or_404(ggus_id),
            failed=action,
            error=str(found),
            status=422,
            personal=found.findings,
        )
    except PermissionDenied as exc:
        return _render_ticket(_ticket_or_404(ggus_id), failed=action, error=str(exc), status=403)
    flash(message, "success")
    return redirect(answer)


@bp.route("/tickets/releases", methods=["GET", "POST"])
@login_required
def releases():
    """Record a component release as delivered, verified or rejected in UMD (seed 001)."""
    require(current_user, "ticket.view", "see tickets")
    form = request.form if request.method == "POST" else {}
    error, changed, recorded, status = None, None, "", 200
    if request.method == "POST":
        component_id = queries.row_id(form.get("component"))
        component = Component.get_or_none(Component.id == component_id) if component_id else None
        try:
            changed = workflow.record_release(
                component,
                form.get("version", ""),
                form.get("status", ""),
                current_user._get_current_object(),
            )
            recorded = f"{component.name} {form['version'].strip()} {form['status']}"
        except workflow.WorkflowError as exc:
            error, status = str(exc), 400
        except PermissionDenied as exc:
            error, status = str(exc), 403
    recent = (
        Release.select(Release, Component)
        .join(Component)
        .order_by(Release.recorded_at.desc(), Release.id.desc())
        .limit(50)
    )
    return render_template(
        "tickets/releases.html",
        form=form,
        error=error,
        changed=changed,
        recorded=recorded,
        recent=recent,
        components=Component.select(Component.id, Component.name).order_by(Component.name),
        statuses=RELEASE_STATUSES,
        may_record=workflow.may_record_release(current_user),
    ), status
