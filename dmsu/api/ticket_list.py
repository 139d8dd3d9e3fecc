"""``GET /api/v1/tickets``: the paged, filtered ticket list for other tools
(:mod:`dmsu.tickets.catalogue`), with a strong ETag (answering 304 to If-None-Match),
Last-Modified (answering 304 to If-Modified-Since) and RFC 8288 ``Link`` headers for paging.

Imported by :mod:`dmsu.api.tickets` (the POST of the same path lives there)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request, url_for

from dmsu.api.blueprint import bp, error, token_required
from dmsu.api.conditional import conditional_json
from dmsu.tickets.catalogue import BadListQuery, ListQuery, last_change, list_page


def _link_header(query: ListQuery, page: int, pages: int) -> str:
    base = url_for("api.list_tickets")
    targets = {"first": 1, "last": pages}
    if page > 1:
        targets["prev"] = page - 1
    if page < pages:
        targets["next"] = page + 1
    return ", ".join(
        f'<{base}?{urlencode(query.as_args(page=number))}>; rel="{rel}"'
        if query.as_args(page=number)
        else f'<{base}>; rel="{rel}"'
        for rel, number in targets.items()
    )


@bp.get("/tickets")
@token_required("ticket.view", "read tickets")
def list_tickets():
    unknown = sorted(set(request.args) - set(_KNOWN))
    if unknown:
        return error(
            400,
            f"'{unknown[0][:40]}' is not a filter of this list; use: {', '.join(_KNOWN)}.",
            unknown[0][:40],
        )
    try:
        query = ListQuery.from_args(request.args)
        changed = last_change()
        found = list_page(query)
    except BadListQuery as exc:
        return error(exc.status, str(exc), exc.field)
    payload = {
        "tickets": [
            {**row, "url": url_for("api.get_ticket", ggus_id=row["ggus_id"])} for row in found.rows
        ],
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
        "pages": found.pages,
    }
    headers = {
        "Link": _link_header(query, found.page, found.pages),
        "X-Total-Count": str(found.total),
    }
    return conditional_json(payload, changed, headers)


_KNOWN = ("status", "state", "unit", "component", "priority", "category", "updated_since",
          "sort", "order", "page", "per_page")  # fmt: skip
