"""Pages of the requirements log (thin: parse the request, call the logic, render).

Requirements are internal: every page needs ``requirement.view`` (staff); changes need
``requirement.edit`` (DMSU), checked by the logic modules.
"""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from peewee import JOIN

from dmsu.auth.models import User
from dmsu.auth.permissions import PermissionDenied, can, require
from dmsu.cheatsheet.models import Component
from dmsu.core.extensions import htmx
from dmsu.core.once import AlreadySubmitted, submitted_once
from dmsu.core.publictext import public_text
from dmsu.requirements import log, queries, routing
from dmsu.requirements.blueprint import bp
from dmsu.requirements.models import (
    EFFORT_LABELS,
    EFFORTS,
    REQUIREMENT_STATUSES,
    Requirement,
    RequirementEvent,
    RequirementTicket,
    TcbReport,
)
from dmsu.requirements.rt_client import RtSettings, ticket_url
from dmsu.tickets.models import Ticket
from dmsu.tickets.people import people_of


def rt_settings() -> RtSettings:
    return RtSettings.from_config(current_app.config)


@bp.app_template_global("rt_ticket_url")
def rt_ticket_url(rt_id) -> str:
    """Link to an RT ticket (empty when DMSU_RT_URL is not set)."""
    base = current_app.config.get("DMSU_RT_URL") or ""
    return ticket_url(base, rt_id) if base and rt_id else ""


@bp.app_template_global("ticket_requirements")
def ticket_requirements(ticket) -> list:
    """For ``_ticket_requirements.html`` on the ticket page: nothing for non-staff."""
    if ticket is None or not can(current_user, "requirement.view"):
        return []
    return queries.requirements_of_ticket(ticket)


def _viewer():
    require(current_user, "requirement.view", "see the requirements log")
    return current_user


def _components():
    return list(Component.current())


# --- the log -------------------------------------------------------------------------------------


@bp.get("/requirements/")
@login_required
def index():
    user = _viewer()
    error = None
    try:
        filters = queries.parse_filters(request.args)
    except log.RequirementError as exc:
        error, filters = str(exc), queries.LogFilters(q=(request.args.get("q") or "")[:200])
    page = queries.log_page(filters, user)
    context = {
        "filters": filters,
        "page": page,
        "error": error,
        "statuses": REQUIREMENT_STATUSES,
        "efforts": EFFORTS,
        "components": _components(),
    }
    status = 400 if error else 200
    if htmx:
        return render_template("requirements/_rows.html", **context), status
    return render_template("requirements/index.html", **context), status


@bp.get("/requirements/export.csv")
@login_required
def export_csv():
    user = _viewer()
    try:
        filters = queries.parse_filters(request.args)
    except log.RequirementError as exc:
        abort(Response(str(exc), status=400, mimetype="text/plain"))
    body = queries.log_csv(filters, user, current_app.config.get("DMSU_RT_URL") or "")
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=requirements.csv"},
    )


# --- recording a requirement -----------------------------------------------------------------------


def _prefill_from_ticket(ggus_id_text: str) -> tuple[dict, str | None]:
    """The form prefilled from a ticket: its subject and its description quoted, as public
    text (a requirement goes on to EGI's RT queue and to product teams; the submitter's
    greeting, signature, name and contacts do not)."""
    values = {"title": "", "description": "", "component": "", "tickets": "", "tags": "DMSU"}
    if not ggus_id_text:
        return values, None
    try:
        (ticket,) = log.tickets_for(log.parse_ggus_ids(ggus_id_text)[:1] or [0])
    except (log.RequirementError, ValueError):
        return {**values, "tickets": ggus_id_text[:20]}, (
            f"There is no ticket {ggus_id_text[:20]} in the desk to take the requirement from."
        )
    people = people_of(ticket)
    public = public_text(ticket.description, people)
    quoted = "\n".join(f"> {line}" if line else ">" for line in public.splitlines())
    description = f"From GGUS ticket #{ticket.ggus_id}:\n\n{quoted}\n" if quoted else ""
    values.update(
        title=public_text(ticket.subject, people),
        description=description,
        component=str(ticket.component_id or ""),
        tickets=str(ticket.ggus_id),
    )
    return values, None


