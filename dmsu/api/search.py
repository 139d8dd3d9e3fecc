"""The site's one search in the JSON API: ``GET /api/v1/search?q=…``.

The same function as the search page (:func:`dmsu.search.finding.search`), so the same index,
ranking, jumps to a typed GGUS number and the one visibility rule: without a token (and
without a staff session) a caller finds public wiki pages and published digests only; with a
staff token, tickets with their whole diary, internal pages and requirements too. Filters that
the search cannot use are refused in one sentence naming the parameter.
"""

from __future__ import annotations

from flask import jsonify, request, url_for

from dmsu.api import openapi
from dmsu.api.blueprint import bp, caller, error
from dmsu.search import finding
from dmsu.search.areas import AREAS
from dmsu.tickets.models import STATUSES

FILTERS = ("area", "component", "status", "since", "until")
MAX_QUERY = 500


def _result_json(result: finding.Result) -> dict:
    outcome = result.outcome
    return {
        "area": result.area,
        "key": result.key,
        "url": result.url,
        "title": result.title_html.striptags(),
        "snippet_html": str(result.snippet_html),
        "status": result.status or None,
        "at": result.at.isoformat() if result.at else None,
        "component": result.component or None,
        "outcome": None
        if outcome is None
        else {
            "status": outcome.status,
            "fixed_version": outcome.fixed_version or None,
            "third_line": outcome.third_line or None,
            "digest": outcome.digest_slug or None,
        },
    }


def _refused_filter(values: dict[str, str]):
    """The error response for a filter value no search can use, or None."""
    if values["area"] and values["area"] not in AREAS:
        return error(400, f"The area must be one of: {', '.join(AREAS)}.", "area")
    if values["status"] and values["status"] not in STATUSES:
        return error(400, f"The status must be one of: {', '.join(STATUSES)}.", "status")
    return None


@bp.get("/search")
def search():
    user, refusal = caller()
    if refusal is not None:
        return refusal
    text = request.args.get("q", "")
    if len(text) > MAX_QUERY:
        return error(400, f"The query is longer than {MAX_QUERY} characters.", "q")
    number = request.args.get("page", 1, type=int)
    if not 1 <= number <= finding.MAX_PAGE:
        return error(400, f"The page number must be from 1 to {finding.MAX_PAGE}.", "page")
    values = {name: request.args.get(name, "")[:120] for name in FILTERS}
    refused = _refused_filter(values)
    if refused is not None:
        return refused
    try:
        found = finding.search(text, user, finding.filters_of(user, **values), number)
    except finding.SearchError as exc:
        return error(400, str(exc), exc.field)
    given = {name: value for name, value in values.items() if value}
    return jsonify(
        query=text,
        total=found.total,
        capped=found.capped,
        by_area=found.by_area,
        jumps=[_result_json(jump) for jump in found.jumps],
        results=[_result_json(result) for result in found.results],
        page=found.page,
        next=url_for("api.search", q=text, page=number + 1, **given) if found.has_next else None,
    )


_RESULT = {
    "type": "object",
    "required": [
        "area",
        "key",
        "url",
        "title",
        "snippet_html",
        "status",
        "at",
        "component",
        "outcome",
    ],  # fmt: skip
    "properties": {
        "area": {"type": "string", "enum": list(AREAS)},
        "key": {"type": "string", "description": "GGUS number, page slug, week or id"},
        "url": {"type": "string"},
        "title": {"type": "string"},
        "snippet_html": {
            "type": "string",
            "description": "Escaped text with the matched words in <mark>, nothing else.",
        },
        "status": {"type": ["string", "null"]},
        "at": {"type": ["string", "null"], "format": "date-time"},
        "component": {"type": ["string", "null"]},
        "outcome": {
            "type": ["object", "null"],
            "required": ["status", "fixed_version", "third_line", "digest"],
            "properties": {
                "status": {"type": "string"},
                "fixed_version": {"type": ["string", "null"]},
                "third_line": {"type": ["string", "null"]},
                "digest": {"type": ["string", "null"], "description": "solution digest's slug"},
            },
        },
    },
}
openapi.add_schema("SearchResult", _RESULT)
_QUERY_PARAMETERS = [
    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": MAX_QUERY}},
    {"name": "area", "in": "query", "schema": {"type": "string", "enum": list(AREAS)}},
    {
        "name": "component",
        "in": "query",
        "schema": {"type": "string"},
        "description": "a component's slug in the cheat sheet",
    },  # fmt: skip
    {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(STATUSES)}},
    {"name": "since", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "until", "in": "query", "schema": {"type": "string", "format": "date"}},
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": finding.MAX_PAGE},
    },  # fmt: skip
]
openapi.add_path(
    "/api/v1/search",
    "get",
    {
        "summary": "The site's search over every area the caller may read, best first",
        "description": (
            "The search page's syntax (README, Search): every word must match, English "
            'endings folded; "quoted phrases"; pasted chunks (CREAM-CE, 3.2.1-4) match as '
            "written; a GGUS number alone jumps to its ticket. Without a token: public pages "
            "and published digests only."
        ),
        "parameters": _QUERY_PARAMETERS,
        "responses": {
            "200": {
                "description": "One page of results",
                "content": openapi.json_content(
                    {
                        "type": "object",
                        "required": [
                            "query",
                            "total",
                            "capped",
                            "by_area",
                            "jumps",
                            "results",
                            "page",
                            "next",
                        ],  # fmt: skip
                        "properties": {
                            "query": {"type": "string"},
                            "total": {"type": "integer"},
                            "capped": {"type": "boolean"},
                            "by_area": {
                                "type": "object",
                                "additionalProperties": {"type": "integer"},
                            },
                            "jumps": {"type": "array", "items": openapi.ref("SearchResult")},
                            "results": {"type": "array", "items": openapi.ref("SearchResult")},
                            "page": {"type": "integer"},
                            "next": {"type": ["string", "null"]},
                        },
                    }
                ),
            },
            "400": openapi.error_response("A filter or page the search cannot use"),
            "401": openapi.error_response("A token was sent but is not valid"),
        },
    },
)
