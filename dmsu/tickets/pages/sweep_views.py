"""The open-ticket sweep, the shift's duty page and the admin's outbox (thin views).

Seed 001: the sweep meetings on "every Tuesday and Thursday", where "all the open tickets are
revisited" and "on each ticket an update on the solution progress is recorded". Seed 000: the
"DMSU shift" duty "to guarantee faster response to new tickets as well as to stalled tickets".
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

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

from dmsu.auth.models import User
from dmsu.auth.permissions import PermissionDenied, require
from dmsu.core import clock, paging
from dmsu.core.cache.staff import staff_page
from dmsu.core.extensions import htmx
from dmsu.notify.models import NOTIFICATION_STATES, Notification
from dmsu.tickets.models import Ticket
from dmsu.tickets.oversight import duty as duty_lists
from dmsu.tickets.oversight.groups import OVERVIEW_ROWS, ROWS_PER_GROUP
from dmsu.tickets.oversight.sweep import (
    GROUP_KEYS,
    NothingToRecord,
    Settings,
    plain_row,
    record_progress,
    sweep,
    sweep_row,
)
from dmsu.tickets.workflow import transitions
from dmsu.tickets.workflow.events import WorkflowError

bp = Blueprint("sweep", __name__)
SUPPORTER_ROLES = ("resolver", "assigner", "admin")
OUTBOX_PAGE = 50


def _settings() -> Settings:
    return Settings.from_config(current_app.config, clock.now())


def _supporters() -> list[User]:
    return list(User.active_with_role(*SUPPORTER_ROLES))


def _row_context(**extra) -> dict:
    return {
        "moves": transitions.allowed_moves,
        "supporters": extra.pop("supporters", None) or _supporters(),
        "ggus_url": current_app.config["DMSU_GGUS_TICKET_URL"],
        **extra,
    }


def _page_number() -> int:
    return paging.page_number(request.args.get("page"))


@bp.get("/sweep")
@login_required
@staff_page
def index():
    require(current_user, "ticket.view", "see the sweep")
    return _render_sweep()


def _render_sweep(*, failed=None, status=200):
    only = request.args.get("group") or None
    if only is not None and only not in GROUP_KEYS:
        abort(404)
    page = _page_number() if only else 1
    settings = _settings()
    groups = sweep(settings, limit=ROWS_PER_GROUP if only else OVERVIEW_ROWS, only=only, page=page)
    context = _row_context(
        groups=groups,
        only=only,
        page=page,
        per_page=ROWS_PER_GROUP,
        now=settings.now,
        failed=failed,
    )
    return render_template("sweep/index.html", **context), status


@bp.post("/sweep/<int:ggus_id>")
@login_required
def update(ggus_id: int):
    """Record a progress note, status or assignee from a row; htmx gets the row back."""
    ticket = Ticket.get_or_none(Ticket.ggus_id == ggus_id)
    if ticket is None:
        abort(404)
    group = request.form.get("group", "")
    if group not in GROUP_KEYS:
        abort(400)
    assignee = _assignee_from(request.form.get("assignee", "keep"))
    error = None
    try:
        record_progress(
            ticket,
            current_user,
            note=request.form.get("note", ""),
            status=request.form.get("status", ""),
            assignee=assignee,
        )
    except (WorkflowError, PermissionDenied, NothingToRecord) as exc:
        error = str(exc)
        ticket = Ticket.get_by_id(ticket.id)  # the rolled-back state
    if htmx:
        return _render_row(group, ticket, error=error)
    if error:
        failed = {"group": group, "ggus_id": ggus_id, "error": error, "typed": request.form}
        return _render_sweep(failed=failed, status=422)
    flash(f"Ticket {ggus_id}: progress recorded.", "success")
    return redirect(url_for("sweep.index") + f"#{group}")


def _assignee_from(value: str):
    if value == "keep":
        return ...
    if value == "":
        return None
    try:
        user = User.get_or_none(User.id == int(value))
    except ValueError:
        user = None
    if user is None:
        abort(400)
    return user


def _render_row(group: str, ticket: Ticket, *, error: str | None):
    settings = _settings()
    row = sweep_row(group, ticket, settings)
    moved_out = row is None
    if moved_out:
        row = plain_row(ticket, settings)
    failed = {"error": error, "typed": request.form} if error else None
    context = _row_context(
        row=row, group=GROUP_KEYS[group], now=settings.now, failed=failed, moved_out=moved_out
    )
    return render_template("sweep/_row.html", updated=error is None, **context)


@bp.get("/duty")
@login_required
@staff_page
def duty():
    """The duty page of the person on shift: new tickets, tickets needing reaction, today's
    reminders."""
    require(current_user, "ticket.view", "see the duty page")
    settings = _settings()
    rota_ready, person = _on_shift(settings.now)
    zone = ZoneInfo(settings.calendar.tz)
    today = settings.now.astimezone(zone).date()
    start = datetime.combine(today, time(0), tzinfo=zone)
    reminders = (
        Notification.select()
        .where(
            (Notification.created_at >= start)
            & (Notification.created_at < start + timedelta(days=1))
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(200)
    )
    return render_template(
        "sweep/duty.html",
        rota_ready=rota_ready,
        person=person,
        today=today,
        new_tickets=duty_lists.new_tickets(settings).rows,
        reaction=duty_lists.needing_reaction(settings).rows,
        reminders=list(reminders),
    )


def _on_shift(now):
    try:
        from dmsu.digests.rota import on_shift
    except ImportError:
        return False, None
    return True, on_shift(now)


@bp.get("/admin/outbox")
@login_required
def outbox():
    """The notification log, newest first (what was sent, queued, kept in the outbox)."""
    require(current_user, "outbox.read", "read the outbox")
    page = _page_number()
    state = request.args.get("state") or None
    if state is not None and state not in NOTIFICATION_STATES:
        abort(404)
    query = Notification.select()
    if state:
        query = query.where(Notification.state == state)
    total = query.count()
    notes = list(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()).paginate(
            page, OUTBOX_PAGE
        )
    )
    return render_template(
        "sweep/outbox.html",
        notes=notes,
        page=page,
        state=state,
        total=total,
        pages=max(1, -(-total // OUTBOX_PAGE)),
    )
