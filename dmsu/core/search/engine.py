"""Matching, ranking and snippets over the one index, the same answers on both databases.

Ranking: SQLite FTS5 ``bm25`` with the fields weighted title 10, body 4, diary 1 (lower is
better); PostgreSQL ``ts_rank_cd`` over weights A (title), B (body), C (diary) (higher is
better). Each is multiplied by the document's ``boost``, so a solved ticket with a solution
note or a solution digest comes before an equal match. The visibility rule is part of the
SQL (:meth:`SearchDocument.visible_to`'s audience list), in the count as in the rows.

At scale, two queries, each bounded whatever the query matches:

1. the matches, counted per area up to :data:`COUNT_LIMIT` + 1 of them (SQLite: the newest
   first, FTS5 reads its index backwards; PostgreSQL: as the GIN index yields them), and the
   newest :data:`RANK_LIMIT` of them ranked for the page, in one statement (with no area
   filter in one pass over the matches, each counted one ranked as it is read: the
   ranked are the newest of the counted);
2. the snippets, made for the page's rows only.

So a specific query (up to 1,000 matches, nearly every real one) is counted and ranked over
all its matches, a broad one ("error", or an error line thousands of tickets hold) over its
newest 1,000, and its count says "more than 1,000". Counting and ranking 5,001 matches was
most of an error line's time at 100,000 tickets: FTS5 walks every phrase's list to each
match, PostgreSQL reads each matching row and ``ts_rank_cd`` its whole vector
(bench/RESULTS-search.md, third run). A lookup that counts
nothing (``count=False``, "seen before?") reads no further than the matches it ranks.
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
HEADLINE_BEFORE = 200  # characters of text before the first match a PostgreSQL headline reads
HEADLINE_WINDOW = 1_500  # characters a PostgreSQL headline reads
COUNT_LIMIT = 1_000  # the matches counted (more are "more than 1,000")
RANK_LIMIT = 1_000  # the newest matches ranked (a query matching more is ranked over these)
DF_LIMIT = 200  # how far a word's document count is read (rare or not is what matters)


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
    by_area: dict[str, int] = field(default_factory=dict)  # matches per area, any area filter
    capped: bool = False  # the counts stopped at COUNT_LIMIT


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

    The matches are counted per area in the same pass (``by_area``; the total is the areas'
    sum under the area filter, ``capped`` past :data:`COUNT_LIMIT`); with ``count`` False the
    total is the number of hits returned.
    ``any_phrase`` matches documents with any of the phrases instead of all (the similar-
    tickets lookup: a ticket's text is a long query no other ticket matches whole)."""
    if not query or not audiences:
        return Found(0)
    engine = _Postgres if is_postgres() else _Sqlite
    counted = COUNT_LIMIT if count else RANK_LIMIT  # nothing to count: no pass past the ranks
    counts, page = engine.matches(query, audiences, filters, offset, limit, any_phrase, counted)
    capped = sum(counts.values()) > COUNT_LIMIT
    wanted = filters.areas or tuple(counts)
    total = sum(n for area, n in counts.items() if area in wanted)
    hits = _hits(engine.snippets(query, page, any_phrase))
    return Found(total if count else len(hits), hits, counts, capped)


def _rows(sql: str, params: list) -> list[tuple]:
    return database.execute_sql(sql, params).fetchall()


def _hits(rows) -> list[Hit]:
    return [
        Hit(
            area=row[0],
            key=row[1],
            title=row[2],
            status=row[3],
            at=SearchDocument.at.python_value(row[4]),
            component_id=row[5],
            rank=float(row[6]),
            title_html=marked_html(row[7]) if row[7] else Markup("") + row[2],
            snippet_html=marked_html(row[8]),
        )
        for row in rows
    ]


def _match(query: Query, any_phrase: bool) -> str:
    return query.fts5().replace(" AND ", " OR ") if any_phrase else query.fts5()


def _split(rows) -> tuple[dict, list[tuple]]:
    """The one pass's rows: ``(area, count, None, None)`` then ``(None, None, id, rank)``."""
    counts = {row[0]: row[1] for row in rows if row[0] is not None}
    return counts, [(row[2], row[3]) for row in rows if row[0] is None]


def _one_pass(filters: Filters, counted: int) -> bool:
    """Whether the ranks can be had in the counting pass itself: no area filter, and the
    counted matches (``counted`` + 1, newest first) are the ranked ones, give or take the
    one that says "more" (each is ranked in that pass). At 100,000 tickets the second pass,
    reading the same 1,000 documents again, was a third of an error line's matching time
    (bench/RESULTS-search.md, fourth run)."""
    return not filters.areas and RANK_LIMIT - 1 <= counted <= RANK_LIMIT


def _area_condition(filters: Filters, mark: str) -> tuple[str, list]:
    if not filters.areas:
        return "", []
    return f"WHERE area IN ({', '.join([mark] * len(filters.areas))})", list(filters.areas)


