"""Read-side queries of the tickets area: the filtered, searched, paged ticket list and the
data of one ticket's page. Joins fetch the related rows in one query (no N+1)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

from peewee import JOIN, fn

from dmsu.auth.models import User
from dmsu.cheatsheet.models import Component
from dmsu.tickets.models import (
    CATEGORIES,
    CLOSED_STATUSES,
    PRIORITIES,
    STATUSES,
    Ticket,
    TicketEvent,
    TicketInvolvement,
)
from dmsu.tickets.pages import counts
from dmsu.tickets.units import SupportUnit

PER_PAGE = 50
MAX_ID = 2**31 - 1  # ids and GGUS numbers are 32-bit integers in the database


def row_id(text) -> int | None:
    """``text`` as a database id or GGUS number, or ``None`` when it cannot be one."""
    text = str(text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


SORTS = {
    "updated": (Ticket.updated_at.desc(), Ticket.id.desc()),
    "created": (Ticket.created_at.desc(), Ticket.id.desc()),
    "ggus": (Ticket.ggus_id.desc(),),
}


@dataclass
class TicketFilters:
    """The list's filters as the query string carries them; bad values are dropped."""

    q: str = ""
    status: str = ""
    state: str = ""  # open | closed | "" (all)
    support_unit: str = ""  # a unit id
    component: str = ""  # a component id
    priority: str = ""
    category: str = ""
    assignee: str = ""  # a user id, "none"
    sort: str = "updated"
    page: int = 1
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> TicketFilters:
        found = cls()
        for f in fields(cls):
            if f.name in ("page", "problems"):
                continue
            setattr(found, f.name, (args.get(f.name) or "").strip())
        try:
            found.page = min(max(1, int(args.get("page") or 1)), MAX_ID)
        except ValueError:
            found.page = 1
        found._drop_bad()
        return found

    def _drop_bad(self) -> None:
        checks = {
            "status": STATUSES,
            "state": ("open", "closed"),
            "priority": PRIORITIES,
            "category": CATEGORIES,
            "sort": tuple(SORTS),
        }
        for name, allowed in checks.items():
            value = getattr(self, name)
            if value and value not in allowed:
                self.problems.append(f"'{value}' is not a {name}; that filter was left out.")
                setattr(self, name, "" if name != "sort" else "updated")
        for name in ("support_unit", "component"):
            if getattr(self, name) and row_id(getattr(self, name)) is None:
                setattr(self, name, "")
        if self.assignee and not (row_id(self.assignee) or self.assignee == "none"):
            self.assignee = ""
        self.q = self.q[:200]

    def as_args(self, **override) -> dict:
        """Query-string arguments (empty ones left out), e.g. for the pager links."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "problems"}
        values.update(override)
        if values.get("page") == 1:
            values.pop("page")
        if values.get("sort") == "updated":
            values.pop("sort")
        return {k: v for k, v in values.items() if v not in ("", None)}

    @property
    def active(self) -> bool:
        return bool(self.as_args(page=1))


@dataclass
class ResultPage:
    rows: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _search(query, text: str):
    """Plain substring search on subject and description (ILIKE on PostgreSQL); a number
    also finds the ticket with that GGUS id."""
    condition = Ticket.subject.contains(text) | Ticket.description.contains(text)
    if row_id(text):
        condition = condition | (Ticket.ggus_id == row_id(text))
    return query.where(condition)


def filtered(filters: TicketFilters):
    """The tickets matching ``filters`` (a query without joins, for counting)."""
    query = Ticket.select()
    if filters.status:
        query = query.where(Ticket.status == filters.status)
    if filters.state == "open":
        query = query.where(Ticket.status.not_in(CLOSED_STATUSES))
    elif filters.state == "closed":
        query = query.where(Ticket.status.in_(CLOSED_STATUSES))
    if filters.support_unit:
        query = query.where(Ticket.support_unit == int(filters.support_unit))
    if filters.component:
        query = query.where(Ticket.component == int(filters.component))
    if filters.priority:
        query = query.where(Ticket.priority == filters.priority)
    if filters.category:
        query = query.where(Ticket.category == filters.category)
    if filters.assignee == "none":
        query = query.where(Ticket.assignee.is_null())
    elif filters.assignee:
        query = query.where(Ticket.assignee == int(filters.assignee))
    if filters.q:
        query = _search(query, filters.q)
    return query


def list_tickets(filters: TicketFilters, per_page: int = PER_PAGE) -> ResultPage:
    """One page of the ticket list, newest change first: the columns the table shows, with
    unit, component and assignee names fetched in the same query (rows are dicts)."""
    key = tuple(sorted(filters.as_args(page=1, sort="updated").items()))
    total = counts.remembered(
        key, lambda: filtered(filters).select(fn.COUNT(Ticket.id)).scalar() or 0
    )
    pages = max(1, math.ceil(total / per_page))
    page = min(filters.page, pages)
    query = (
        filtered(filters)
        .select(
            Ticket.ggus_id,
            Ticket.subject,
            Ticket.status,
            Ticket.priority,
            Ticket.broad_impact,
            Ticket.updated_at,
            SupportUnit.name.alias("unit_name"),
            Component.name.alias("component_name"),
            User.display_name.alias("assignee_display"),
            User.username.alias("assignee_username"),
        )
        .join(SupportUnit, JOIN.LEFT_OUTER, on=(Ticket.support_unit == SupportUnit.id))
        .switch(Ticket)
        .join(Component, JOIN.LEFT_OUTER, on=(Ticket.component == Component.id))
        .switch(Ticket)
        .join(User, JOIN.LEFT_OUTER, on=(Ticket.assignee == User.id))
        .order_by(*SORTS[filters.sort or "updated"])
        .paginate(page, per_page)
        .dicts()
    )
    rows = list(query)
    for row in rows:
        row["is_open"] = row["status"] not in CLOSED_STATUSES
        row["assignee_name"] = row["assignee_display"] or row["assignee_username"]
    return ResultPage(rows=rows, total=total, page=page, per_page=per_page)


def filter_choices() -> dict:
    """The options of the list's filter selects."""
    return {
        "statuses": STATUSES,
        "priorities": PRIORITIES,
        "categories": CATEGORIES,
        "units": list(SupportUnit.select().order_by(SupportUnit.kind, SupportUnit.name)),
        "components": list(Component.select(Component.id, Component.name).order_by(Component.name)),
        "assignees": list(User.active_with_role("resolver", "assigner", "admin")),
    }


