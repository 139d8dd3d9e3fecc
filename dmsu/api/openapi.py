"""The OpenAPI 3.1 description of ``/api/v1``, served at ``/api/v1/openapi.json``.

Areas that add API routes describe them here too, at import time of their views module::

    from dmsu.api import openapi
    openapi.add_path("/api/v1/components", "get", {"summary": ..., "responses": {...}})
    openapi.add_schema("Component", {...})

``tests/api/test_openapi.py`` keeps the document true: every ``/api/v1`` rule of the app is
described and every described path exists, and real responses validate against the schemas.
"""

from __future__ import annotations

import copy

from dmsu.api import ticket_schemas
from dmsu.tickets.models import ACTOR_ROLES, CATEGORIES, EVENT_KINDS, PRIORITIES, STATUSES

_PATHS: dict[str, dict] = {}
_SCHEMAS: dict[str, dict] = dict(ticket_schemas.SCHEMAS)


def add_path(path: str, method: str, operation: dict) -> None:
    """Describe ``method`` on ``path`` (full path, e.g. ``/api/v1/tickets/{ggus_id}``)."""
    _PATHS.setdefault(path, {})[method.lower()] = operation


def add_schema(name: str, schema: dict) -> None:
    _SCHEMAS[name] = schema


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def error_response(description: str) -> dict:
    return {"description": description, "content": json_content(ref("Error"))}


def document() -> dict:
    """The whole document (a fresh copy)."""
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "DMSU desk API",
                "version": "1",
                "description": (
                    "Tickets for the helpdesk side. Authenticate with "
                    "`Authorization: Bearer <token>`; an admin creates tokens on "
                    '/admin/api-tokens. Errors are JSON: {"error": message, "field": name}.'
                ),
            },
            "servers": [{"url": "/"}],
            "paths": dict(sorted(_PATHS.items())),
            "components": {
                "schemas": dict(sorted(_SCHEMAS.items())),
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
        }
    )


# --- the tickets part (the import format of dmsu.tickets.exchange.records) ---------------------------

_INSTANT = {"type": "string", "description": "ISO-8601 time with a UTC offset"}
_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_NULLABLE_TEXT = {"type": ["string", "null"]}

add_schema(
    "Error",
    {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string"},
            "field": _NULLABLE_TEXT,
            "problems": {"type": "array", "items": {"type": "object"}},
            "findings": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind", "value", "message"],
                    "properties": {
                        "kind": {"type": "string", "enum": ["name", "email", "phone", "signature"]},
                        "value": {"type": "string"},
                        "message": {"type": "string"},
                    },
                },
            },
        },
    },
)
add_schema(
    "Event",
    {
        "type": "object",
        "required": ["at", "type"],
        "additionalProperties": False,
        "properties": {
            "at": _INSTANT,
            "type": {"enum": list(EVENT_KINDS)},
            "support_unit": {"type": "string"},
            "status": {"enum": list(STATUSES)},
            "due": _DATE,
            "author_role": {"enum": list(ACTOR_ROLES)},
            "actor": {"type": "string"},
            "public": {"type": "boolean"},
            "text": {"type": "string"},
            "data": {},
        },
    },
)
_TICKET_PROPERTIES = {
    "ggus_id": {"type": "integer", "minimum": 1},
    "subject": {"type": "string", "minLength": 1, "maxLength": 500},
    "description": _NULLABLE_TEXT,
    "submitter": _NULLABLE_TEXT,
    "submitter_email": _NULLABLE_TEXT,
    "component": _NULLABLE_TEXT,
    "category": {"enum": [*CATEGORIES, None]},
    "priority": {"enum": [*PRIORITIES, None]},
    "created_at": _INSTANT,
    "fixed_version": _NULLABLE_TEXT,
    "assignee": _NULLABLE_TEXT,
    "broad_impact": {"type": ["boolean", "null"]},
    "impact": _NULLABLE_TEXT,
    "workaround": _NULLABLE_TEXT,
    "postponed": {"type": ["boolean", "null"]},
    "lack_of_expertise": {"type": ["boolean", "null"]},
    "events": {"type": "array", "items": ref("Event")},
}
add_schema(
    "TicketInput",
    {
        "type": "object",
        "description": "One ticket of the import format (README: Ticket import format).",
        "required": ["ggus_id", "subject", "created_at", "events"],
        "additionalProperties": False,
        "properties": _TICKET_PROPERTIES,
    },
)
add_schema(
    "Ticket",
    {
        "type": "object",
        "required": [
            "ggus_id",
            "subject",
            "created_at",
            "events",
            "status",
            "updated_at",
            "url",
            *ticket_schemas.DOSSIER_PROPERTIES,
        ],  # fmt: skip
        "additionalProperties": False,
        "properties": {
            **_TICKET_PROPERTIES,
            "status": {"enum": list(STATUSES)},
            "support_unit": _NULLABLE_TEXT,
            "updated_at": _INSTANT,
            "url": {"type": "string"},
            **ticket_schemas.DOSSIER_PROPERTIES,
        },
    },
)