class _Sqlite:
    @staticmethod
    def matches(query, audiences, filters, offset, limit, any_phrase, counted):
        """Step 1: ``({area: count}, [(id, rank)] of the page)`` in one query: the count over
        the newest ``counted`` + 1 matches, the ranks over the newest
        :data:`RANK_LIMIT` of them in the wanted areas (FTS5 reads its index backwards and
        stops there: ``bm25`` is the costly part, the count without it is cheap)."""
        where, params = _conditions(audiences, Filters(**{**filters.__dict__, "areas": ()}))
        conditions = " AND ".join(["search_fts MATCH ?", *where])
        weights = ", ".join(str(w) for w in WEIGHTS)
        rank = f"bm25(search_fts, {weights}) * d.boost AS rank"
        join = "FROM search_fts JOIN search_document d ON d.id = search_fts.rowid"
        match = _match(query, any_phrase)
        page = (
            "SELECT * FROM (SELECT NULL, NULL, id, rank FROM r ORDER BY rank, id LIMIT ? OFFSET ?)"
        )
        if _one_pass(filters, counted):
            sql = (
                f"WITH m AS MATERIALIZED (SELECT d.id AS id, d.area AS area, {rank} {join} "
                f"WHERE {conditions} ORDER BY search_fts.rowid DESC LIMIT ?), "
                "r AS (SELECT id, rank FROM m ORDER BY id DESC LIMIT ?) "
                f"SELECT area, count(*), NULL, NULL FROM m GROUP BY area UNION ALL {page}"
            )
            return _split(_rows(sql, [match, *params, counted + 1, RANK_LIMIT, limit, offset]))
        in_area, area_params = _area_condition(filters, "?")
        ranked_area = in_area.replace("WHERE area", "AND d.area")
        sql = (
            f"WITH m AS MATERIALIZED (SELECT d.area AS area {join} "
            f"WHERE {conditions} ORDER BY search_fts.rowid DESC LIMIT ?), "
            f"r AS MATERIALIZED (SELECT d.id AS id, {rank} "
            f"{join} WHERE {conditions} {ranked_area} ORDER BY search_fts.rowid DESC LIMIT ?) "
            f"SELECT area, count(*), NULL, NULL FROM m GROUP BY area UNION ALL {page}"
        )
        rows = _rows(
            sql,
            [match, *params, counted + 1, match, *params, *area_params, RANK_LIMIT]
            + [limit, offset],
        )
        return _split(rows)

    @staticmethod
    def snippets(query, page, any_phrase) -> list[tuple]:
        """Step 2: the page's rows with their marked title and snippet, in the page's order."""
        if not page:
            return []
        ranks = dict(page)
        sql = (
            "SELECT d.id, d.area, d.key, d.title, d.status, d.at, d.component_id, "
            "highlight(search_fts, 0, ?, ?), "
            f"snippet(search_fts, -1, ?, ?, '…', {SNIPPET_WORDS}) "
            "FROM search_fts JOIN search_document d ON d.id = search_fts.rowid "
            "WHERE search_fts MATCH ? AND search_fts.rowid BETWEEN ? AND ? "
            f"AND +search_fts.rowid IN ({', '.join('?' * len(page))})"
        )
        # the page's rows found by their range of the index, one pass, then picked: with
        # ``rowid IN`` as FTS5's constraint, each row read every phrase's whole list again
        # (20 rows of an error line: 25 ms instead of 1.3 ms at 100,000 tickets)
        params = [START, STOP, START, STOP, _match(query, any_phrase), min(ranks), max(ranks)]
        params += list(ranks)
        rows = {row[0]: row for row in _rows(sql, params)}
        return [(*rows[i][1:7], ranks[i], *rows[i][7:]) for i in ranks if i in rows]


def _tsquery(query: Query, any_phrase: bool) -> tuple[str, list]:
    glue = " || " if any_phrase else " && "
    texts = query.tsquery_texts()
    sql = glue.join([f"phraseto_tsquery('{CONFIGURATION}', %s)"] * len(texts))
    return sql, list(texts)


