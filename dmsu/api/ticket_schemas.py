"""The OpenAPI schemas of what ``GET /api/v1/tickets/{ggus_id}`` adds to the import shape
(:mod:`dmsu.tickets.dossier`, :mod:`dmsu.api.ticket_links`) and of the list's rows
(:mod:`dmsu.tickets.catalogue`); gathered into the document by :mod:`dmsu.api.openapi`."""

from __future__ import annotations

from dmsu.core.calendar import SLA_LEVEL_LABELS
from dmsu.tickets.catalogue import MAX_PAGE, MAX_PER_PAGE, ORDERS, PER_PAGE, SORTS, STATES
from dmsu.tickets.models import CATEGORIES, PRIORITIES, STATUSES
from dmsu.tickets.units import UNIT_KINDS

INSTANT = {"type": "string", "description": "ISO-8601 time with a UTC offset"}
NULL_INSTANT = {"type": ["string", "null"], "description": "ISO-8601 time, or null"}
NULL_DATE = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"}
TEXT = {"type": "string"}
NULL_TEXT = {"type": ["string", "null"]}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict, description: str = "", open_ended: bool = False) -> dict:
    schema = {
        "type": "object",
        "required": list(properties),
        "additionalProperties": open_ended,
        "properties": properties,
    }
    if description:
        schema["description"] = description
    return schema


SCHEMAS = {
    "SlaClock": _object(
        {
            "seq": {"type": "integer", "minimum": 0},
            "support_unit": TEXT,
            "sla_level": {"type": "string", "examples": list(SLA_LEVEL_LABELS)},
            "sla_level_label": TEXT,
            "severity": {"type": "integer", "minimum": 1, "maximum": 4},
            "priority": TEXT,
            "response_hours": {
                "type": ["number", "null"],
                "description": "working hours to respond; null for best effort",
            },
            "started_at": INSTANT,
            "pauses": {
                "type": "array",
                "description": "time in 'waiting for reply' up to the stop; until null: open",
                "items": _object({"from": INSTANT, "until": NULL_INSTANT}),
            },
            "due_at": {
                **NULL_INSTANT,
                "description": "the deadline; null for best effort or while paused",
            },
            "stopped_at": NULL_INSTANT,
            "stopped_by": {
                "enum": ["response", "end", None],
                "description": "the unit's response, or the clock's end (left the unit, closed)",
            },
            "state": {"enum": ["met", "violated", "running", "paused", "withdrawn", "best_effort"]},
        },
        "One SLA clock: started by an assignment to a 3rd-line unit, as of the request.",
    ),
    "Eta": _object(
        {
            "at": INSTANT,
            "due": NULL_DATE,
            "support_unit": {**NULL_TEXT, "description": "the unit the ticket was in"},
            "actor": NULL_TEXT,
            "author_role": TEXT,
            "public": {"type": "boolean"},
            "text": {**NULL_TEXT, "description": "null when the reader may not see it"},
            "current": {"type": "boolean"},
        }
    ),
    "Etas": _object(
        {
            "due": {**NULL_DATE, "description": "the current unit's latest ETA"},
            "first_due": {**NULL_DATE, "description": "the first ETA the ticket was given"},
            "outcome": {
                "description": "the ETA outcome the metrics count, once fixed; else null",
                "oneOf": [
                    {"type": "null"},
                    _object(
                        {
                            "fixed_at": INSTANT,
                            "initial_due": NULL_DATE,
                            "final_due": NULL_DATE,
                            "fixed_in_unit": NULL_TEXT,
                        }
                    ),
                ],
            },
            "history": {"type": "array", "items": _ref("Eta")},
        }
    ),
    "StatusChange": _object(
        {
            "at": INSTANT,
            "status": {"enum": list(STATUSES)},
            "actor": NULL_TEXT,
            "author_role": TEXT,
        }  # fmt: skip
    ),
    "Assignment": _object(
        {"at": INSTANT, "support_unit": NULL_TEXT, "from_unit": NULL_TEXT, "actor": NULL_TEXT}
    ),
    "Involvement": _object(
        {"support_unit": TEXT, "kind": {"enum": list(UNIT_KINDS)}, "since": INSTANT}
    ),
    "WikiLink": _object(
        {
            "slug": TEXT,
            "title": TEXT,
            "visibility": {"enum": ["internal", "public"]},
            "solution_digest": {"type": "boolean"},
            "updated_at": INSTANT,
            "url": TEXT,
        }
    ),
    "RequirementLink": _object(
        {
            "id": {"type": "integer"},
            "title": TEXT,
            "status": TEXT,
            "rt_id": {"type": ["integer", "null"]},
            "third_line_ticket": {"type": "boolean"},
            "url": TEXT,
        }
    ),
    "ForumThreadLink": _object(
        {
            "id": {"type": "integer"},
            "subject": TEXT,
            "list": TEXT,
            "state": TEXT,
            "spawned_this_ticket": {"type": "boolean"},
            "last_mail_at": INSTANT,
            "url": TEXT,
        }
    ),
    "TicketLinks": {
        "type": "object",
        "description": (
            "What the ticket is linked to, one list per kind, each read through its area's "
            "visibility rule (forum threads: staff only). More kinds may join: ignore names "
            "you do not know."
        ),
        "required": ["wiki_pages", "requirements", "forum_threads"],
        "properties": {
            "wiki_pages": {"type": "array", "items": _ref("WikiLink")},
            "requirements": {"type": "array", "items": _ref("RequirementLink")},
            "forum_threads": {"type": "array", "items": _ref("ForumThreadLink")},
        },
        "additionalProperties": {"type": "array"},
    },
    "TicketRow": _object(
        {
            "ggus_id": {"type": "integer"},
            "subject": TEXT,
            "status": {"enum": list(STATUSES)},
            "priority": TEXT,
            "category": {"enum": [*CATEGORIES, None]},
            "component": NULL_TEXT,
            "support_unit": NULL_TEXT,
            "assignee": NULL_TEXT,
            "broad_impact": {"type": "boolean"},
            "eta_due": NULL_DATE,
            "created_at": INSTANT,
            "updated_at": INSTANT,
            "url": TEXT,
        }
    ),
    "TicketList": _object(
        {
            "tickets": {"type": "array", "items": _ref("TicketRow")},
            "total": {"type": "integer", "minimum": 0},
            "page": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": "null for the rows after a cursor",
            },
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "pages": {"type": "integer", "minimum": 1},
            "next_cursor": {
                **NULL_TEXT,
                "description": "the cursor of the rows after these; null after the last",
            },
        }
    ),
}

