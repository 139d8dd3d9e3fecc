"""Views of the wiki area (thin: parse the request, call the logic, render).

Pages: ``/wiki/`` (index), ``/wiki/<slug>``, ``/wiki/<slug>/edit``, ``/wiki/new``
(``?ticket=<ggus_id>`` for a solution digest), ``/wiki/preview`` (htmx), ``/wiki/help``.
History, search, feeds and attachments live in the sibling ``*_views`` modules, on the same
blueprint.
"""

from __future__ import annotations

from dataclasses import replace

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from peewee import JOIN

from dmsu.auth.models import User
from dmsu.auth.permissions import can, require
from dmsu.cheatsheet.models import Component
from dmsu.core import paging
from dmsu.core.cache.pages import public_page
from dmsu.core.extensions import htmx, login_manager
from dmsu.core.markdown import slugify
from dmsu.core.once import AlreadySubmitted, submitted_once
from dmsu.core.publictext import LooksPersonal
from dmsu.tickets.models import Ticket
from dmsu.wiki import attachments, compiled, diff, grouping, links, solution
from dmsu.wiki.blueprint import bp
from dmsu.wiki.models import VISIBILITIES, Page, PageTag, Revision, sees_internal
from dmsu.wiki.pages import Draft, EditConflict, PageError, create_page, preview_html, save_page

MAX_PAGE_NUMBER = 100_000
_PAGE_FIELDS = [f for f in Page._meta.sorted_fields if f.name != "body_text"]


def viewer():
    """The current user as a model instance (or the anonymous user)."""
    return current_user._get_current_object()


def page_number() -> int:
    """The ``?page=`` of a paginated list, kept between 1 and :data:`MAX_PAGE_NUMBER`."""
    return paging.page_number(request.args.get("page"), MAX_PAGE_NUMBER)


def require_editor() -> None:
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    require(viewer(), "wiki.edit", "write wiki pages")


def is_slug(slug: str) -> bool:
    """Every page address is its own slug; anything else cannot name a page (and never
    reaches the database: PostgreSQL refuses some characters outright)."""
    return bool(slug) and slugify(slug) == slug


def visible_page_or_404(slug: str) -> Page:
    if not is_slug(slug):
        abort(404)
    page = Page.visible_to(viewer(), *_PAGE_FIELDS).where(Page.slug == slug).first()
    if page is None:
        abort(404)
    return page


@bp.app_template_global("ggus_url")
def ggus_url(ggus_id: int) -> str:
    return current_app.config["DMSU_GGUS_TICKET_URL"].format(id=ggus_id)


@bp.app_template_global("wiki_ticket_digests")
def wiki_ticket_digests(ticket):
    """For ``templates/wiki/_ticket_digests.html``: one query."""
    return list(solution.digests_for_ticket(ticket, viewer()))


@bp.app_template_global("wiki_component_pages")
def wiki_component_pages(component):
    """For ``templates/wiki/_component_pages.html``: one query."""
    return list(solution.pages_for_component(component, viewer()))


@bp.get("/wiki/")
@public_page("wiki", "cheatsheet")  # the components' names
def index():
    """The pages grouped by component (``?by=tag``: by tag), the pages edited last and the
    tags."""
    user = viewer()
    by = request.args.get("by", "component")
    if by not in grouping.GROUPINGS:
        by = "component"
    pages = grouping.index_pages(user)
    tags = (
        PageTag.select(PageTag.tag)
        .join(Page, on=(PageTag.page == Page.id))
        .where(Page.id.in_(Page.visible_to(user, Page.id)))
        .distinct()
        .order_by(PageTag.tag)
        .limit(200)
    )
    return render_template(
        "wiki/index.html",
        by=by,
        groups=grouping.grouped(pages, by),
        page_count=len(pages),
        truncated=len(pages) >= grouping.INDEX_LIMIT,
        recent=grouping.recently_edited(user),
        tags=[t.tag for t in tags],
    )


def _conditional_headers(page):
    """ETag and Last-Modified for a public page seen anonymously (None otherwise)."""
    if current_user.is_authenticated or not page.is_public:
        return None
    stamp = int(page.changed_at.timestamp() * 1000)
    return f"p{page.id}-r{page.revision_number}-{stamp}"