def ticket_by_ggus_id(ggus_id: int) -> Ticket | None:
    if not 0 < ggus_id <= MAX_ID:
        return None
    return (
        Ticket.select(Ticket, SupportUnit, Component, User)
        .join(SupportUnit, JOIN.LEFT_OUTER, on=(Ticket.support_unit == SupportUnit.id))
        .switch(Ticket)
        .join(Component, JOIN.LEFT_OUTER, on=(Ticket.component == Component.id))
        .switch(Ticket)
        .join(User, JOIN.LEFT_OUTER, on=(Ticket.assignee == User.id))
        .where(Ticket.ggus_id == ggus_id)
        .first()
    )


def timeline_of(ticket: Ticket) -> list[TicketEvent]:
    """Every event of the ticket with its actor and units, oldest first, in one query."""
    unit = SupportUnit.alias("unit")
    origin = SupportUnit.alias("origin")
    query = (
        TicketEvent.select(TicketEvent, User, unit, origin)
        .join(User, JOIN.LEFT_OUTER, on=(TicketEvent.actor == User.id))
        .switch(TicketEvent)
        .join(unit, JOIN.LEFT_OUTER, on=(TicketEvent.support_unit == unit.id))
        .switch(TicketEvent)
        .join(origin, JOIN.LEFT_OUTER, on=(TicketEvent.from_unit == origin.id))
        .where(TicketEvent.ticket == ticket)
        .order_by(TicketEvent.at, TicketEvent.id)
    )
    return list(query)


def involved_units(ticket: Ticket) -> list[SupportUnit]:
    query = (
        SupportUnit.select()
        .join(TicketInvolvement)
        .where(TicketInvolvement.ticket == ticket)
        .order_by(SupportUnit.name)
    )
    return list(query)


def suggested_first(ticket: Ticket, units) -> list[SupportUnit]:
    """``units`` with the ticket's component's unit first (the cheat sheet's suggestion)."""
    suggested = ticket.component.support_unit_id if ticket.component_id else None
    return sorted(units, key=lambda u: (u.id != suggested, u.name.lower()))
