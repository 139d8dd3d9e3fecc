"""Wiki pages in the JSON API: ``GET /api/v1/pages`` and ``GET /api/v1/pages/<slug>``.

The one visibility rule applies: callers without a token (and without a staff session) get
public pages only; an internal page answers 404 to them, exactly like a missing one.
Registered by one import line at the bottom of ``dmsu/api/views.py``.
"""

from __future__ import annotations

from flask import jsonify, request, url_for

from dmsu.api import openapi
from dmsu.api.blueprint import bp, caller, error
from dmsu.wiki.models import Page, Revision
from dmsu.wiki.views import MAX_PAGE_NUMBER, is_slug

PER_PAGE = 100


def _summary(page) -> dict:
    return {
        "slug": page.slug,
        "title": page.title,
        "visibility": page.visibility,
        "revision": page.revision_number,
        "tags": page.tag_list,
        "updated_at": page.updated_at.isoformat(),
        "url": url_for("wiki.show", slug=page.slug),
    }


@bp.get("/pages")
def list_pages():
    user, refusal = caller()
    if refusal is not None:
        return refusal
    number = request.args.get("page", 1, type=int)
    if not 1 <= number <= MAX_PAGE_NUMBER:
        return error(400, f"The page number must be from 1 to {MAX_PAGE_NUMBER}.", "page")
    fields = (Page.slug, Page.title, Page.visibility, Page.revision_number, Page.tags)
    rows = list(
        Page.visible_to(user, *fields, Page.updated_at)
        .order_by(Page.title)
        .paginate(number, PER_PAGE + 1)
    )
    return jsonify(
        pages=[_summary(page) for page in rows[:PER_PAGE]],
        page=number,
        next=url_for("api.list_pages", page=number + 1) if len(rows) > PER_PAGE else None,
    )


@bp.get("/pages/<slug>")
def get_page(slug: str):
    user, refusal = caller()
    if refusal is not None:
        return refusal
    page = Page.visible_to(user).where(Page.slug == slug).first() if is_slug(slug) else None
    if page is None:
        return error(404, f"There is no page '{slug}'.")
    markdown = (
        Revision.select(Revision.markdown)
        .where(Revision.page == page.id, Revision.number == page.revision_number)
        .scalar()
    )
    return jsonify(**_summary(page), markdown=markdown or "", html=page.html)


_PAGE = {
    "type": "object",
    "required": ["slug", "title", "visibility", "revision", "tags", "updated_at", "url"],
    "properties": {
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "visibility": {"type": "string", "enum": ["internal", "public"]},
        "revision": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "updated_at": {"type": "string", "format": "date-time"},
        "url": {"type": "string"},
    },
}
openapi.add_schema("WikiPageSummary", _PAGE)
openapi.add_schema(
    "WikiPage",
    {
        **_PAGE,
        "required": [*_PAGE["required"], "markdown", "html"],
        "properties": {
            **_PAGE["properties"],
            "markdown": {"type": "string"},
            "html": {"type": "string", "description": "Sanitised HTML, as stored at save time."},
        },
    },
)
openapi.add_path(
    "/api/v1/pages",
    "get",
    {
        "summary": "Wiki pages visible to the caller (public ones without a token), by title",
        "parameters": [
            {
                "name": "page",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_NUMBER},
            }
        ],
        "responses": {
            "200": {
                "description": "A page of wiki pages",
                "content": openapi.json_content(
                    {
                        "type": "object",
                        "required": ["pages", "page", "next"],
                        "properties": {
                            "pages": {"type": "array", "items": openapi.ref("WikiPageSummary")},
                            "page": {"type": "integer"},
                            "next": {"type": ["string", "null"]},
                        },
                    }
                ),
            },
            "400": openapi.error_response("Bad page number"),
            "401": openapi.error_response("A token was sent but is not valid"),
        },
    },
)
openapi.add_path(
    "/api/v1/pages/{slug}",
    "get",
    {
        "summary": "One wiki page with its markdown and stored HTML",
        "parameters": [
            {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "responses": {
            "200": {
                "description": "The page",
                "content": openapi.json_content(openapi.ref("WikiPage")),
            },
            "401": openapi.error_response("A token was sent but is not valid"),
            "404": openapi.error_response("No such page visible to the caller"),
        },
    },
)