def _page_query(user, slug):
    return (
        Page.visible_to(user, *_PAGE_FIELDS)
        .select_extend(
            User.username.alias("editor_username"),
            User.display_name.alias("editor_name"),
            Component.name.alias("component_name"),
            Component.slug.alias("component_slug"),
            Ticket.ggus_id.alias("ticket_ggus_id"),
        )
        .join_from(Page, User, JOIN.LEFT_OUTER, on=(Page.updated_by == User.id))
        .join_from(Page, Component, JOIN.LEFT_OUTER, on=(Page.component == Component.id))
        .join_from(Page, Ticket, JOIN.LEFT_OUTER, on=(Page.ticket == Ticket.id))
        .where(Page.slug == slug)
        .limit(1)
    )


_EXTRAS = ("editor_username", "editor_name", "component_name", "component_slug", "ticket_ggus_id")


def load_page_for_view(user, slug: str) -> Page | None:
    """The page with its editor, component and ticket, in one query compiled once."""
    found = compiled.rows(
        ("page_view", sees_internal(user)), lambda slug: _page_query(user, slug), slug=slug
    )
    if not found:
        return None
    row = found[0]
    page = Page(**{f.name: f.python_value(row[f.column_name]) for f in _PAGE_FIELDS})
    for name in _EXTRAS:
        setattr(page, name, row[name])
    return page


@bp.get("/wiki/<slug>")
@public_page("wiki")
def show(slug: str):
    user = viewer()
    page = load_page_for_view(user, slug) if is_slug(slug) else None
    if page is None:
        if can(user, "wiki.edit") and is_slug(slug):
            return render_template("wiki/missing.html", slug=slug), 404
        abort(404)
    etag = _conditional_headers(page)
    if etag and (
        request.if_none_match.contains_weak(etag)
        or (request.if_modified_since and request.if_modified_since >= _second(page.changed_at))
    ):
        response = current_app.response_class(status=304)
    else:
        context = links.page_context(page, user)
        response = current_app.make_response(
            render_template("wiki/page.html", page=page, context=context)
        )
    if etag:
        response.set_etag(etag, weak=True)
        response.last_modified = page.changed_at
        response.cache_control.no_cache = True
        response.vary.add("Cookie")
    return response


def _second(moment):
    return moment.replace(microsecond=0)


def _small_int(form, name: str) -> int | None:
    value = form.get(name, type=int)
    return value if value is not None and 0 < value < 2**31 else None


def draft_from_form(form) -> Draft:
    component = _small_int(form, "component")
    return Draft(
        title=form.get("title", ""),
        markdown=form.get("markdown", ""),
        visibility=form.get("visibility", "internal"),
        tags=form.get("tags", ""),
        summary=form.get("summary", ""),
        component_id=component or None,
        ticket_id=_small_int(form, "ticket_id"),
    )


def render_form(draft: Draft, *, page=None, error=None, field=None, status=200, **extra):
    components = Component.select(Component.id, Component.name).order_by(Component.name)
    ticket = Ticket.get_or_none(Ticket.id == draft.ticket_id) if draft.ticket_id else None
    preview = extra.pop("preview", None)
    if preview is None and request.form.get("action") == "preview":
        try:
            preview = preview_html(draft.markdown, draft.visibility)
        except PageError as exc:
            error, field, status = str(exc), exc.field, 400
    body = render_template(
        "wiki/edit.html",
        draft=draft,
        page=page,
        error=error,
        error_field=field,
        components=components,
        visibilities=VISIBILITIES,
        ticket=ticket,
        preview=preview,
        **extra,
    )
    return body, status


def _confirmed() -> bool:
    """The editor confirmed that what looked personal may be public."""
    return request.form.get("confirm_personal") == "yes"


def _checked_upload():
    """The optional file of the edit form: (data, type, name), None, or an error sentence."""
    upload = request.files.get("attachment")
    if upload is None or not upload.filename:
        return None, None
    try:
        limit = current_app.config["DMSU_ATTACHMENT_MAX_BYTES"]
        return attachments.read_upload(upload.stream, upload.filename, limit), None
    except attachments.AttachmentError as exc:
        return None, str(exc)


def _store_upload(page, upload) -> None:
    if upload:
        data, content_type, filename = upload
        attachments.attach(page, viewer(), data, content_type, filename, current_app.instance_path)


def _sent_twice(twice: AlreadySubmitted):
    """A repeat of a saved form (a double click, a retried POST): saved once, and the browser
    goes where the first one went, instead of a conflict with the editor's own save."""
    flash(str(twice), "info")
    return redirect(twice.answer_url or url_for("wiki.index"), code=303)


