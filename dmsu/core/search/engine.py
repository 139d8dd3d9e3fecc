"""Matching, ranking and snippets over the one index, the same answers on both databases.

Ranking: SQLite FTS5 ``bm25`` with the fields weighted title 10, body 4, diary 1 (lower is
better); PostgreSQL ``ts_rank_cd`` over weights A (title), B (body), C (diary) (higher is
better). Each is multiplied by the document's ``boost``, so a solved ticket with a solution
note or a solution digest comes before an equal match. The visibility rule is part of the
SQL (:meth:`SearchDocument.visible_to`'s audience list), in the count as in the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup

from dmsu.core.db import database, is_postgres
from dmsu.core.search.models import SearchDocument
from dmsu.core.search.query import Query
from dmsu.core.search.schema import CONFIGURATION
from dmsu.core.search.snippets import START, STOP, marked_html

WEIGHTS = (10.0, 4.0, 1.0)  # title, body, diary (FTS5 bm25)
SNIPPET_WORDS = 24
HEADLINE = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"
HEADLINE_SOURCE = 20_000  # characters of body and diary a PostgreSQL headline reads


@dataclass(frozen=True)
class Filters:
    areas: tuple[str, ...] = ()
    component_id: int | None = None
    statuses: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    exclude: tuple[tuple[str, str], ...] = ()  # (area, key) pairs left out


@dataclass(frozen=True)
class Hit:
    area: str
    key: str
    title: str
    title_html: Markup
    snippet_html: Markup
    status: str
    at: datetime | None
    component_id: int | None
    rank: float


@dataclass(frozen=True)
class Found:
    total: int
    hits: list[Hit] = field(default_factory=list)


def _mark() -> str:
    return "%s" if is_postgres() else "?"


def _conditions(audiences, filters: Filters) -> tuple[list[str], list]:
    p = _mark()
    where = [f"d.audience IN ({', '.join([p] * len(audiences))})"]
    params: list = list(audiences)
    if filters.areas:
        where.append(f"d.area IN ({', '.join([p] * len(filters.areas))})")
        params += list(filters.areas)
    if filters.component_id is not None:
        where.append(f"d.component_id = {p}")
        params.append(filters.component_id)
    if filters.statuses:
        where.append(f"d.status IN ({', '.join([p] * len(filters.statuses))})")
        params += list(filters.statuses)
    if filters.since is not None:
        where.append(f"d.at >= {p}")
        params.append(SearchDocument.at.db_value(filters.since))
    if filters.until is not None:
        where.append(f"d.at < {p}")
        params.append(SearchDocument.at.db_value(filters.until))
    for area, key in filters.exclude:
        where.append(f"NOT (d.area = {p} AND d.key = {p})")
        params += [area, key]
    return where, params


def find(
    query: Query,
    audiences: tuple[str, ...],
    filters: Filters = Filters(),
    *,
    offset: int = 0,
    limit: int = 20,
    count: bool = True,
    any_phrase: bool = False,
) -> Found:
    """The documents matching ``query`` that these audiences may find, best first.

    ``any_phrase`` matches documents with any of the phrases instead of all (the similar-
    tickets lookup: a ticket's text is a long query no other ticket matches whole). ``count``
    False skips the total (it is then the number of hits returned)."""
    if not query or not audiences:
        return Found(0)
    run = _postgres if is_postgres() else _sqlite
    return run(query, audiences, filters, offset, limit, count, any_phrase)


def _rows(sql: str, params: list) -> list[tuple]:
    return database.execute_sql(sql, params).fetchall()


def _found(rows, total) -> Found:
    hits = [
        Hit(
            area=row[0],
            key=row[1],
            title=row[2],
            status=row[3],
            at=row[4],
            component_id=row[5],
            rank=float(row[6]),
            title_html=marked_html(row[7]) if row[7] else Markup("") + row[2],
            snippet_html=marked_html(row[8]),
        )
        for row in rows
    ]
    return Found(total if total is not None else len(hits), hits)


def _sqlite(query, audiences, filters, offset, limit, count, any_phrase) -> Found:
    match = query.fts5().replace(" AND ", " OR ") if any_phrase else query.fts5()
    where, params = _conditions(audiences, filters)
    conditions = " AND ".join(["search_fts MATCH ?", *where])
    source = "search_fts JOIN search_document d ON d.id = search_fts.rowid"
    total = None
    if count:
        total = _rows(f"SELECT count(*) FROM {source} WHERE {conditions}", [match, *params])[0][0]
        if not total:
            return Found(0)
    weights = ", ".join(str(w) for w in WEIGHTS)
    sql = (
        "SELECT d.area, d.key, d.title, d.status, d.at, d.component_id, "
        f"bm25(search_fts, {weights}) * d.boost AS rank, "
        "highlight(search_fts, 0, ?, ?), "
        f"snippet(search_fts, -1, ?, ?, '…', {SNIPPET_WORDS}) "
        f"FROM {source} WHERE {conditions} ORDER BY rank, d.id LIMIT ? OFFSET ?"
    )
    rows = _rows(sql, [START, STOP, START, STOP, match, *params, limit, offset])
    return _found(rows, total)


def _tsquery(query: Query, any_phrase: bool) -> tuple[str, list]:
    glue = " || " if any_phrase else " && "
    texts = query.tsquery_texts()
    sql = glue.join([f"phraseto_tsquery('{CONFIGURATION}', %s)"] * len(texts))
    return sql, list(texts)


def _postgres(query, audiences, filters, offset, limit, count, any_phrase) -> Found:
    tsquery, tsparams = _tsquery(query, any_phrase)
    where, params = _conditions(audiences, filters)
    conditions = " AND ".join(["d.search_vector @@ q.q", *where])
    with_q = f"WITH q AS (SELECT ({tsquery}) AS q) "
    total = None
    if count:
        total = _rows(
            f"{with_q}SELECT count(*) FROM search_document d, q WHERE {conditions}",
            [*tsparams, *params],
        )[0][0]
        if not total:
            return Found(0)
    source = f"left(d.body || ' … ' || d.diary, {HEADLINE_SOURCE})"
    sql = (
        f"{with_q}SELECT h.area, h.key, h.title, h.status, h.at, h.component_id, h.rank, "
        f"ts_headline('{CONFIGURATION}', h.title, q.q, %s), "
        f"ts_headline('{CONFIGURATION}', h.source, q.q, %s) "
        "FROM (SELECT d.id, d.area, d.key, d.title, d.status, d.at, d.component_id, "
        f"{source} AS source, ts_rank_cd(d.search_vector, q.q) * d.boost AS rank "
        f"FROM search_document d, q WHERE {conditions} "
        "ORDER BY rank DESC, d.id LIMIT %s OFFSET %s) h, q ORDER BY h.rank DESC, h.id"
    )
    title_options = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"
    rows = _rows(sql, [*tsparams, title_options, HEADLINE, *params, limit, offset])
    return _found(rows, total)


def counts_by_area(query: Query, audiences: tuple[str, ...], filters: Filters = Filters()) -> dict:
    """``{area: matches}`` for the query under these filters but any area (one query): the
    numbers beside each area of the search page's filter."""
    if not query or not audiences:
        return {}
    filters = Filters(**{**filters.__dict__, "areas": ()})
    where, params = _conditions(audiences, filters)
    if is_postgres():
        tsquery, tsparams = _tsquery(query, False)
        conditions = " AND ".join(["d.search_vector @@ q.q", *where])
        sql = (
            f"WITH q AS (SELECT ({tsquery}) AS q) SELECT d.area, count(*) "
            f"FROM search_document d, q WHERE {conditions} GROUP BY d.area"
        )
        return dict(_rows(sql, [*tsparams, *params]))
    conditions = " AND ".join(["search_fts MATCH ?", *where])
    sql = (
        "SELECT d.area, count(*) FROM search_fts JOIN search_document d "
        f"ON d.id = search_fts.rowid WHERE {conditions} GROUP BY d.area"
    )
    return dict(_rows(sql, [query.fts5(), *params]))