@bp.route("/requirements/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_user, "requirement.edit", "record requirements")
    error = None
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("title", "description", "component")}
        values.update(tickets=request.form.get("tickets", ""), tags=request.form.get("tags", ""))
        try:
            with submitted_once(request.form) as submission:
                requirement = log.create_requirement(
                    current_user,
                    title=values["title"],
                    description=values["description"],
                    component=values["component"],
                    ggus_ids=log.parse_ggus_ids(values["tickets"]),
                    tags=values["tags"],
                )
                answer = submission.answered(url_for(".show", requirement_id=requirement.id))
        except AlreadySubmitted as twice:
            flash(str(twice), "info")
            return redirect(twice.answer_url or url_for(".index"), code=303)
        except log.RequirementError as exc:
            error = str(exc)
        else:
            flash(f"Requirement {requirement.id} recorded.", "success")
            return redirect(answer, code=303)
    else:
        values, error = _prefill_from_ticket(request.args.get("ticket", "").strip())
    return render_template(
        "requirements/form.html",
        values=values,
        error=error,
        components=_components(),
        requirement=None,
    ), (422 if error and request.method == "POST" else 400 if error else 200)


def _requirement_or_404(requirement_id: int) -> Requirement:
    requirement = Requirement.visible_to(_viewer()).where(Requirement.id == requirement_id).first()
    if requirement is None:
        abort(404)
    return requirement


# --- the requirement page ------------------------------------------------------------------------


def _page(requirement: Requirement, *, errors=None, values=None, status=200):
    tickets = list(
        Ticket.select()
        .join(RequirementTicket)
        .where(RequirementTicket.requirement == requirement)
        .order_by(Ticket.ggus_id)
    )
    events = list(
        RequirementEvent.select(RequirementEvent, User)
        .join(User, JOIN.LEFT_OUTER)
        .where(RequirementEvent.requirement == requirement)
        .order_by(RequirementEvent.at.desc(), RequirementEvent.id.desc())
    )
    reports = list(requirement.tcb_reports.order_by(TcbReport.meeting_date.desc()))
    context = {
        "r": requirement,
        "tickets": tickets,
        "events": events,
        "reports": reports,
        "errors": errors or {},
        "values": values or {},
        "rt": rt_settings(),
        "efforts": EFFORTS,
        "effort_labels": EFFORT_LABELS,
        "manual_statuses": log.manual_targets(requirement.status),
        "assessable": routing.ASSESSABLE,
        "can_move": log.can_move,
    }
    return render_template("requirements/show.html", **context), status


@bp.get("/requirements/<int:requirement_id>")
@login_required
def show(requirement_id: int):
    return _page(_requirement_or_404(requirement_id))


@bp.route("/requirements/<int:requirement_id>/edit", methods=["GET", "POST"])
@login_required
def edit(requirement_id: int):
    requirement = _requirement_or_404(requirement_id)
    require(current_user, "requirement.edit", "edit requirements")
    error, status, conflict = None, 200, False
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("title", "description", "component", "tags")}
        values["version"] = request.form.get("version", "")
        try:
            log.edit_requirement(requirement, current_user, **values)
        except log.StaleRequirement as exc:
            error, status, conflict = str(exc), 409, True
            requirement = Requirement.get_by_id(requirement.id)
            values["version"] = requirement.version  # saving again applies the user's text
        except log.RequirementError as exc:
            error, status = str(exc), 422
        else:
            flash("Requirement saved.", "success")
            return redirect(url_for(".show", requirement_id=requirement.id), code=303)
    else:
        values = {
            "title": requirement.title,
            "description": requirement.description,
            "component": str(requirement.component_id or ""),
            "tags": requirement.tags,
            "version": requirement.version,
        }
    return render_template(
        "requirements/form.html",
        values=values,
        error=error,
        components=_components(),
        requirement=requirement,
        conflict=conflict,
    ), status


