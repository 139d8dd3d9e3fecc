"""Reading the requirements log: filters, search, pages, CSV, the ticket page's box."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass

from peewee import JOIN

from dmsu.cheatsheet.models import Component
from dmsu.core import csvcells, paging
from dmsu.requirements.log import RequirementError
from dmsu.requirements.models import EFFORTS, REQUIREMENT_STATUSES, Requirement, RequirementTicket
from dmsu.requirements.rt_client import ticket_url
from dmsu.tickets.models import Ticket

PER_PAGE = 50
HAS_RT = ("yes", "no")


@dataclass
class LogFilters:
    status: str = ""
    effort: str = ""
    component: int | None = None
    has_rt: str = ""
    q: str = ""
    page: int = 1

    def as_args(self, **override) -> dict:
        """Query-string arguments for links (pager, CSV) keeping the current filters."""
        args = {
            "status": self.status,
            "effort": self.effort,
            "component": self.component or "",
            "has_rt": self.has_rt,
            "q": self.q,
            "page": self.page if self.page > 1 else "",
        }
        args.update(override)
        return {k: v for k, v in args.items() if v not in ("", None)}


def parse_filters(args) -> LogFilters:
    """Filters from a query string; a value that is not one of the choices is refused."""
    f = LogFilters(
        status=(args.get("status") or "").strip(),
        effort=(args.get("effort") or "").strip(),
        has_rt=(args.get("has_rt") or "").strip(),
        q=(args.get("q") or "").strip()[:200],
    )
    if f.status and f.status not in REQUIREMENT_STATUSES:
        raise RequirementError(f"'{f.status[:40]}' is not a requirement status.")
    if f.effort and f.effort not in EFFORTS:
        raise RequirementError("The effort filter is small or large.")
    if f.has_rt and f.has_rt not in HAS_RT:
        raise RequirementError("The RT filter is yes or no.")
    component = (args.get("component") or "").strip()
    if component:
        if not component.isdigit():
            raise RequirementError("Choose the component from the list.")
        f.component = int(component)
    page = (args.get("page") or "1").strip()
    if not (page.isascii() and page.isdigit()) or not page.strip("0"):
        raise RequirementError("The page number must be a positive whole number.")
    f.page = paging.page_number(page)
    return f


def filtered(f: LogFilters, user):
    """The requirements matching ``f`` that ``user`` may see, newest first."""
    query = (
        Requirement.visible_to(user)
        .select(Requirement, Component)
        .join(Component, JOIN.LEFT_OUTER)
        .order_by(Requirement.created_at.desc(), Requirement.id.desc())
    )
    if f.status:
        query = query.where(Requirement.status == f.status)
    if f.effort:
        query = query.where(Requirement.effort == f.effort)
    if f.component:
        query = query.where(Requirement.component == f.component)
    if f.has_rt == "yes":
        query = query.where(Requirement.rt_id.is_null(False))
    elif f.has_rt == "no":
        query = query.where(Requirement.rt_id.is_null(True))
    if f.q:
        query = query.where(Requirement.title.contains(f.q) | Requirement.description.contains(f.q))
    return query


def ggus_ids_by_requirement(requirement_ids) -> dict[int, list[int]]:
    """GGUS ids linked to each requirement, in one query."""
    ids = list(requirement_ids)
    found: dict[int, list[int]] = defaultdict(list)
    if not ids:
        return found
    rows = (
        RequirementTicket.select(RequirementTicket.requirement, Ticket.ggus_id)
        .join(Ticket)
        .where(RequirementTicket.requirement.in_(ids))
        .order_by(Ticket.ggus_id)
        .tuples()
    )
    for requirement_id, ggus_id in rows:
        found[requirement_id].append(ggus_id)
    return found


@dataclass
class LogPage:
    rows: list
    tickets: dict[int, list[int]]
    total: int
    page: int
    pages: int


def log_page(f: LogFilters, user, per_page: int = PER_PAGE) -> LogPage:
    query = filtered(f, user)
    total = query.count()
    pages = max(1, -(-total // per_page))
    page = min(f.page, pages)
    rows = list(query.paginate(page, per_page))
    return LogPage(rows, ggus_ids_by_requirement(r.id for r in rows), total, page, pages)


CSV_HEADER = (
    "id",
    "title",
    "status",
    "effort",
    "component",
    "tags",
    "ggus_tickets",
    "rt_id",
    "rt_status",
    "rt_url",
    "third_line_ticket",
    "created_at",
    "updated_at",
)


def log_csv(f: LogFilters, user, rt_base_url: str) -> str:
    """The filtered log as CSV (every page), in batches of 500 without N+1 queries."""
    out = io.StringIO()
    writer = csvcells.writer(out)
    writer.writerow(CSV_HEADER)
    query = (
        filtered(f, user)
        .select(Requirement, Component, Ticket.id, Ticket.ggus_id)
        .switch(Requirement)
        .join(Ticket, JOIN.LEFT_OUTER, on=(Requirement.third_line_ticket == Ticket.id))
    )
    page = 1
    while True:
        rows = list(query.paginate(page, 500))
        if not rows:
            break
        tickets = ggus_ids_by_requirement(r.id for r in rows)
        for r in rows:
            writer.writerow(
                (
                    r.id,
                    _safe_cell(r.title),
                    r.status,
                    r.effort or "",
                    r.component.name if r.component_id else "",
                    r.tags,
                    " ".join(str(g) for g in tickets.get(r.id, [])),
                    r.rt_id or "",
                    r.rt_status,
                    ticket_url(rt_base_url, r.rt_id) if r.rt_id and rt_base_url else "",
                    r.third_line_ticket.ggus_id if r.third_line_ticket_id else "",
                    r.created_at.isoformat(),
                    r.updated_at.isoformat(),
                )
            )
        page += 1
    return out.getvalue()


def _safe_cell(text: str) -> str:
    """Keep a spreadsheet from running a title as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def requirements_of_ticket(ticket) -> list[Requirement]:
    """Requirements that came from ``ticket`` or were sent to the 3rd line with it."""
    came_from = RequirementTicket.select(RequirementTicket.requirement).where(
        RequirementTicket.ticket == ticket
    )
    return list(
        Requirement.select()
        .where((Requirement.id.in_(came_from)) | (Requirement.third_line_ticket == ticket))
        .order_by(Requirement.created_at)
    )
