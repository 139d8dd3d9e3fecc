"""History of a page: ``/wiki/<slug>/history``, ``/wiki/<slug>/diff?from=N&to=M``, a single
revision ``/wiki/<slug>/revisions/<n>``, and revert (a new revision) for ``wiki.edit``.

Revisions go through :meth:`Revision.visible_to`: anonymous readers see only the revisions
saved while the page was public."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from dmsu.auth.models import User
from dmsu.core.cache.pages import public_page
from dmsu.wiki import diff
from dmsu.wiki.blueprint import bp
from dmsu.wiki.models import Revision
from dmsu.wiki.pages import EditConflict, PageError, revert_page
from dmsu.wiki.views import page_number, require_editor, viewer, visible_page_or_404

HISTORY_PER_PAGE = 50


def _revisions(page, *fields):
    return Revision.visible_to(viewer(), *fields).where(Revision.page == page.id)


@bp.get("/wiki/<slug>/history")
@public_page("wiki")
def history(slug: str):
    page = visible_page_or_404(slug)
    number = page_number()
    rows = list(
        _revisions(
            page,
            Revision.number,
            Revision.summary,
            Revision.created_at,
            Revision.visibility,
            Revision.title,
        )
        .select_extend(User.username, User.display_name)
        .join_from(Revision, User, on=(Revision.author == User.id), join_type="LEFT OUTER JOIN")
        .order_by(Revision.number.desc())
        .paginate(number, HISTORY_PER_PAGE + 1)
        .objects()
    )
    return render_template(
        "wiki/history.html",
        page=page,
        revisions=rows[:HISTORY_PER_PAGE],
        has_next=len(rows) > HISTORY_PER_PAGE,
        number=number,
    )


def _revision_or_404(page, number: int | None):
    if number is None or not 0 < number < 2**31:
        abort(404)
    revision = _revisions(page).where(Revision.number == number).first()
    if revision is None:
        abort(404)
    return revision


@bp.get("/wiki/<slug>/revisions/<int(max=2147483647):number>")
@public_page("wiki")
def revision(slug: str, number: int):
    page = visible_page_or_404(slug)
    return render_template("wiki/revision.html", page=page, revision=_revision_or_404(page, number))


@bp.get("/wiki/<slug>/diff")
@public_page("wiki")
def compare(slug: str):
    page = visible_page_or_404(slug)
    new_number = request.args.get("to", page.revision_number, type=int)
    old_number = request.args.get("from", (new_number or 1) - 1, type=int)
    new = _revision_or_404(page, new_number)
    old = _revision_or_404(page, old_number) if old_number != 0 else None  # 0: from nothing
    lines = diff.diff_lines(old.markdown if old else "", new.markdown)
    return render_template(
        "wiki/diff.html",
        page=page,
        old=old,
        new=new,
        lines=lines,
        fields=diff.field_changes(old, new) if old else [],
        stats=diff.stats(lines),
    )


@bp.post("/wiki/<slug>/revert/<int(max=2147483647):number>")
def revert(slug: str, number: int):
    page = visible_page_or_404(slug)
    require_editor()
    base = request.form.get("base_revision", type=int)
    base = base if base is not None and 0 <= base < 2**31 else -1
    try:
        saved = revert_page(page, number, viewer(), base)
    except EditConflict as conflict:
        flash(f"{conflict} Look at the history and try again.", "error")
        return redirect(url_for("wiki.history", slug=slug))
    except PageError as exc:
        flash(str(exc), "error")
        return redirect(url_for("wiki.history", slug=slug))
    flash(f"Reverted to revision {number} as revision {saved.revision_number}.", "success")
    return redirect(url_for("wiki.show", slug=saved.slug))
