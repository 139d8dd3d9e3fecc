"""Editing views of the digests: the shift edits, adds and drops tickets, previews, publishes.

Every action works as a plain form POST; with htmx the same endpoints answer with partials
(an entry, the preview). Saves are compare-and-set on the digest's ``version``
(:mod:`dmsu.digests.editing`): a save based on an old version is refused with the other
person's change shown and the user's text kept.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from dmsu.auth.permissions import require
from dmsu.core.extensions import htmx
from dmsu.core.once import AlreadySubmitted, submitted_once
from dmsu.core.publictext import LooksPersonal
from dmsu.digests import candidates, drafting, editing
from dmsu.digests.blueprint import bp
from dmsu.digests.drafting import DigestError, digest_html, draft_digest, entries_of
from dmsu.digests.models import Digest
from dmsu.digests.publishing import (
    compose,
    digest_title,
    mail_outcome,
    mail_plan,
    publish,
    ticket_url,
)
from dmsu.digests.views import index, week_or_404


def _digest_or_none(week: str) -> Digest | None:
    return Digest.get_or_none(Digest.week == week)


def _edit_page(digest: Digest, form: editing.DigestForm | None = None, *, status=200, **extra):
    form = form or editing.DigestForm(version=digest.version, intro=digest.intro)
    entries = entries_of(digest)
    body = render_template(
        "digests/edit.html",
        digest=digest,
        title=digest_title(digest.week),
        form=form,
        entries=entries,
        dropped=entries_of(digest, dropped=True),
        counts=drafting.count_rows(digest),
        candidates=candidates.of_week(digest),
        mail_plan=mail_plan(current_app.config, correction=digest.is_published),
        ticket_url=lambda ggus_id: ticket_url(current_app.config, ggus_id),
        conflict=extra.get("conflict"),
        theirs=extra.get("theirs", {}),
        error=extra.get("error"),
        preview_html=extra.get("preview_html"),
        ggus_value=extra.get("ggus_value", ""),
        personal=extra.get("personal"),
    )
    return body, status


def _htmx_error(message: str):
    """htmx swaps only 2xx answers: the sentence goes into the page's error box."""
    body = render_template("digests/_add_error.html", error=message)
    return body, 200, {"HX-Retarget": "#add-error", "HX-Reswap": "innerHTML"}


@bp.get("/digests/<week>/edit")
@login_required
def edit(week: str):
    require(current_user, "digest.edit", "edit a weekly digest")
    week = week_or_404(week)
    digest = _digest_or_none(week)
    if digest is None:
        return render_template("digests/missing.html", week=week, title=digest_title(week)), 404
    return _edit_page(digest)


def _preview_html(digest: Digest, form: editing.DigestForm) -> str:
    """The digest as it would be published with the form's unsaved text (a text the markdown
    path refuses raises :class:`DigestError`)."""
    shown = Digest(**{**digest.__data__, "intro": form.intro})
    shown.intro_html = digest_html(form.intro)
    shown.author = digest.author
    return compose(shown, editing.preview_entries(digest, form), current_app.config)[0]


@bp.post("/digests/<week>/edit")
@login_required
def save(week: str):
    """Save (``action=save``), preview (``action=preview``) or publish (``action=publish``)."""
    require(current_user, "digest.edit", "edit a weekly digest")
    week = week_or_404(week)
    digest = _digest_or_none(week)
    if digest is None:
        return render_template("digests/missing.html", week=week, title=digest_title(week)), 404
    form = editing.DigestForm.from_mapping(request.form)
    action = request.form.get("action", "save")
    answer = url_for("digests.show" if action == "publish" else "digests.edit", week=week)
    try:
        if action == "preview":
            return _edit_page(digest, form, preview_html=_preview_html(digest, form))
        with submitted_once(request.form, "digests") as submission:
            version = form.version
            if _form_changes(digest, form):
                version = editing.save_digest(digest, form, current_user).version
            if action == "publish":
                revision = publish(
                    digest,
                    current_user,
                    config=current_app.config,
                    note=request.form.get("note"),
                    version=version,
                    confirmed=request.form.get("confirm_personal") == "yes",
                )
            submission.answered(answer)
    except AlreadySubmitted as twice:  # a double click on Publish: one revision, one e-mail
        flash(str(twice), "info")
        return redirect(twice.answer_url or answer, code=303)
    except editing.EditConflict as conflict:
        current = conflict.current
        form.version = current.version  # saving again is a deliberate choice, seen their text
        return _edit_page(
            current,
            form,
            status=409,
            conflict=str(conflict),
            theirs=editing.conflicting_fields(current, form),
        )
    except LooksPersonal as found:
        return _edit_page(Digest.get_by_id(digest.id), form, status=422, personal=found.findings)
    except DigestError as exc:
        return _edit_page(Digest.get_by_id(digest.id), form, status=422, error=str(exc))
    if action == "publish":
        mailed = mail_outcome(digest, revision, current_app.config)
        flash(f"Published the digest of {week} (revision {revision.number}); {mailed}.", "success")
        return redirect(answer)
    flash(f"Saved the digest of {week}.", "success")
    return redirect(answer)


