"""``GET /api/v1/tickets``: the paged, filtered ticket list for other tools
(:mod:`dmsu.tickets.catalogue`), with a strong ETag (answering 304 to If-None-Match),
Last-Modified (answering 304 to If-Modified-Since) and RFC 8288 ``Link`` headers for paging.

Imported by :mod:`dmsu.api.tickets` (the POST of the same path lives there)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from flask import request, url_for

from dmsu.api.blueprint import bp, error, token_required
from dmsu.api.conditional import conditional_json
from dmsu.tickets.catalogue import BadListQuery, ListQuery, last_change, list_page


def _link_header(query: ListQuery, found) -> str:
    """``first`` and ``next`` always (``next`` while rows follow); ``prev`` and ``last`` for
    numbered pages. A numbered page's ``next`` is the next number, so a tool may page either
    way; ``next_cursor`` in the body is the cursor of the rows after it."""
    base = url_for("api.list_tickets")
    plain = replace(query, after=None, page=1)
    targets = {"first": plain.as_args()}
    if found.page is None:
        if found.next_cursor:
            targets["next"] = {**plain.as_args(), "cursor": found.next_cursor}
    else:
        if found.page > 1:
            targets["prev"] = query.as_args(page=found.page - 1)
        if found.page < found.pages:
            targets["next"] = query.as_args(page=found.page + 1)
        targets["last"] = query.as_args(page=found.pages)
    return ", ".join(
        f'<{base}?{urlencode(args)}>; rel="{rel}"' if args else f'<{base}>; rel="{rel}"'
        for rel, args in targets.items()
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
        "next_cursor": found.next_cursor,
    }
    headers = {
        "Link": _link_header(query, found),
        "X-Total-Count": str(found.total),
    }
    return conditional_json(payload, changed, headers)


_KNOWN = ("status", "state", "unit", "component", "priority", "category", "updated_since",
          "sort", "order", "page", "per_page", "cursor")  # fmt: skip
