"""The search of the site: one query over every area (:mod:`dmsu.core.search`), for the search
page, the header's box and the API. What a reader may find is the index's one rule
(:func:`dmsu.search.visibility.audiences_for`): the public finds public pages and published
digests only, staff find tickets with their whole diary, internal pages and requirements too.

A ticket number typed alone, as "#123456" or "GGUS 123456", jumps to that ticket (it comes
first, before anything that merely mentions it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import url_for
from markupsafe import Markup

from dmsu.auth.permissions import can
from dmsu.cheatsheet.models import Component
from dmsu.core.search import engine
from dmsu.core.search.engine import Filters
from dmsu.core.search.query import Query, parse
from dmsu.search.areas import AREAS, LABELS
from dmsu.search.outcomes import Outcome, outcomes
from dmsu.search.visibility import audiences_for
from dmsu.tickets.models import Ticket

PER_PAGE = 20
MAX_PAGE = 500


class SearchError(ValueError):
    """A filter the search cannot use; the message says which, in one sentence, and
    ``field`` names the filter (the API answers with it)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Result:
    area: str
    key: str
    url: str
    title_html: Markup
    snippet_html: Markup
    status: str = ""
    at: datetime | None = None
    component: str = ""
    outcome: Outcome | None = None

    @property
    def area_label(self) -> str:
        return LABELS.get(self.area, self.area)


@dataclass
class Search:
    text: str
    query: Query
    total: int = 0
    results: list[Result] = field(default_factory=list)
    jumps: list[Result] = field(default_factory=list)
    by_area: dict[str, int] = field(default_factory=dict)
    capped: bool = False  # more matches than were counted (engine.COUNT_LIMIT)
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def url_of(area: str, key: str) -> str:
    if area == "tickets":
        return url_for("tickets.show", ggus_id=int(key))
    if area == "wiki":
        return url_for("wiki.show", slug=key)
    if area == "digests":
        return url_for("digests.show", week=key)
    if area == "forums":
        return url_for("forums.show", thread_id=int(key))
    return url_for("requirements.show", requirement_id=int(key))


def parse_day(value: str | None, name: str, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SearchError(f"The {name} date must look like 2013-02-11.", field) from None


def filters_of(user, *, area="", component="", status="", since="", until="") -> Filters:
    """The filters of the search page's form, checked (a bad one raises :class:`SearchError`)."""
    areas = (area,) if area in AREAS else ()
    component_id = None
    if component:
        found = Component.get_or_none(Component.slug == component)
        if found is None:
            raise SearchError(
                f"There is no component “{component[:80]}” in the cheat sheet.", "component"
            )
        component_id = found.id
    first, last = parse_day(since, "from", "since"), parse_day(until, "to", "until")
    if first and last and first > last:
        raise SearchError("The “from” date is after the “to” date.", "until")
    return Filters(
        areas=areas,
        component_id=component_id,
        statuses=(status,) if status else (),
        since=datetime.combine(first, time(), UTC) if first else None,
        until=datetime.combine(last + timedelta(days=1), time(), UTC) if last else None,
    )


def results_of(hits, user) -> list[Result]:
    names = {}
    component_ids = {hit.component_id for hit in hits if hit.component_id}
    if component_ids:
        names = dict(
            Component.select(Component.id, Component.name)
            .where(Component.id.in_(list(component_ids)))
            .tuples()
        )
    told = outcomes([int(hit.key) for hit in hits if hit.area == "tickets"], user)
    return [
        Result(
            area=hit.area,
            key=hit.key,
            url=url_of(hit.area, hit.key),
            title_html=hit.title_html,
            snippet_html=hit.snippet_html,
            status=hit.status,
            at=hit.at,
            component=names.get(hit.component_id, ""),
            outcome=told.get(int(hit.key)) if hit.area == "tickets" else None,
        )
        for hit in hits
    ]


def _jumps(query: Query, user) -> list[Result]:
    if not query.ticket_numbers or not can(user, "ticket.view"):
        return []
    tickets = Ticket.select(Ticket.ggus_id, Ticket.subject, Ticket.status).where(
        Ticket.ggus_id.in_(list(query.ticket_numbers))
    )
    told = outcomes([t.ggus_id for t in tickets], user)
    return [
        Result(
            area="tickets",
            key=str(t.ggus_id),
            url=url_of("tickets", str(t.ggus_id)),
            title_html=Markup("") + t.subject,
            snippet_html=Markup(""),
            status=t.status,
            outcome=told.get(t.ggus_id),
        )
        for t in tickets
    ]


def search(text: str, user, filters: Filters = Filters(), page: int = 1) -> Search:
    """Everything ``user`` may find for ``text`` under ``filters``, best first, one page."""
    query = parse(text)
    page = min(max(1, page), MAX_PAGE)
    found = Search(text=text, query=query, page=page)
    audiences = audiences_for(user)
    found.jumps = _jumps(query, user) if page == 1 else []
    if not query:
        return found
    jumped = tuple(("tickets", jump.key) for jump in found.jumps)
    filters = Filters(**{**filters.__dict__, "exclude": filters.exclude + jumped})
    hits = engine.find(query, audiences, filters, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    found.total = hits.total
    found.results = results_of(hits.hits, user)
    found.by_area = {area: hits.by_area[area] for area in AREAS if area in hits.by_area}
    found.capped = hits.capped
    return found