def _form_changes(digest: Digest, form: editing.DigestForm) -> bool:
    """Whether the form differs from what is stored (a publish without edits saves nothing)."""
    return bool(editing.conflicting_fields(digest, form))


@bp.post("/digests/<week>/preview")
@login_required
def preview(week: str):
    """htmx: the preview of the form's unsaved text."""
    require(current_user, "digest.edit", "edit a weekly digest")
    digest = _digest_or_none(week_or_404(week))
    if digest is None:
        return '<p class="form-error">There is no draft of this week.</p>', 404
    form = editing.DigestForm.from_mapping(request.form)
    try:
        preview_html = _preview_html(digest, form)
    except DigestError as exc:
        if not htmx:
            return _edit_page(digest, form, status=422, error=str(exc))
        return render_template("digests/_preview.html", error=str(exc))
    if not htmx:
        return _edit_page(digest, form, preview_html=preview_html)
    return render_template("digests/_preview.html", preview_html=preview_html)


@bp.post("/digests/<week>/entries")
@login_required
def add_entry(week: str):
    """Add a ticket by its GGUS id; htmx gets the new entry's partial."""
    require(current_user, "digest.edit", "edit a weekly digest")
    digest = _digest_or_none(week_or_404(week))
    if digest is None:
        return render_template("digests/missing.html", week=week, title=digest_title(week)), 404
    ggus = request.form.get("ggus_id", "")
    try:
        entry = drafting.add_ticket(digest, ggus, current_user)
    except DigestError as exc:
        if htmx:
            return _htmx_error(str(exc))
        return _edit_page(digest, status=422, error=str(exc), ggus_value=ggus)
    if htmx:
        return render_template(
            "digests/_entry_form.html",
            entry=entry,
            digest=digest,
            form=editing.DigestForm(version=digest.version, intro=digest.intro),
            theirs={},
            week=digest.week,
            ticket_url=lambda ggus_id: ticket_url(current_app.config, ggus_id),
            added=True,
            candidates=candidates.of_week(digest),  # sent again (out of band) without it
            title=digest_title(digest.week),
            entries=entries_of(digest),
        )
    flash(f"Added ticket #{entry.ggus_id}.", "success")
    return redirect(url_for("digests.edit", week=digest.week) + f"#entry-{entry.id}")


@bp.post("/digests/<week>/entries/<int:entry_id>/drop")
@login_required
def drop_entry(week: str, entry_id: int):
    """Drop a ticket from the digest (its text is kept should it be added back)."""
    require(current_user, "digest.edit", "edit a weekly digest")
    digest = _digest_or_none(week_or_404(week))
    if digest is None:
        return render_template("digests/missing.html", week=week, title=digest_title(week)), 404
    try:
        entry = drafting.drop_entry(digest, entry_id, current_user)
    except DigestError as exc:
        if htmx:
            return _htmx_error(str(exc))
        return _edit_page(digest, status=404, error=str(exc))
    if htmx:
        return render_template(
            "digests/_dropped.html",
            entry=entry,
            week=digest.week,
            title=digest_title(digest.week),
            entries=entries_of(digest),
        )
    flash(f"Dropped ticket #{entry.ggus_id} from the digest.", "success")
    return redirect(url_for("digests.edit", week=digest.week))


@bp.post("/digests/<week>/draft")
@login_required
def draft(week: str):
    """Draft this week's digest now (or refresh its counts, keeping the edits)."""
    require(current_user, "digest.edit", "draft a weekly digest")
    week = week_or_404(week)
    result = draft_digest(week, refresh=bool(request.form.get("refresh")), actor=current_user)
    if result.created:
        flash(f"Drafted the digest of {week} with {result.added} entries.", "success")
    elif result.refreshed:
        flash(
            f"Recounted the digest of {week}; {result.added} tickets added, edits kept.", "success"
        )
    return redirect(url_for("digests.edit", week=week))


@bp.post("/digests/draft")
@login_required
def draft_week():
    """The archive's "draft a digest" form: a week name typed by the shift."""
    require(current_user, "digest.edit", "draft a weekly digest")
    value = request.form.get("week", "")
    try:
        week = drafting.checked_week(value)
    except DigestError as exc:
        return index(error=str(exc), week_value=value, status=400)
    result = draft_digest(week, actor=current_user)
    if result.created:
        flash(f"Drafted the digest of {week} with {result.added} entries.", "success")
    return redirect(url_for("digests.edit", week=week))