def _act(requirement_id: int, form_name: str, action, fields=()):
    """Run one action of the requirement page; on refusal show the page with the message
    beside the form and the user's input kept."""
    requirement = _requirement_or_404(requirement_id)
    values = {k: request.form.get(k, "") for k in fields}
    try:
        message = action(requirement, values)
    except (log.RequirementError, PermissionDenied) as exc:
        status = (
            403
            if isinstance(exc, PermissionDenied)
            else 409
            if isinstance(exc, log.StaleRequirement)
            else 422
        )
        fresh = Requirement.get_by_id(requirement.id)
        return _page(fresh, errors={form_name: str(exc)}, values=values, status=status)
    flash(message, "success")
    return redirect(url_for(".show", requirement_id=requirement.id), code=303)


@bp.post("/requirements/<int:requirement_id>/assess")
@login_required
def assess(requirement_id: int):
    def run(r, v):
        routing.assess(r, current_user, v["effort"], note=v["note"])
        return f"Assessed as {v['effort']}."

    return _act(requirement_id, "assess", run, ("effort", "note"))


@bp.post("/requirements/<int:requirement_id>/send-to-rt")
@login_required
def send_to_rt(requirement_id: int):
    def run(r, v):
        sent, warnings = routing.send_to_rt(
            r,
            current_user,
            rt_settings(),
            page_url=current_app.config["DMSU_BASE_URL"].rstrip("/")
            + url_for(".show", requirement_id=r.id),
            ggus_url_template=current_app.config["DMSU_GGUS_TICKET_URL"],
        )
        for warning in warnings:
            flash(f"Warning: {warning}.", "warning")
        return f"Sent to RT as ticket #{sent.rt_id}."

    return _act(requirement_id, "rt", run)


@bp.post("/requirements/<int:requirement_id>/rt-id")
@login_required
def link_rt(requirement_id: int):
    def run(r, v):
        routing.link_rt_ticket(r, current_user, v["rt_id"], rt_settings())
        return f"Linked to RT ticket #{r.rt_id}."

    return _act(requirement_id, "rt_id", run, ("rt_id",))


@bp.post("/requirements/<int:requirement_id>/third-line")
@login_required
def third_line(requirement_id: int):
    def run(r, v):
        routing.send_to_third_line(
            r, current_user, v["ggus_id"], create=bool(v["create"]), note=v["note"]
        )
        return f"Sent to the 3rd line with ticket #{v['ggus_id'].strip().lstrip('#')}."

    return _act(requirement_id, "third_line", run, ("ggus_id", "create", "note"))


@bp.post("/requirements/<int:requirement_id>/status")
@login_required
def change_status(requirement_id: int):
    def run(r, v):
        log.change_status(r, current_user, v["status"], note=v["note"])
        return f"Status is now {v['status']}."

    return _act(requirement_id, "status", run, ("status", "note"))


@bp.post("/requirements/<int:requirement_id>/tickets")
@login_required
def link_ticket(requirement_id: int):
    def run(r, v):
        log.link_ticket(r, current_user, v["ggus_id"])
        return f"Ticket {v['ggus_id'].strip()} linked."

    return _act(requirement_id, "link_ticket", run, ("ggus_id",))


@bp.post("/requirements/<int:requirement_id>/tickets/<int:ggus_id>/unlink")
@login_required
def unlink_ticket(requirement_id: int, ggus_id: int):
    def run(r, v):
        log.unlink_ticket(r, current_user, ggus_id)
        return f"Ticket {ggus_id} unlinked."

    return _act(requirement_id, "link_ticket", run)