_SECURED = [{"bearer": []}]
_GGUS_ID = {"name": "ggus_id", "in": "path", "required": True, "schema": {"type": "integer"}}

add_path(
    "/api/v1/",
    "get",
    {
        "summary": "What this API is",
        "responses": {
            "200": {
                "description": "Name and version",
                "content": json_content(
                    {
                        "type": "object",
                        "required": ["name", "version"],
                        "properties": {"name": {"type": "string"}, "version": {"type": "integer"}},
                    }
                ),
            }
        },
    },
)
add_path(
    "/api/v1/openapi.json",
    "get",
    {
        "summary": "This document",
        "responses": {"200": {"description": "OpenAPI 3.1", "content": json_content({})}},
    },
)
add_path(
    "/api/v1/tickets",
    "post",
    {
        "summary": "Create or update one ticket (the same upsert as import-tickets)",
        "security": _SECURED,
        "parameters": [
            {
                "name": "confirm",
                "in": "query",
                "required": False,
                "description": (
                    "1 to publish a broad-impact ticket's text although it looks personal"
                ),
                "schema": {"type": "string", "enum": ["1", "true", "yes"]},
            }
        ],
        "requestBody": {"required": True, "content": json_content(ref("TicketInput"))},
        "responses": {
            "201": {"description": "Created", "content": json_content(ref("Ticket"))},
            "200": {
                "description": "Updated (or unchanged)",
                "content": json_content(ref("Ticket")),
            },
            "400": error_response("Not JSON, or not an object"),
            "401": error_response("No token, or a bad, revoked or expired one"),
            "403": error_response("The token's owner is not an admin (only admins import)"),
            "415": error_response("The body is not application/json"),
            "422": error_response(
                "The ticket breaks the import format ('field' says where), or it is of broad "
                "impact and its public text looks personal ('findings' says what)"
            ),
        },
    },
)
_ETAG = {"ETag": {"description": "strong: a digest of the answer", "schema": {"type": "string"}}}
_NOT_MODIFIED = {"description": "Not modified (If-None-Match or If-Modified-Since matched)"}

add_path(
    "/api/v1/tickets/{ggus_id}",
    "get",
    {
        "summary": (
            "One ticket with all its events (internal ones included), its SLA clocks, ETAs, "
            "status and assignment history, involvements and links"
        ),
        "security": _SECURED,
        "parameters": [
            _GGUS_ID,
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": "an ETag of an earlier answer",
                "schema": {"type": "string"},
            },
        ],  # fmt: skip
        "responses": {
            "200": {
                "description": "The ticket",
                "headers": _ETAG,
                "content": json_content(ref("Ticket")),
            },
            "304": _NOT_MODIFIED,
            "401": error_response("No token, or a bad, revoked or expired one"),
            "403": error_response("The token's owner may not read tickets"),
            "404": error_response("No ticket with this GGUS id"),
        },
    },
)
add_path(
    "/api/v1/tickets",
    "get",
    {
        "summary": "A page of tickets, filtered, newest change first unless asked",
        "description": (
            "Paging links are in the Link header (first, prev, next, last); the total in "
            "X-Total-Count too. Last-Modified is when the site last recorded a change to any "
            "ticket; the ETag is exact for the page (prefer If-None-Match: a re-import that "
            "changes only a ticket's own fields, without a new event, moves the ETag only). "
            "A filter value that cannot be is a 400 naming it; a page beyond the last a 404."
        ),
        "security": _SECURED,
        "parameters": ticket_schemas.LIST_PARAMETERS,
        "responses": {
            "200": {
                "description": "The page",
                "headers": {
                    **_ETAG,
                    "Last-Modified": {"schema": {"type": "string"}},
                    "Link": {"description": "RFC 8288 paging links", "schema": {"type": "string"}},
                },
                "content": json_content(ref("TicketList")),
            },
            "304": _NOT_MODIFIED,
            "400": error_response("A filter value that cannot be ('field' names it)"),
            "401": error_response("No token, or a bad, revoked or expired one"),
            "403": error_response("The token's owner may not read tickets"),
            "404": error_response("A page beyond the last"),
        },
    },
)
