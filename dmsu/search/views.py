"""``/search``: one search over every area for staff, over public content for everyone else;
live results through htmx, the same page by a plain GET without JavaScript."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from dmsu.auth.permissions import can, require
from dmsu.cheatsheet.models import Component
from dmsu.core import paging
from dmsu.core.cache.pages import public_page
from dmsu.core.extensions import htmx
from dmsu.search import finding, similar
from dmsu.search.areas import LABELS
from dmsu.tickets.models import STATUSES, Ticket

bp = Blueprint("search", __name__)
FIELDS = ("area", "component", "status", "since", "until")


@bp.get("/search")
@public_page("wiki", "digests", "cheatsheet")
def index():
    user = current_user._get_current_object()
    form = {name: request.args.get(name, "")[:120] for name in FIELDS}
    text = request.args.get("q", "")[:500]
    page = paging.page_number(request.args.get("page"), finding.MAX_PAGE)
    staff = can(user, "ticket.view")
    error, found = None, None
    try:
        filters = finding.filters_of(user, **form)
        found = finding.search(text, user, filters, page)
    except finding.SearchError as exc:
        error = str(exc)
    context = {
        "found": found,
        "text": text,
        "form": form,
        "error": error,
        "staff": staff,
        "areas": LABELS if staff else {k: LABELS[k] for k in ("wiki", "digests")},
        "statuses": STATUSES,
    }
    if htmx:
        return render_template("search/_results.html", **context), 400 if error else 200
    context["components"] = Component.select(Component.slug, Component.name).order_by(
        Component.name
    )
    return render_template("search/index.html", **context), 400 if error else 200


def _seen_before_answer(seen, title: str, about: str):
    context = {"seen": seen, "title": title, "about": about}
    if htmx:
        return render_template("search/_seen_before.html", **context)
    return render_template("search/seen_before.html", **context)


@bp.get("/tickets/<int:ggus_id>/seen-before")
@login_required
def seen_before_ticket(ggus_id: int):
    """The tickets and pages most like this ticket (loaded into its page, or a page itself)."""
    user = current_user._get_current_object()
    require(user, "ticket.view", "see tickets")
    ticket = Ticket.get_or_none(Ticket.ggus_id == ggus_id)
    if ticket is None:
        abort(404)
    seen = similar.seen_before(
        ticket.subject, ticket.description, user, exclude=("tickets", str(ggus_id))
    )
    return _seen_before_answer(
        seen, f"Seen before? #{ggus_id}", url_for("tickets.show", ggus_id=ggus_id)
    )


@bp.get("/search/seen-before")
@login_required
def seen_before_text():
    """The same for a text being routed (the routing page's "Seen before?")."""
    user = current_user._get_current_object()
    require(user, "cheatsheet.route", "route tickets")
    text = request.args.get("text", "")[:4000]
    seen = similar.seen_before(text[:300], text, user)
    return _seen_before_answer(seen, "Seen before?", url_for("cheatsheet.route"))
