"""The forums area's pages (thin: parse the request, call the logic, render).

Threads are internal (issue 21, item 6): every page needs the forums' view permission
(staff); the sources page is for admins. Admin sources live in :mod:`dmsu.forums.source_views`.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from dmsu.auth.permissions import PermissionDenied, can, require
from dmsu.cheatsheet.models import Component
from dmsu.core.extensions import htmx
from dmsu.forums import queries, source_views, threads, weekly, work  # noqa: F401 (source_views: routes)
from dmsu.forums.blueprint import bp
from dmsu.forums.models import STATE_LABELS, THREAD_STATES, VIEW, WORK, ForumMessage
from dmsu.forums.quotes import segments
from dmsu.search.similar import seen_before


@bp.app_template_global("ticket_forum_threads")
def ticket_forum_threads(ticket) -> list:
    """For ``forums/_ticket_threads.html`` on the ticket page: nothing for non-staff."""
    if ticket is None or not can(current_user, VIEW):
        return []
    return queries.threads_of_ticket(ticket, current_user)


@bp.app_template_global("forum_threads_of_week")
def forum_threads_of_week(week: str) -> list:
    """For ``forums/_digest_candidates.html`` in the digest editor: nothing for non-staff."""
    if not can(current_user, VIEW):
        return []
    return weekly.threads_of_week(week)


@bp.app_template_filter("mail_segments")
def mail_segments(body: str):
    return segments(body)


def _viewer():
    require(current_user, VIEW, "see the forums")
    return current_user._get_current_object()


@bp.get("/")
@login_required
def index():
    user = _viewer()
    filters = queries.ThreadFilters.from_args(request.args)
    context = {
        "filters": filters,
        "result": queries.list_threads(filters, user),
        "labels": STATE_LABELS,
    }
    if htmx:
        return render_template("forums/_rows.html", **context)
    return render_template("forums/index.html", choices=queries.choices(), **context)


def _thread_or_404(thread_id: int, user):
    thread = queries.thread_for(thread_id, user)
    if thread is None:
        abort(404)
    return thread


def _render_thread(thread, user, *, error: str | None = None, failed: str = "", status=200):
    messages = queries.messages_of(thread)
    first = messages[0] if messages else None
    own_text = "\n".join(s.text for s in segments(first.body if first else "") if not s.quoted)
    linked = queries.tickets_of(thread)
    seen = seen_before(thread.subject, own_text, user)
    linked_ids = {str(link.ticket.ggus_id) for link in linked}
    context = {
        "thread": thread,
        "messages": messages,
        "lists": queries.lists_of(thread),
        "linked": linked,
        "linked_ids": linked_ids,
        "seen": seen,
        "states": THREAD_STATES,
        "labels": STATE_LABELS,
        "may_work": can(user, WORK),
        "may_spawn": can(user, WORK) and can(user, "ticket.create"),
        "components": Component.select(Component.id, Component.name).order_by(Component.name),
        "others": queries.other_threads(thread, user),
        "events": list(thread.events.order_by(thread.events.model.at.desc()).limit(20)),
        "error": error,
        "failed": failed,
        "typed": request.form if failed else {},
    }
    return render_template("forums/show.html", **context), status


@bp.get("/threads/<int:thread_id>")
@login_required
def show(thread_id: int):
    user = _viewer()
    return _render_thread(_thread_or_404(thread_id, user), user)


def _row_id(text) -> int | None:
    """A form's row id, or None when the text cannot be one."""
    text = str(text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _act(action: str, thread, user, form) -> str:
    if action == "state":
        thread = work.set_state(thread, form.get("state", ""), user)
        return f"The thread is now {thread.state_label}."
    if action == "take":
        thread = work.take(thread, user)
        return (
            "You took the thread." if thread.taken_by_id == user.id else "You gave the thread back."
        )
    if action == "link":
        ticket = work.link(thread, form.get("ggus_id"), user)
        return f"The thread is linked to ticket {ticket.ggus_id}."
    if action == "unlink":
        work.unlink(thread, form.get("ggus_id"), user)
        return "The link was removed."
    if action == "spawn":
        ticket = work.spawn(
            thread,
            user,
            ggus_id=(form.get("ggus_id") or "").strip(),
            subject=form.get("subject", ""),
            component=_row_id(form.get("component")),
        )
        return f"Ticket {ticket.ggus_id} was recorded from the thread and linked."
    if action == "join":
        into = queries.thread_for(_row_id(form.get("into")) or 0, user)
        if into is None:
            raise work.WorkError("Choose the thread to join this one into.")
        require(user, WORK, "work on forum threads")
        threads.join(thread, into, user)
        return f"The thread was joined into thread {into.id}."
    if action == "split":
        require(user, WORK, "work on forum threads")
        message = ForumMessage.get_or_none(
            ForumMessage.id == (_row_id(form.get("message")) or 0),
            ForumMessage.thread == thread,
        )
        if message is None:
            raise work.WorkError("That message is not in this thread.")
        new = threads.split(message, user)
        return f"Thread {new.id} was split off."
    abort(404)


@bp.post("/threads/<int:thread_id>/<action>")
@login_required
def act(thread_id: int, action: str):
    """One of the thread page's forms; a refusal re-renders the page with the typed text."""
    user = _viewer()
    thread = _thread_or_404(thread_id, user)
    try:
        message = _act(action, thread, user, request.form)
    except (work.WorkError, threads.ThreadError) as exc:
        return _render_thread(thread, user, error=str(exc), failed=action, status=400)
    except PermissionDenied as exc:
        return _render_thread(thread, user, error=str(exc), failed=action, status=403)
    flash(message, "success")
    if action == "join":
        return redirect(url_for("forums.show", thread_id=_row_id(request.form["into"])), code=303)
    if queries.thread_for(thread_id, user) is None:
        return redirect(url_for("forums.index"), code=303)
    return redirect(url_for("forums.show", thread_id=thread_id), code=303)
