"""Finding pages: ``/wiki/search?q=`` (htmx as-you-type, plain form too), recent changes
``/wiki/changes`` with its Atom feed ``/wiki/changes.atom``, and ``/wiki/tags/<tag>``."""

from __future__ import annotations

from flask import abort, current_app, render_template, request

from dmsu.auth.models import User
from dmsu.core.cache.pages import public_page
from dmsu.core.extensions import htmx
from dmsu.wiki import feed, search
from dmsu.wiki.blueprint import bp
from dmsu.wiki.models import Page, PageTag, Revision
from dmsu.wiki.pages import normalise_tags
from dmsu.wiki.views import page_number, viewer

CHANGES_PER_PAGE = 50


@bp.get("/wiki/search")
@public_page("wiki")
def search_pages():
    text = request.args.get("q", "")[:200]
    number = page_number()
    results = search.search(text, viewer(), number)
    if htmx:
        return render_template("wiki/_results.html", results=results)
    return render_template("wiki/search.html", results=results)


@bp.get("/wiki/changes")
@public_page("wiki")
def changes():
    number = page_number()
    rows = list(
        Revision.visible_to(
            viewer(),
            Revision.number,
            Revision.title,
            Revision.summary,
            Revision.created_at,
            Revision.visibility,
        )
        .select_extend(Page.slug, User.username, User.display_name)
        .join_from(Revision, User, on=(Revision.author == User.id), join_type="LEFT OUTER JOIN")
        .order_by(Revision.created_at.desc(), Revision.id.desc())
        .paginate(number, CHANGES_PER_PAGE + 1)
        .objects()
    )
    return render_template(
        "wiki/changes.html",
        revisions=rows[:CHANGES_PER_PAGE],
        has_next=len(rows) > CHANGES_PER_PAGE,
        number=number,
    )


@bp.get("/wiki/changes.atom")
@public_page("wiki")
def changes_feed():
    """Public changes only, always (feeds are fetched anonymously); conditional GET."""
    latest = feed.last_change()
    response = current_app.response_class(mimetype="application/atom+xml")
    if latest is not None:
        response.last_modified = latest
        response.set_etag(f"wiki-changes-{int(latest.timestamp() * 1000)}", weak=True)
        response.make_conditional(request)
        if response.status_code == 304:
            return response
    config = current_app.config
    response.set_data(
        feed.atom(config["DMSU_BASE_URL"], config["DMSU_SITE_NAME"], feed.public_changes())
    )
    response.cache_control.no_cache = True
    return response


@bp.get("/wiki/tags/<tag>")
@public_page("wiki")
def tag(tag: str):
    names = normalise_tags(tag)
    if names != [tag]:
        abort(404)
    pages = list(
        Page.visible_to(viewer(), Page.slug, Page.title, Page.visibility, Page.updated_at)
        .join(PageTag, on=(PageTag.page == Page.id))
        .where(PageTag.tag == tag)
        .order_by(Page.title)
        .limit(500)
    )
    return render_template("wiki/tag.html", tag=tag, pages=pages)
