"""The forums counted per list and quarter (staff), and the admin page of the forums' sources (issue 21, item 1: "Sources, configured by admins on a
page and in config"): the lists followed (added here or by ``DMSU_FORUMS_LISTS``), each with the
components the cheat sheet maps it to, and each IMAP mailbox with its last fetch and its last
error; a button runs the fetch now. The IMAP account itself is configuration (no secret in the
database or on a page)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from peewee import fn

from dmsu.auth.permissions import require
from dmsu.core import clock
from dmsu.core.db import write_transaction
from dmsu.core.extensions import htmx
from dmsu.forums.blueprint import bp
from dmsu.forums.counts import COLUMNS, counts
from dmsu.forums.imap_fetch import ImapSettings
from dmsu.forums.lists import ListError, components_of, ensure_list
from dmsu.forums.models import ADMIN, VIEW, ForumList, ForumMailbox, ForumThread
from dmsu.forums.sources import fetch_sources
from dmsu.metrics.page import current_year
from dmsu.metrics.periods import PeriodError
from dmsu.metrics.report import project_start, resolve


def _admin():
    require(current_user, ADMIN, "set up the forums' sources")
    return current_user._get_current_object()


def _render(error: str | None = None, typed=None, status=200):
    counts = dict(
        ForumThread.select(ForumThread.forum_list, fn.COUNT(ForumThread.id))
        .group_by(ForumThread.forum_list)
        .tuples()
    )
    lists = [
        (forum_list, components_of(forum_list), counts.get(forum_list.id, 0))
        for forum_list in ForumList.select().order_by(ForumList.address)
    ]
    settings = ImapSettings.from_config(current_app.config)
    return render_template(
        "forums/sources.html",
        lists=lists,
        mailboxes=list(ForumMailbox.select().order_by(ForumMailbox.name)),
        settings=settings,
        error=error,
        typed=typed or {},
    ), status


@bp.get("/sources")
@login_required
def sources():
    _admin()
    return _render()


@bp.post("/sources/lists")
@login_required
def add_list():
    _admin()
    try:
        with write_transaction("forums"):
            forum_list = ensure_list(
                request.form.get("address", ""), request.form.get("name", "").strip()[:200]
            )
    except ListError as exc:
        return _render(str(exc), request.form, 400)
    flash(f"{forum_list.address} is followed.", "success")
    return redirect(url_for("forums.sources"), code=303)


@bp.post("/sources/fetch")
@login_required
def fetch_now():
    _admin()
    run = fetch_sources(current_app.config)
    flash(run.text, "success" if run.configured and not run.failed else "error")
    return redirect(url_for("forums.sources"), code=303)


@bp.get("/counts")
@login_required
def counts_page():
    """The forums counted per list and quarter (a section of the metrics page, for staff)."""
    require(current_user, VIEW, "see the forums")
    config, start = current_app.config, project_start(current_app.config)
    name = (request.args.get("period") or "").strip()
    error = None
    try:
        period = resolve(name, start) if name else current_year(config, clock.now())
    except PeriodError as exc:
        error, period = str(exc), current_year(config, clock.now())
    context = {
        "pieces": counts(period, start),
        "columns": COLUMNS,
        "period": period,
        "error": error,
    }
    template = "forums/_counts.html" if htmx else "forums/counts.html"
    return render_template(template, **context), 400 if error else 200
