"""The ticket list for other tools (the API's ``GET /api/v1/tickets``, a sync job, a script):
strict filters, pages of bounded size, and when the tickets last changed.

Unlike the staff list page (:mod:`dmsu.tickets.pages.queries`, which drops a filter it cannot
read and says so beside the list), a tool asking for something that cannot be is told so in one
sentence (:class:`BadListQuery`): a tool that silently got every ticket instead of the ones it
asked for would act on the wrong ones. Units and components are named as the ticket JSON names
them. A page costs two queries (the total, the rows with their names joined), whatever its size.

Pages are numbered, or follow a cursor (``next_cursor``: the last row's place in the order,
so a tool following changes with ``sort=updated&order=asc`` misses no ticket that changes
while it reads, as a page number would when the rows before it move).
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from peewee import fn

from dmsu.auth.models import User
from dmsu.cheatsheet.models import Component
from dmsu.tickets.models import (
    CATEGORIES,
    CLOSED_STATUSES,
    PRIORITIES,
    STATUSES,
    Ticket,
    TicketEvent,
)
from dmsu.tickets.units import SupportUnit

PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 2**31 - 1
NAME_MAX = 200
STATES = ("open", "closed", "all")
SORTS = {"updated": Ticket.updated_at, "created": Ticket.created_at, "ggus_id": Ticket.ggus_id}
ORDERS = ("desc", "asc")


class BadListQuery(ValueError):
    """A filter or page that cannot be read; the message is one sentence naming it."""

    def __init__(self, message: str, field: str, status: int = 400):
        super().__init__(message)
        self.field = field
        self.status = status


def _words(value: str, allowed: tuple[str, ...], name: str) -> tuple[str, ...]:
    words = tuple(dict.fromkeys(w.strip() for w in value.split(",") if w.strip()))
    for word in words:
        if word not in allowed:
            raise BadListQuery(
                f"'{word[:60]}' is not a {name}; use one of: {', '.join(allowed)}.", name
            )
    return words


def _whole(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise BadListQuery(f"{name} must be a whole number from {low} to {high}.", name)
    return int(text)


def parse_instant(value: str, name: str) -> datetime:
    """An ISO-8601 time with a UTC offset (``Z`` or ``+01:00``) as an aware UTC instant."""
    text = value.strip()
    try:
        found = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        found = found.astimezone(UTC) if found.tzinfo is not None else None
    except (ValueError, OverflowError):  # 0001-01-01T00:00+01:00 is before year 1 in UTC
        found = None
    if found is None:
        raise BadListQuery(
            f"{name} must be an ISO-8601 time with a UTC offset, such as 2013-02-11T09:00:00Z.",
            name,
        )
    return found


def _named(model, value: str, what: str, name: str) -> int | None:
    if not value:
        return None
    if "\x00" in value or len(value) > NAME_MAX:  # no name holds these (PostgreSQL refuses NUL)
        raise BadListQuery(f"There is no {what} with such a name.", name)
    found = model.select(model.id).where(model.name == value).scalar()
    if found is None:
        raise BadListQuery(f"There is no {what} named '{value[:80]}'.", name)
    return found


@dataclass(frozen=True)
class ListQuery:
    """What a tool asked for; :meth:`from_args` checks every value."""

    status: tuple[str, ...] = ()
    state: str = "all"
    unit: str = ""
    component: str = ""
    priority: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    updated_since: datetime | None = None
    sort: str = "updated"
    order: str = "desc"
    page: int = 1
    per_page: int = PER_PAGE
    after: tuple | None = None  # a cursor read back: (sort value, ticket id) of the last row

    @classmethod
    def from_args(cls, args) -> ListQuery:
        """Read a query string (any mapping with ``get``); raise :class:`BadListQuery`."""
        state = (args.get("state") or "all").strip()
        if state not in STATES:
            raise BadListQuery(f"state must be one of: {', '.join(STATES)}.", "state")
        sort = (args.get("sort") or "updated").strip()
        if sort not in SORTS:
            raise BadListQuery(f"sort must be one of: {', '.join(SORTS)}.", "sort")
        order = (args.get("order") or "desc").strip()
        if order not in ORDERS:
            raise BadListQuery("order must be asc or desc.", "order")
        since = args.get("updated_since")
        cursor = (args.get("cursor") or "").strip()
        if cursor and args.get("page"):
            raise BadListQuery("Give page or cursor, not both.", "cursor")
        return cls(
            status=_words(args.get("status") or "", STATUSES, "status"),
            state=state,
            unit=(args.get("unit") or "").strip(),
            component=(args.get("component") or "").strip(),
            priority=_words(args.get("priority") or "", PRIORITIES, "priority"),
            category=_words(args.get("category") or "", CATEGORIES, "category"),
            updated_since=parse_instant(since, "updated_since") if since else None,
            sort=sort,
            order=order,
            page=_whole(args.get("page"), "page", 1, 1, MAX_PAGE),
            per_page=_whole(args.get("per_page"), "per_page", PER_PAGE, 1, MAX_PER_PAGE),
            after=read_cursor(cursor, sort, order) if cursor else None,
        )

    def as_args(self, **override) -> dict[str, str]:
        """The query string of this list (defaults left out), e.g. for the paging links."""
        values = {
            "status": ",".join(self.status),
            "state": "" if self.state == "all" else self.state,
            "unit": self.unit,
            "component": self.component,
            "priority": ",".join(self.priority),
            "category": ",".join(self.category),
            "updated_since": self.updated_since.isoformat() if self.updated_since else "",
            "sort": "" if self.sort == "updated" else self.sort,
            "order": "" if self.order == "desc" else self.order,
            "page": "" if self.page == 1 else str(self.page),
            "per_page": "" if self.per_page == PER_PAGE else str(self.per_page),
            "cursor": make_cursor(self.sort, self.order, *self.after) if self.after else "",
        }
        values.update({key: str(value) for key, value in override.items()})
        if values["page"] == "1":
            values["page"] = ""
        return {key: value for key, value in values.items() if value}

    def tickets(self):
        """The matching tickets (a query without joins); raises :class:`BadListQuery` for a
        unit or component that does not exist."""
        query = Ticket.select()
        if self.status:
            query = query.where(Ticket.status.in_(self.status))
        if self.state == "open":
            query = query.where(Ticket.status.not_in(CLOSED_STATUSES))
        elif self.state == "closed":
            query = query.where(Ticket.status.in_(CLOSED_STATUSES))
        unit = _named(SupportUnit, self.unit, "support unit", "unit")
        if unit is not None:
            query = query.where(Ticket.support_unit == unit)
        component = _named(Component, self.component, "component", "component")
        if component is not None:
            query = query.where(Ticket.component == component)
        if self.priority:
            query = query.where(Ticket.priority.in_(self.priority))
        if self.category:
            query = query.where(Ticket.category.in_(self.category))
        if self.updated_since is not None:
            query = query.where(Ticket.updated_at >= self.updated_since)
        return query


@dataclass(frozen=True)
class TicketPage:
    rows: list[dict]
    total: int
    page: int | None  # None for a page that follows a cursor
    per_page: int
    next_cursor: str | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _row(row: dict) -> dict:
    return {
        "ggus_id": row["ggus_id"],
        "subject": row["subject"],
        "status": row["status"],
        "priority": row["priority"],
        "category": row["category"],
        "component": row["component_name"],
        "support_unit": row["unit_name"],
        "assignee": row["assignee_username"],
        "broad_impact": bool(row["broad_impact"]),
        "eta_due": _iso(row["eta_due"]),
        "created_at": _iso(row["created_at"]),
        "updated_at": _iso(row["updated_at"]),
    }


def list_page(query: ListQuery) -> TicketPage:
    """One page of the matching tickets (two queries): by page number, where a page beyond
    the last is refused with 404 (page 1 of an empty list is an empty page), or the rows after
    a cursor. Every page names the cursor of the rows after it (None after the last row)."""
    matching = query.tickets()
    total = matching.select(fn.COUNT(Ticket.id)).scalar() or 0
    pages = max(1, math.ceil(total / query.per_page))
    if query.after is None and query.page > pages:
        raise BadListQuery(
            f"Page {query.page} is beyond the last page of this list, {pages}.", "page", 404
        )
    column = SORTS[query.sort]
    order = [c.asc() if query.order == "asc" else c.desc() for c in (column, Ticket.id)]
    rows = _with_names(matching, column).order_by(*order)
    if query.after is not None:
        value, ticket_id = query.after
        beyond = (column > value) | ((column == value) & (Ticket.id > ticket_id))
        if query.order == "desc":
            beyond = (column < value) | ((column == value) & (Ticket.id < ticket_id))
        rows = rows.where(beyond).limit(query.per_page + 1)
    else:
        rows = rows.offset((query.page - 1) * query.per_page).limit(query.per_page + 1)
    found = list(rows.dicts())
    more, found = len(found) > query.per_page, found[: query.per_page]
    cursor = None
    if more:
        last = found[-1]
        cursor = make_cursor(query.sort, query.order, last["sort_value"], last["ticket_id"])
    page = None if query.after is not None else query.page
    return TicketPage([_row(r) for r in found], total, page, query.per_page, cursor)


def _with_names(matching, column):
    return Ticket.with_names(
        matching.select(
            Ticket.id.alias("ticket_id"),
            column.alias("sort_value"),
            Ticket.ggus_id,
            Ticket.subject,
            Ticket.status,
            Ticket.priority,
            Ticket.category,
            Ticket.broad_impact,
            Ticket.eta_due,
            Ticket.created_at,
            Ticket.updated_at,
            SupportUnit.name.alias("unit_name"),
            Component.name.alias("component_name"),
            User.username.alias("assignee_username"),
        )
    )


def make_cursor(sort: str, order: str, value, ticket_id: int) -> str:
    """An opaque cursor: the list's order and the last row's place in it."""
    if isinstance(value, datetime | str):  # a time (SQLite returns it as text)
        value = _utc(value).isoformat()
    text = json.dumps([sort, order, value, ticket_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def read_cursor(cursor: str, sort: str, order: str) -> tuple:
    """``(sort value, ticket id)`` of a cursor made for this order, else :class:`BadListQuery`."""
    refused = BadListQuery(
        "cursor is not one this list gave (take it from next_cursor, with the same sort "
        "and order).",
        "cursor",
    )
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        made_sort, made_order, value, ticket_id = json.loads(text)
    except (ValueError, TypeError, UnicodeDecodeError):
        raise refused from None
    if (made_sort, made_order) != (sort, order) or type(ticket_id) is not int:
        raise refused
    if not 0 < ticket_id <= MAX_PAGE:
        raise refused
    if sort == "ggus_id":
        if type(value) is not int or not 0 < value <= MAX_PAGE:
            raise refused
        return value, ticket_id
    try:
        return parse_instant(value, "cursor"), ticket_id
    except (BadListQuery, AttributeError):
        raise refused from None


def last_change() -> datetime | None:
    """When the site last recorded a change to any ticket: the newest of the tickets' last
    changes and of the time the newest event was written (an imported event may be older
    than its import). Two index reads."""
    newest_ticket = Ticket.select(fn.MAX(Ticket.updated_at)).scalar()
    newest_event = (
        TicketEvent.select(TicketEvent.recorded_at).order_by(TicketEvent.id.desc()).first()
    )
    found = [
        value
        for value in (newest_ticket, newest_event.recorded_at if newest_event else None)
        if value is not None
    ]
    return max(_utc(v) for v in found) if found else None


def _utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
