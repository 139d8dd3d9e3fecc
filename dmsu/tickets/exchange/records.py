"""The ticket import format: one JSON object per line, parsed and checked into records.

This is the contract other tools rely on (issue item 10); ``import-tickets``, the demo and
``POST /api/v1/tickets`` all go through :func:`validate_ticket`. A ticket::

    {"ggus_id": 91039, "subject": "...", "description": "...", "submitter": "...",
     "submitter_email": "...", "component": "BDII top", "category": "configuration",
     "priority": "urgent", "created_at": "2013-02-11T04:51:38-05:00", "fixed_version": "1.4.3",
     "events": [...]}

Only ``ggus_id``, ``subject``, ``created_at`` and ``events`` are required. Events::

    {"at": ISO-8601 with offset, "type": "assigned", "support_unit": "DMSU"}
    {"at": ..., "type": "status", "status": "solved"}
    {"at": ..., "type": "comment", "author_role": "submitter", "public": true, "text": "..."}
    {"at": ..., "type": "eta", "due": "2013-02-09"}

Beyond the contract (so that an export of a live database round-trips): the ticket fields
``assignee`` (a user name), ``broad_impact``, ``impact``, ``workaround``, ``postponed`` and
``lack_of_expertise``; every event kind of :data:`EVENT_KINDS`; and on any event
``author_role``, ``actor`` (a user name), ``support_unit``, ``public``, ``text`` and ``data``.
Unknown keys are refused, so that a misspelt field is never silently dropped.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from dmsu.core import jsontext
from dmsu.core.markdown import TEXT_LIMITS as MARKDOWN_LIMITS
from dmsu.tickets.models import ACTOR_ROLES, CATEGORIES, EVENT_KINDS, PRIORITIES, STATUSES
from dmsu.tickets.units import SupportUnit

# An instant must carry its offset: 2013-02-11T04:51:38-05:00, ...Z, with optional fraction.
_INSTANT_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$"
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

TEXT_LIMITS = {
    "subject": 500,
    "submitter": 200,
    "submitter_email": 254,
    "component": 120,
    "fixed_version": 64,
    "assignee": 64,
    # markdown: the limits of the one markdown path
    "description": MARKDOWN_LIMITS["description"],
    "impact": MARKDOWN_LIMITS["impact"],
    "workaround": MARKDOWN_LIMITS["workaround"],
}
EVENT_TEXT_LIMIT = MARKDOWN_LIMITS["comment"]
UNIT_NAME_LIMIT = SupportUnit.name.max_length  # an unknown unit becomes a row named so
TICKET_STRINGS = (
    "description",
    "submitter",
    "submitter_email",
    "fixed_version",
    "impact",
    "workaround",
)
TICKET_FLAGS = ("broad_impact", "postponed", "lack_of_expertise")
TICKET_KEYS = frozenset(
    {"ggus_id", "subject", "created_at", "events", "component", "category", "priority"}
    | {"assignee", *TICKET_STRINGS, *TICKET_FLAGS}
)
_EVENT_KINDS = frozenset(EVENT_KINDS)
_STATUSES = frozenset(STATUSES)
_ACTOR_ROLES = frozenset(ACTOR_ROLES)
EVENT_KEYS = frozenset(
    {"at", "type", "support_unit", "status", "author_role", "actor", "public", "text", "due"}
    | {"data"}
)


class InvalidTicket(ValueError):
    """A ticket that breaks the format; ``field`` names where (e.g. ``events[2].at``)."""

    def __init__(self, field_name: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Problem:
    """One bad line of an import file."""

    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, field {self.field}" if self.field else f"line {self.line}"
        return f"{where}: {self.message}"


@dataclass
class EventRecord:
    at: datetime  # aware UTC
    kind: str
    support_unit: str | None = None
    status: str | None = None
    author_role: str = "system"
    actor: str | None = None
    public: bool = True
    text: str = ""
    due: date | None = None
    data: str = ""  # canonical JSON text, or a plain string

    def content_key(self, ggus_id: int) -> str:
        """The stable ``dedupe_key``: a hash of the GGUS id and the normalised content."""
        return dedupe_key(
            ggus_id,
            self.at,
            self.kind,
            self.support_unit,
            self.status,
            self.author_role,
            self.public,
            self.text,
            self.due,
            self.data,
        )


@dataclass
class TicketRecord:
    ggus_id: int
    subject: str
    created_at: datetime  # aware UTC
    events: list[EventRecord]
    fields: dict = field(default_factory=dict)  # the optional fields given (None clears)


def dedupe_key(ggus_id, at, kind, unit, status, role, public, text, due, data) -> str:
    """SHA-256 of the normalised content, NUL-separated (texts never hold NUL: the markdown
    path strips control characters, and JSON strings escape them)."""
    raw = "\0".join(
        (
            str(int(ggus_id)),
            at.astimezone(UTC).isoformat(),
            kind,
            unit or "",
            status or "",
            role or "",
            "1" if public else "0",
            (text or "").replace("\0", ""),
            due.isoformat() if due else "",
            (data or "").replace("\0", ""),
        )
    )
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def parse_instant(value, field_name: str) -> datetime:
    """An ISO-8601 instant with an offset, as aware UTC; anything else is refused."""
    if isinstance(value, str) and _INSTANT_RE.match(value):
        try:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is not None:
                return parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            pass
    raise InvalidTicket(field_name, f"{value!r} is not an ISO-8601 time with an offset")


def _parse_date(value, field_name: str) -> date:
    if isinstance(value, str) and _DATE_RE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidTicket(field_name, f"{value!r} is not a date like 2013-02-09")


def _text(value, field_name: str, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidTicket(field_name, f"must be a string, not {_json_type(value)}")
    value = value if field_name.startswith(("description", "events")) else value.strip()
    limit = TEXT_LIMITS.get(field_name)
    if required and not value.strip():
        raise InvalidTicket(field_name, "must not be empty")
    if limit and len(value) > limit:
        raise InvalidTicket(field_name, f"is longer than {limit:,} characters ({len(value):,})")
    return value


def _choice(value, field_name: str, choices) -> str:
    if value not in choices:
        allowed = ", ".join(f"'{c}'" for c in choices)
        raise InvalidTicket(field_name, f"unknown value {value!r}; use one of {allowed}")
    return value


def _flag(value, field_name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidTicket(field_name, f"must be true or false, not {_json_type(value)}")
    return value


def _json_type(value) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _unknown_keys(obj: dict, allowed: frozenset, prefix: str) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        name = extra[0] or "''"  # an empty key is still named
        raise InvalidTicket(f"{prefix}{name}", "is not a field of the import format")


def validate_event(obj, index: int) -> EventRecord:
    """Check one event (written for speed: a 100,000-ticket import checks a million events;
    field names are only spelt out when something is wrong)."""

    def where(name: str = "") -> str:
        return f"events[{index}].{name}" if name else f"events[{index}]"

    if type(obj) is not dict:
        raise InvalidTicket(where(), f"must be an object, not {_json_type(obj)}")
    if not EVENT_KEYS.issuperset(obj):
        _unknown_keys(obj, EVENT_KEYS, where() + ".")
    get = obj.get
    raw_at, kind = get("at"), get("type")
    if raw_at is None or kind is None:
        raise InvalidTicket(where("at" if raw_at is None else "type"), "is missing")
    at = parse_instant(raw_at, where("at"))
    if type(kind) is not str or kind not in _EVENT_KINDS:
        _choice(kind, where("type"), EVENT_KINDS)
    event = EventRecord(at=at, kind=kind, author_role="dmsu" if kind == "comment" else "system")
    unit = get("support_unit")
    if unit is not None:
        event.support_unit = (
            unit if type(unit) is str else _text(unit, where("support_unit"))
        ).strip()
    if not event.support_unit and kind in ("assigned", "involved", "uninvolved"):
        raise InvalidTicket(where("support_unit"), "is missing")
    if event.support_unit and len(event.support_unit) > UNIT_NAME_LIMIT:  # a new unit is named so
        raise InvalidTicket(
            where("support_unit"),
            f"is longer than {UNIT_NAME_LIMIT} characters ({len(event.support_unit):,})",
        )
    status = get("status")
    if status is not None or kind == "status":
        if type(status) is not str or status not in _STATUSES:
            if "status" not in obj:
                raise InvalidTicket(where("status"), "is missing")
            _choice(status, where("status"), STATUSES)
        event.status = status
    due = get("due")
    if due is not None or kind == "eta":
        if "due" not in obj:
            raise InvalidTicket(where("due"), "is missing")
        event.due = _parse_date(due, where("due"))
    role = get("author_role")
    if role is not None:
        event.author_role = (
            role
            if type(role) is str and role in _ACTOR_ROLES
            else _choice(role, where("author_role"), ACTOR_ROLES)
        )
    actor = get("actor")
    if actor is not None:
        event.actor = (
            actor if type(actor) is str else _text(actor, where("actor"))
        ).strip() or None
    public = get("public", True)
    if public is not True:
        event.public = _flag(public, where("public"))
    text = get("text")
    if text is not None:
        event.text = text if type(text) is str else _text(text, where("text"))
        if len(event.text) > EVENT_TEXT_LIMIT:
            raise InvalidTicket(
                where("text"),
                f"is longer than {EVENT_TEXT_LIMIT:,} characters ({len(event.text):,})",
            )
    data = get("data")
    if data is not None:
        event.data = (
            data if type(data) is str else json.dumps(data, sort_keys=True, ensure_ascii=False)
        )
    return event


def validate_ticket(obj) -> TicketRecord:
    """Check one ticket object of the import format; raise :class:`InvalidTicket`."""
    if not isinstance(obj, dict):
        raise InvalidTicket(None, f"a ticket must be a JSON object, not {_json_type(obj)}")
    _unknown_keys(obj, TICKET_KEYS, "")
    for required in ("ggus_id", "subject", "created_at", "events"):
        if required not in obj:
            raise InvalidTicket(required, "is missing")
    ggus_id = obj["ggus_id"]
    if isinstance(ggus_id, bool) or not isinstance(ggus_id, int) or not 0 < ggus_id < 2**31:
        raise InvalidTicket("ggus_id", f"{ggus_id!r} is not a positive whole number")
    subject = _text(obj["subject"], "subject", required=True)
    created_at = parse_instant(obj["created_at"], "created_at")
    if not isinstance(obj["events"], list):
        raise InvalidTicket("events", f"must be a list, not {_json_type(obj['events'])}")
    events = [validate_event(item, index) for index, item in enumerate(obj["events"])]
    events.sort(key=lambda e: e.at)  # stable: ties keep the file's order
    fields = {}
    for name in TICKET_STRINGS:
        if name in obj:
            fields[name] = "" if obj[name] is None else _text(obj[name], name)
    for name in TICKET_FLAGS:
        if name in obj:
            fields[name] = False if obj[name] is None else _flag(obj[name], name)
    for name, choices in (("category", CATEGORIES), ("priority", PRIORITIES)):
        if name in obj:
            fields[name] = None if obj[name] is None else _choice(obj[name], name, choices)
    if fields.get("priority", "") is None:
        fields["priority"] = PRIORITIES[0]
    for name in ("component", "assignee"):
        if name in obj:
            value = None if obj[name] is None else _text(obj[name], name)
            fields[name] = value or None
    return TicketRecord(
        ggus_id=ggus_id, subject=subject, created_at=created_at, events=events, fields=fields
    )


def drop_nul(obj):
    """The same value without NUL characters in its strings (PostgreSQL refuses NUL in text;
    JSON can carry it as \\u0000). The forms get the same treatment in ``dmsu.web``."""
    if isinstance(obj, str):
        return obj.replace("\0", "")
    if isinstance(obj, list):
        return [drop_nul(item) for item in obj]
    if isinstance(obj, dict):
        return {drop_nul(key): drop_nul(value) for key, value in obj.items()}
    return obj


def parse_line(text: str, line: int) -> TicketRecord:
    """One line of an import file; raises :class:`InvalidTicket` (JSON errors name no field)."""
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise InvalidTicket(None, f"not valid JSON ({exc})") from None
    if "\\u0000" in text:
        obj = drop_nul(obj)
    if jsontext.may_hold_lone_surrogate(text):
        found = jsontext.lone_surrogate_at(obj)
        if found is not None:
            raise InvalidTicket(found or None, jsontext.MESSAGE)
    return validate_ticket(obj)


def read_lines(lines, *, start: int = 1):
    """Yield ``(line_number, record_or_None, problem_or_None, size)`` for each non-blank line."""
    for number, text in enumerate(lines, start):
        size = len(text)
        if not text.strip():
            yield number, None, None, size
            continue
        try:
            yield number, parse_line(text, number), None, size
        except InvalidTicket as exc:
            yield number, None, Problem(number, exc.field, exc.message), size