@bp.route("/wiki/new", methods=["GET", "POST"])
def new():
    require_editor()
    if request.method == "GET":
        ggus_id = request.args.get("ticket", type=int)
        if ggus_id is not None:
            if not 0 < ggus_id < 2**31:
                abort(404)
            ticket = Ticket.get_or_none(Ticket.ggus_id == ggus_id)
            if ticket is None:
                abort(404)
            return render_form(solution.prefill(ticket))
        title = " ".join(request.args.get("title", "").split())[:200]
        return render_form(Draft(title=title.replace("-", " ") if title else "", markdown=""))
    draft = draft_from_form(request.form)
    if request.form.get("action") == "preview":
        return render_form(draft)
    upload, upload_error = _checked_upload()
    if upload_error:
        return render_form(draft, error=upload_error, field="attachment", status=400)
    try:
        with submitted_once(request.form) as submission:
            page = create_page(draft, viewer(), confirmed=_confirmed())
            _store_upload(page, upload)
            submission.answered(url_for("wiki.show", slug=page.slug))
    except AlreadySubmitted as twice:
        return _sent_twice(twice)
    except LooksPersonal as found:
        return render_form(draft, personal=found.findings, status=422)
    except PageError as exc:
        return render_form(draft, error=str(exc), field=exc.field, status=400)
    if page.ticket_id:
        problem = solution.link_to_ticket(Ticket.get_by_id(page.ticket_id), viewer(), page)
        if problem:
            flash(problem, "warning")
    flash(f"Page “{page.title}” created.", "success")
    return redirect(url_for("wiki.show", slug=page.slug))


@bp.route("/wiki/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    page = visible_page_or_404(slug)
    require_editor()
    if request.method == "GET":
        current = Revision.get(Revision.page == page.id, Revision.number == page.revision_number)
        draft = Draft(
            title=page.title,
            markdown=current.markdown,
            visibility=page.visibility,
            tags=page.tags,
            component_id=page.component_id,
        )
        return render_form(draft, page=page, base_revision=page.revision_number)
    draft = replace(draft_from_form(request.form), ticket_id=None)
    base = request.form.get("base_revision", type=int)
    if base is None or not 0 <= base < 2**31:
        return render_form(
            draft,
            page=page,
            error="The form lost its revision number; reload the page.",
            status=400,
            base_revision=page.revision_number,
        )
    if request.form.get("action") == "preview":
        return render_form(draft, page=page, base_revision=base)
    upload, upload_error = _checked_upload()
    if upload_error:
        return render_form(
            draft,
            page=page,
            error=upload_error,
            field="attachment",
            status=400,
            base_revision=base,
        )
    try:
        with submitted_once(request.form) as submission:
            saved = save_page(page, draft, viewer(), base, confirmed=_confirmed())
            _store_upload(saved, upload)
            submission.answered(url_for("wiki.show", slug=saved.slug))
    except AlreadySubmitted as twice:
        return _sent_twice(twice)
    except LooksPersonal as found:
        return render_form(
            draft, page=page, personal=found.findings, status=422, base_revision=base
        )
    except EditConflict as conflict:
        return render_form(
            draft,
            page=conflict.page,
            error=str(conflict),
            status=409,
            base_revision=conflict.current.number,
            conflict=conflict,
            conflict_lines=diff.diff_lines(
                conflict.base.markdown if conflict.base else "", conflict.current.markdown
            ),
            conflict_fields=diff.field_changes(conflict.base, conflict.current)
            if conflict.base
            else [],
        )
    except PageError as exc:
        return render_form(
            draft, page=page, error=str(exc), field=exc.field, status=400, base_revision=base
        )
    flash(f"Saved revision {saved.revision_number} of “{saved.title}”.", "success")
    return redirect(url_for("wiki.show", slug=saved.slug))


@bp.post("/wiki/preview")
def preview():
    """The live preview (htmx): the markdown rendered as it will be stored."""
    require_editor()
    try:
        html = preview_html(request.form.get("markdown", ""), request.form.get("visibility", ""))
    except PageError as exc:
        html, error = "", str(exc)
    else:
        error = None
    if htmx:
        return render_template("wiki/_preview.html", preview=html, error=error)
    return render_template("wiki/preview.html", preview=html, error=error), 400 if error else 200


@bp.get("/wiki/help")
@public_page()
def help_page():
    return render_template("wiki/help.html")
