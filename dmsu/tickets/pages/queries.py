"""Read-side queries of the tickets area: the filtered, searched, paged ticket list and the
data of one ticket's page. Joins fetch the related rows in one query (no N+1)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

from peewee import JOIN, fn

from dmsu.auth.models import User
from dmsu.cheatsheet.models import Component
from dmsu.core import paging
from dmsu.tickets.models import (
    CATEGORIES,
    CLOSED_STATUSES,
    PRIORITIES,
    STATUSES,
    Ticket,
    TicketEvent,
    TicketInvolvement,
)
from dmsu.tickets.pages import counts, marks
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


@dataclass(frozen=True)
class Sort:
    """A sortable column of the list: its first direction, and for words ranked by meaning
    (statuses in workflow order, priorities by urgency) the ranking. A ranked sort reads each
    word's block from the index (word, updated_at) instead of sorting every ticket."""

    column: object
    first: str  # "asc" | "desc"
    ranks: tuple[str, ...] = ()


# Every order ends with the ticket id, so equal values keep one order from page to page.
SORTS = {
    "updated": Sort(Ticket.updated_at, "desc"),
    "created": Sort(Ticket.created_at, "desc"),
    "ggus": Sort(Ticket.ggus_id, "desc"),
    "status": Sort(Ticket.status, "asc", STATUSES),
    "priority": Sort(Ticket.priority, "desc", PRIORITIES),
}
DEFAULT_SORT = "updated"
DIRECTIONS = ("asc", "desc")
STATES = ("open", "closed", "all")


def ordering(sort: str, direction: str) -> list:
    """The ORDER BY of ``sort`` in ``direction`` ("asc" or "desc"); within a ranked word's
    block, by the last change."""
    found = SORTS.get(sort, SORTS[DEFAULT_SORT])
    columns = (Ticket.updated_at,) if found.ranks else (found.column,)
    return [(c.desc() if direction == "desc" else c.asc()) for c in (*columns, Ticket.id)]


@dataclass
class TicketFilters:
    """The list's filters as the query string carries them; bad values are dropped."""

    q: str = ""
    status: str = ""
    state: str = ""  # open | closed | all; "" = open, or all when a status is chosen
    support_unit: str = ""  # a unit id
    component: str = ""  # a component id
    priority: str = ""
    category: str = ""
    assignee: str = ""  # a user id, "none"
    sort: str = DEFAULT_SORT
    dir: str = ""  # asc | desc; "" = the column's own first direction (SORTS)
    page: int = 1
    problems: list[str] = field(default_factory=list)
    implied: tuple[str, ...] = ()  # set by the page itself ("My tickets"), not in its links

    @classmethod
    def from_args(cls, args) -> TicketFilters:
        found = cls()
        for f in fields(cls):
            if f.name in ("page", "problems", "implied"):
                continue
            setattr(found, f.name, (args.get(f.name) or "").strip())
        found.page = paging.page_number(args.get("page"), MAX_ID)
        found._drop_bad()
        return found

    def _drop_bad(self) -> None:
        checks = {
            "status": STATUSES,
            "state": STATES,
            "priority": PRIORITIES,
            "category": CATEGORIES,
            "sort": tuple(SORTS),
            "dir": DIRECTIONS,
        }
        for name, allowed in checks.items():
            value = getattr(self, name)
            if value and value not in allowed:
                what = {"sort": "column to sort by", "dir": "sort direction"}.get(name, name)
                self.problems.append(f"'{value}' is not a {what}; that filter was left out.")
                setattr(self, name, "" if name != "sort" else DEFAULT_SORT)
        for name in ("support_unit", "component"):
            if getattr(self, name) and row_id(getattr(self, name)) is None:
                setattr(self, name, "")
        if self.assignee and not (row_id(self.assignee) or self.assignee == "none"):
            self.assignee = ""
        self.sort = self.sort or DEFAULT_SORT
        self.q = self.q[:200]

    def as_args(self, **override) -> dict:
        """Query-string arguments (empty ones left out), e.g. for the pager links."""
        skip = ("problems", "implied", *self.implied)
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}
        values.update(override)
        if values.get("page") == 1:
            values.pop("page")
        if values.get("sort") == DEFAULT_SORT:
            values.pop("sort")
        if values.get("dir") == SORTS[values.get("sort", DEFAULT_SORT)].first:
            values.pop("dir")
        return {k: v for k, v in values.items() if v not in ("", None)}

    @property
    def active(self) -> bool:
        return bool(self.as_args(page=1, sort=DEFAULT_SORT, dir=""))

    @property
    def shown(self) -> str:
        """Which tickets the list shows: open ones unless asked otherwise; a chosen status
        says it all by itself (a solved ticket is found by asking for "solved")."""
        return self.state or ("all" if self.status else "open")

    def showing(self, state: str) -> dict:
        """The arguments of the Open / Closed / All switch's link to ``state``: the other
        filters and the order kept, paging started again, the default left out."""
        default = "all" if self.status else "open"
        return self.as_args(state="" if state == default else state, page=1)

    @property
    def direction(self) -> str:
        return self.dir or SORTS[self.sort].first

    def sorted_by(self, sort: str) -> dict:
        """The arguments of a column header's link: sort by ``sort``, the other way round
        when the list is sorted by it already; paging starts again."""
        again = sort == self.sort
        direction = ("asc" if self.direction == "desc" else "desc") if again else SORTS[sort].first
        return self.as_args(sort=sort, dir=direction, page=1)


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
    if filters.shown == "open":
        query = query.where(Ticket.status.not_in(CLOSED_STATUSES))
    elif filters.shown == "closed":
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


