"""Full-text search of wiki pages: ONE module over SQLite FTS5 and PostgreSQL tsvector.

Both engines get the same query: every word the reader typed, each as a prefix of a word as
written (so the box works as-you-type: "delegat" finds "delegation"), all required; the
indexes do not stem (see migration m0300). Ranking: FTS5 ``bm25`` with the title weighted 8:1;
PostgreSQL ``ts_rank`` over the title (weight A) and text (weight B). The visibility rule
(:meth:`Page.visible_to`) is part of the SQL query itself: an anonymous search never sees an
internal page, not even in the count.

Snippets come back from the database with control-character markers around the matches
(page text is stored without control characters), are escaped, and only then get ``<mark>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup
from peewee import SQL, Column, NodeList, TextField, fn
from playhouse.sqlite_ext import RowIDField

from dmsu.core.db import BaseModel, is_postgres
from dmsu.core.search.snippets import START, STOP, marked_html
from dmsu.wiki.models import Page

MAX_TERMS = 8
PER_PAGE = 20
SNIPPET_OPTIONS = 'MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'


class _PageIndex(BaseModel):
    """The FTS5 table made by migration m0300 (SQLite only; never created from here)."""

    rowid = RowIDField()
    title = TextField()
    body_text = TextField()

    class Meta:
        table_name = "page_fts"


@dataclass(frozen=True)
class Hit:
    slug: str
    title: str
    title_html: Markup
    snippet_html: Markup
    visibility: str
    updated_at: object


@dataclass(frozen=True)
class Results:
    query: str
    terms: tuple[str, ...]
    total: int
    hits: list[Hit]
    page: int
    per_page: int = PER_PAGE

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


def terms_of(text: str) -> tuple[str, ...]:
    """The words of a query: letters and digits only, so no query syntax gets through."""
    return tuple(dict.fromkeys(re.findall(r"\w+", (text or "").lower())))[:MAX_TERMS]


def _param() -> str:
    return "%s" if is_postgres() else "?"


def _sqlite_query(user, terms):
    index = _PageIndex.alias("page_fts")
    match = " ".join(f'"{term}"*' for term in terms)
    p = _param()
    base = (
        Page.visible_to(user)
        .join(index, on=(index.rowid == Page.id))
        .where(SQL(f"page_fts MATCH {p}", [match]))
    )
    fields = (
        Page.slug,
        Page.title,
        Page.visibility,
        Page.updated_at,
        SQL(f"highlight(page_fts, 0, {p}, {p})", [START, STOP]).alias("title_marked"),
        SQL(f"snippet(page_fts, 1, {p}, {p}, '…', 24)", [START, STOP]).alias("snippet"),
    )
    ranked = base.select(*fields).order_by(SQL("bm25(page_fts, 8.0, 1.0)"), Page.title)
    return base.select(fn.COUNT(Page.id)), ranked


def search(text: str, user, page: int = 1) -> Results:
    """Pages visible to ``user`` matching every word of ``text``, best first."""
    terms = terms_of(text)
    page = max(1, page)
    if not terms:
        return Results(text, terms, 0, [], page)
    if is_postgres():
        count_query, ranked = _postgres_queries(user, terms)
    else:
        count_query, ranked = _sqlite_query(user, terms)
    total = count_query.scalar() or 0
    rows = ranked.paginate(page, PER_PAGE).dicts() if total else []
    hits = [
        Hit(
            slug=row["slug"],
            title=row["title"],
            title_html=marked_html(row["title_marked"]),
            snippet_html=marked_html(row["snippet"]),
            visibility=row["visibility"],
            updated_at=row["updated_at"],
        )
        for row in rows
    ]
    return Results(text, terms, total, hits, page)


def _headline(column, tsquery: str, options: str) -> NodeList:
    p = _param()
    return NodeList(
        (
            SQL("ts_headline('simple',"),
            column,
            SQL(f", to_tsquery('simple', {p}), {p})", [tsquery, options]),
        )
    )


def _postgres_queries(user, terms):
    p = _param()
    tsquery = " & ".join(f"{term}:*" for term in terms)
    vector = Column(Page, "search_vector")
    base = Page.visible_to(user).where(
        NodeList((vector, SQL(f"@@ to_tsquery('simple', {p})", [tsquery])))
    )
    marks = f"StartSel={START}, StopSel={STOP}"
    fields = (
        Page.slug,
        Page.title,
        Page.visibility,
        Page.updated_at,
        _headline(Page.title, tsquery, f"{marks}, HighlightAll=true").alias("title_marked"),
        _headline(Page.body_text, tsquery, f"{marks}, {SNIPPET_OPTIONS}").alias("snippet"),
    )
    rank = NodeList((SQL("ts_rank("), vector, SQL(f", to_tsquery('simple', {p}))", [tsquery])))
    ranked = base.select(*fields).order_by(rank.desc(), Page.title)
    return base.select(fn.COUNT(Page.id)), ranked