class _Postgres:
    @staticmethod
    def matches(query, audiences, filters, offset, limit, any_phrase, counted):
        """One pass over the GIN index's matches (stopping at ``counted`` + 1) for
        the counts; ``ts_rank_cd`` only for the newest :data:`RANK_LIMIT` of them in the
        wanted areas (it reads each document's whole vector: the costly part)."""
        tsquery, tsparams = _tsquery(query, any_phrase)
        where, params = _conditions(audiences, Filters(**{**filters.__dict__, "areas": ()}))
        conditions = " AND ".join(["d.search_vector @@ q.q", *where])
        rank = "ts_rank_cd(d.search_vector, q.q) * d.boost"
        page = (
            "SELECT * FROM (SELECT NULL::varchar, NULL::bigint, id, rank FROM r "
            "ORDER BY rank DESC, id LIMIT %s OFFSET %s) p"
        )
        counts = "SELECT area, count(*), NULL::integer, NULL::float8 FROM m GROUP BY area"
        if _one_pass(filters, counted):
            sql = (
                f"WITH q AS (SELECT ({tsquery}) AS q), m AS MATERIALIZED (SELECT d.id AS id, "
                f"d.area AS area, {rank} AS rank FROM search_document d, q "
                f"WHERE {conditions} LIMIT %s), "
                f"r AS (SELECT id, rank FROM m ORDER BY id DESC LIMIT %s) {counts} UNION ALL {page}"
            )
            return _split(_rows(sql, [*tsparams, *params, counted + 1, RANK_LIMIT, limit, offset]))
        in_area, area_params = _area_condition(filters, "%s")
        sql = (
            f"WITH q AS (SELECT ({tsquery}) AS q), m AS MATERIALIZED (SELECT d.id AS id, "
            f"d.area AS area FROM search_document d, q WHERE {conditions} LIMIT %s), "
            f"w AS MATERIALIZED (SELECT id FROM m {in_area} ORDER BY id DESC LIMIT %s), "
            f"r AS (SELECT d.id AS id, {rank} AS rank FROM w JOIN search_document d "
            f"ON d.id = w.id, q) {counts} UNION ALL {page}"
        )
        rows = _rows(
            sql,
            [*tsparams, *params, counted + 1, *area_params, RANK_LIMIT, limit, offset],
        )
        return _split(rows)

    @staticmethod
    def snippets(query, page, any_phrase) -> list[tuple]:
        """The headlines only for the page's rows, each over a window of the text around the
        first place a word of the query is written (a headline parses all the text it is
        given: a whole diary would cost more than the search)."""
        if not page:
            return []
        ranks = dict(page)
        tsquery, tsparams = _tsquery(query, any_phrase)
        text = "d.body || ' … ' || d.diary"
        window = (
            f"substr({text}, greatest(1, strpos(lower({text}), %s) - {HEADLINE_BEFORE}), "
            f"{HEADLINE_WINDOW})"
        )
        sql = (
            f"WITH q AS (SELECT ({tsquery}) AS q) "
            "SELECT d.id, d.area, d.key, d.title, d.status, d.at, d.component_id, "
            f"ts_headline('{CONFIGURATION}', d.title, q.q, %s), "
            f"ts_headline('{CONFIGURATION}', {window}, q.q, %s) "
            f"FROM search_document d, q WHERE d.id IN ({', '.join(['%s'] * len(page))})"
        )
        title_options = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"
        first = max(query.words, key=len)
        rows = {
            row[0]: row for row in _rows(sql, [*tsparams, title_options, first, HEADLINE, *ranks])
        }
        return [(*rows[i][1:7], ranks[i], *rows[i][7:]) for i in ranks if i in rows]


def document_frequencies(words: tuple[str, ...]) -> dict[str, int]:
    """``{word: documents holding it}`` (each count stopping at :data:`DF_LIMIT` + 1), in
    one query: how telling each word is (the similar-documents lookup keeps the rare ones).

    PostgreSQL counts through its GIN index, which reads a word's whole list of documents
    before any ``LIMIT``: for a common word (a few milliseconds each at 100,000 tickets) the
    planner's statistics answer instead, where they hold the word's stem among the column's
    most common ones with a share of the rows above :data:`DF_LIMIT` (the importer and
    autovacuum ``ANALYZE``; without statistics every word is counted)."""
    if not words:
        return {}
    if is_postgres():
        return _postgres_frequencies(words)
    one = "(SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH ? LIMIT ?))"
    sql = "SELECT " + ", ".join([one] * len(words))
    params = []
    for word in words:
        params += [f'"{word}"', DF_LIMIT + 1]
    return dict(zip(words, _rows(sql, params)[0], strict=True))


_COMMON = (
    "(SELECT most_common_elems::text::text[] AS e, most_common_elem_freqs AS f, "
    "(SELECT reltuples FROM pg_class WHERE oid = 'search_document'::regclass) AS n "
    "FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'search_document' "
    "AND attname = 'search_vector')"
)


def _postgres_frequencies(words: tuple[str, ...]) -> dict[str, int]:
    estimate = (
        f"(SELECT s.f[array_position(s.e, l.lexeme)] * s.n FROM {_COMMON} s, "
        f"unnest(to_tsvector('{CONFIGURATION}', %s)) l LIMIT 1)"
    )
    count = (
        "(SELECT count(*) FROM (SELECT 1 FROM search_document WHERE search_vector @@ "
        f"phraseto_tsquery('{CONFIGURATION}', %s) LIMIT %s) w)"
    )
    one = f"CASE WHEN coalesce({estimate}, 0) > %s THEN %s ELSE {count} END"
    sql = "SELECT " + ", ".join([one] * len(words))
    params = []
    for word in words:
        params += [word, DF_LIMIT, DF_LIMIT + 1, word, DF_LIMIT + 1]
    return dict(zip(words, _rows(sql, params)[0], strict=True))