def _counted(filters: TicketFilters) -> tuple:
    """What a total of ``filters`` depends on (not the order, not the page)."""
    order = ("page", "sort", "dir", "problems", "implied")
    named = ((f.name, getattr(filters, f.name)) for f in fields(filters) if f.name not in order)
    return (filters.shown, *named)


def _with_row_columns(query):
    """``query`` with the columns the table shows, names joined in the same query."""
    return Ticket.with_names(
        query.select(
            Ticket.ggus_id,
            Ticket.subject,
            Ticket.status,
            Ticket.priority,
            Ticket.broad_impact,
            Ticket.updated_at,
            SupportUnit.name.alias("unit_name"),
            SupportUnit.kind.alias("unit_kind"),
            Component.name.alias("component_name"),
            User.display_name.alias("assignee_display"),
            User.username.alias("assignee_username"),
        )
    )


def _ranked_rows(filters: TicketFilters, offset: int, limit: int) -> list[dict]:
    """The rows ``offset`` to ``offset + limit`` of a ranked sort: how many tickets each word
    has (one grouped count, remembered like the total), then only the blocks the page falls
    in, each read in index order."""
    sort = SORTS[filters.sort]
    column = sort.column
    # grouped by status too, the count reads the covering index (status, priority, updated_at)
    keys = (Ticket.status,) if column is Ticket.status else (Ticket.status, column)
    grouped = counts.remembered(
        ("by", filters.sort, *_counted(filters)),
        lambda: list(filtered(filters).select(*keys, fn.COUNT(Ticket.id)).group_by(*keys).tuples()),
    )
    sizes: dict[str, int] = {}
    for *_status, word, size in grouped:
        sizes[word] = sizes.get(word, 0) + size
    words = [w for w in sort.ranks if w in sizes] + sorted(w for w in sizes if w not in sort.ranks)
    if filters.direction == "desc":
        words.reverse()
    rows: list[dict] = []
    start = 0
    for word in words:
        if len(rows) >= limit:
            break
        if start + sizes[word] > offset:
            block = (
                _with_row_columns(filtered(filters).where(column == word))
                .order_by(*ordering(filters.sort, filters.direction))
                .offset(max(0, offset - start))
                .limit(limit - len(rows))
            )
            rows += list(block.dicts())
        start += sizes[word]
    return rows


def list_tickets(filters: TicketFilters, per_page: int = PER_PAGE) -> ResultPage:
    """One page of the ticket list in the chosen order (newest change first unless asked):
    the columns the table shows, with unit, component and assignee names fetched in the same
    query (rows are dicts)."""
    total = counts.remembered(
        _counted(filters), lambda: filtered(filters).select(fn.COUNT(Ticket.id)).scalar() or 0
    )
    pages = max(1, math.ceil(total / per_page))
    page = min(filters.page, pages)
    if SORTS[filters.sort].ranks:
        rows = _ranked_rows(filters, (page - 1) * per_page, per_page)
    else:
        query = (
            _with_row_columns(filtered(filters))
            .order_by(*ordering(filters.sort, filters.direction))
            .paginate(page, per_page)
        )
        rows = list(query.dicts())
    for row in rows:
        row["is_open"] = row["status"] not in CLOSED_STATUSES
        row["status_mark"] = marks.status_mark(row["status"], row["unit_kind"])
        row["priority_mark"] = marks.priority_mark(row["priority"])
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
