"""The cheat sheet in the JSON API: ``GET /api/v1/components`` (same filters as the page:
``q``, ``partner``, ``unit``, ``retired=1``) and ``GET /api/v1/components/<slug>``.

Public like the sheet itself; the experts' and partners' e-mail addresses are staff
contacts, given only to a logged-in user or a request with a valid API token.
"""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_login import current_user

from dmsu.api import openapi
from dmsu.api.blueprint import bp
from dmsu.cheatsheet.component_info import tickets_of
from dmsu.cheatsheet.search import SheetQuery, run
from dmsu.cheatsheet.sheet import Row, load_sheet


def _with_contacts() -> bool:
    if current_user.is_authenticated:
        return True
    if not request.headers.get("Authorization"):
        return False
    from dmsu.api import tokens

    return tokens.authenticate(request.headers.get("Authorization")) is not None


def component_json(row: Row, with_contacts: bool) -> dict:
    unit = row.unit
    return {
        "name": row.name,
        "slug": row.slug,
        "aliases": list(row.aliases),
        "description": row.description,
        "support_unit": None
        if unit is None
        else {
            "name": unit.name,
            "kind": unit.kind,
            "sla_level": unit.sla_level,
            "sla_label": unit.sla_label,
            "contact_email": unit.contact_email,
        },
        "partners": [
            {
                "name": p.name,
                "country": p.country,
                **({"contact": p.contact} if with_contacts else {}),
            }
            for p in row.partners
        ],
        "experts": [
            {"name": name, **({"email": email} if with_contacts else {})}
            for name, email in row.experts
        ],
        "deployment_size": row.deployment_size,
        "doc_url": row.doc_url,
        "forums": list(row.forums),
        "packages": list(row.packages),
        "retired": row.retired,
        "updated_at": row.updated_at.isoformat(),
        "url": url_for("cheatsheet.component", slug=row.slug),
    }


@bp.get("/components")
def components_index():
    sheet = load_sheet()
    query = SheetQuery.from_args(request.args)
    result = run(sheet, query)
    contacts = _with_contacts()
    return jsonify(
        components=[component_json(row, contacts) for row in result.rows],
        count=len(result.rows),
        last_changed=sheet.last_changed.isoformat() if sheet.last_changed else None,
        notes=list(result.notes),
    )


@bp.get("/components/<slug>")
def components_detail(slug: str):
    row = load_sheet().by_slug(slug)
    if row is None:
        response = jsonify(error=f"There is no component '{slug}'.")
        response.status_code = 404
        return response
    body = component_json(row, _with_contacts())
    counts = tickets_of(row.id, staff=False)
    body["open_tickets"] = counts.open_count
    return jsonify(body)


# --- the OpenAPI description (dmsu.api.openapi collects it) --------------------------------

_TEXT = {"type": "string"}
_TEXTS = {"type": "array", "items": _TEXT}
_FILTERS = [
    {
        "name": "q",
        "in": "query",
        "schema": _TEXT,
        "description": "search words (names, "
        "aliases, descriptions, partners, experts, unit names; exact name or alias first)",
    },
    {"name": "partner", "in": "query", "schema": _TEXT, "description": "DMSU partner name"},
    {"name": "unit", "in": "query", "schema": _TEXT, "description": "3rd-line unit name"},
    {
        "name": "retired",
        "in": "query",
        "schema": {"enum": ["1", "0", ""]},
        "description": "1 to include retired components",
    },
]
openapi.add_schema(
    "Component",
    {
        "type": "object",
        "required": ["name", "slug", "aliases", "partners", "experts", "retired", "url"],
        "properties": {
            "name": _TEXT,
            "slug": _TEXT,
            "aliases": _TEXTS,
            "description": _TEXT,
            "support_unit": {
                "type": ["object", "null"],
                "properties": {
                    "name": _TEXT,
                    "kind": _TEXT,
                    "sla_level": _TEXT,
                    "sla_label": _TEXT,
                    "contact_email": _TEXT,
                },
            },
            "partners": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": _TEXT, "country": _TEXT, "contact": _TEXT},
                },
            },
            "experts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": _TEXT,
                        "email": {**_TEXT, "description": "only for staff (session or token)"},
                    },
                },
            },
            "deployment_size": {"type": ["integer", "null"], "description": "registered instances"},
            "doc_url": _TEXT,
            "forums": _TEXTS,
            "packages": {
                **_TEXTS,
                "description": "the RPM/deb package names whose releases in the UMD repositories "
                "are this component's releases",
            },
            "retired": {"type": "boolean"},
            "updated_at": _TEXT,
            "url": _TEXT,
            "open_tickets": {"type": "integer"},
        },
    },
)
openapi.add_path(
    "/api/v1/components",
    "get",
    {
        "summary": "The cheat sheet: components with their DMSU partners, experts and 3rd-line unit",
        "description": "Public. E-mail addresses of experts and partners only with a token.",
        "parameters": _FILTERS,
        "security": [{}, {"bearer": []}],
        "responses": {
            "200": {
                "description": "the matching components, best match first",
                "content": openapi.json_content(
                    {
                        "type": "object",
                        "required": ["components", "count"],
                        "properties": {
                            "components": {"type": "array", "items": openapi.ref("Component")},
                            "count": {"type": "integer"},
                            "last_changed": {"type": ["string", "null"]},
                            "notes": _TEXTS,
                        },
                    }
                ),
            }
        },
    },
)
openapi.add_path(
    "/api/v1/components/{slug}",
    "get",
    {
        "summary": "One component of the cheat sheet, with its count of open tickets",
        "parameters": [{"name": "slug", "in": "path", "required": True, "schema": _TEXT}],
        "security": [{}, {"bearer": []}],
        "responses": {
            "200": {
                "description": "the component",
                "content": openapi.json_content(openapi.ref("Component")),
            },
            "404": openapi.error_response("no component with this slug"),
        },
    },
)