DOSSIER_PROPERTIES = {
    "sla_clocks": {"type": "array", "items": _ref("SlaClock")},
    "etas": _ref("Etas"),
    "status_history": {"type": "array", "items": _ref("StatusChange")},
    "assignments": {"type": "array", "items": _ref("Assignment")},
    "involvements": {"type": "array", "items": _ref("Involvement")},
    "links": _ref("TicketLinks"),
}


def _comma_list(name: str, words) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"one or more (comma-separated) of: {', '.join(words)}",
        "schema": {"type": "string"},
    }


def _query(name: str, description: str, schema: dict) -> dict:
    return {
        "name": name, "in": "query", "required": False, "description": description,
        "schema": schema,
    }  # fmt: skip


LIST_PARAMETERS = [
    _comma_list("status", STATUSES),
    _query("state", "open or closed tickets only (default all)", {"enum": list(STATES)}),
    _query("unit", "the support unit's name, as tickets name it", TEXT),
    _query("component", "the component's name, as tickets name it", TEXT),
    _comma_list("priority", PRIORITIES),
    _comma_list("category", CATEGORIES),
    _query("updated_since", "tickets changed at or after this ISO-8601 time", TEXT),
    _query("sort", "the order (default updated)", {"enum": list(SORTS)}),
    _query("order", "desc (default) or asc; ties by ticket", {"enum": list(ORDERS)}),
    _query(
        "page",
        "from 1; beyond the last page: 404",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
    ),  # fmt: skip
    _query(
        "per_page",
        f"default {PER_PAGE}",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
    ),  # fmt: skip
    _query("If-None-Match", "an ETag of an earlier answer", TEXT) | {"in": "header"},
    _query("If-Modified-Since", "an HTTP date", TEXT) | {"in": "header"},
]
