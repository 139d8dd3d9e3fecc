""" "Seen before?": the past tickets and wiki pages most like a ticket, by the same index as the
search, each with its outcome — the first question a supporter asks of a new ticket.

Seed 001 wants the knowledge of solved tickets found again: "Solution digests ... are available
for DMSU members when a similar issue arises". The query is the ticket's subject and the start
of its description, without the words every letter has (greetings, signatures, filler), any
of its :data:`TELLING` rarest words matching (each word's document count is read first, in one
query): a document with more of them, and rarer ones, ranks higher (BM25 / ts_rank_cd), and
solved tickets with a solution note and solution digests are boosted by the index itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dmsu.core.search import engine
from dmsu.core.search.engine import Filters
from dmsu.core.search.query import STOP_WORDS, Query
from dmsu.search.finding import Result, results_of
from dmsu.search.visibility import audiences_for

MAX_WORDS = 14
TELLING = 6
TEXT_START = 600  # characters of the description read
# the query's stop words, and the words every letter to a helpdesk has (greetings,
# sign-offs, filler) that say nothing of what a ticket is about
NOISE = STOP_WORDS | frozenset(
    [
        "after",
        "again",
        "all",
        "also",
        "any",
        "before",
        "best",
        "can",
        "cheers",
        "could",
        "dear",
        "did",
        "do",
        "does",
        "get",
        "got",
        "had",
        "hello",
        "here",
        "hi",
        "issue",
        "just",
        "kind",
        "like",
        "one",
        "please",
        "problem",
        "regards",
        "see",
        "seems",
        "seen",
        "since",
        "site",
        "sites",
        "some",
        "still",
        "support",
        "supporters",
        "team",
        "thank",
        "thanks",
        "ticket",
        "tickets",
        "two",
        "under",
        "use",
        "used",
        "using",
        "while",
        "why",
        "would",
        "yours",
    ]
)
_WORD = re.compile(r"[^\W_]{3,}")


@dataclass(frozen=True)
class SeenBefore:
    words: tuple[str, ...]
    results: list[Result]


def words_of(subject: str, description: str = "") -> tuple[str, ...]:
    """The words of a ticket that say what it is about, subject first."""
    text = f"{subject}\n{(description or '')[:TEXT_START]}".lower()
    words = [w for w in _WORD.findall(text) if w not in NOISE and not w.isdigit()]
    return tuple(dict.fromkeys(words))[:MAX_WORDS]


def telling_words(words: tuple[str, ...], *, at_least: int) -> tuple[str, ...]:
    """The :data:`TELLING` rarest of ``words`` that some other document holds (a word only the
    ticket itself holds finds nothing; the rarer a word, the more it tells)."""
    frequencies = engine.document_frequencies(words)
    kept = [w for w in words if frequencies.get(w, 0) >= at_least]
    return tuple(sorted(kept, key=lambda w: (frequencies[w], words.index(w)))[:TELLING])


def seen_before(
    subject: str, description: str, user, *, exclude: tuple[str, str] | None = None, limit: int = 5
) -> SeenBefore:
    """The tickets and wiki pages most like this text that ``user`` may see: those holding all
    the telling words first (one narrow query, ranked over few matches), then, if they are
    fewer than ``limit``, those holding any of them."""
    words = telling_words(words_of(subject, description), at_least=2 if exclude else 1)
    if not words:
        return SeenBefore(words, [])
    query = Query(" ".join(words), tuple((w,) for w in words), ())
    filters = Filters(areas=("tickets", "wiki"), exclude=(exclude,) if exclude else ())
    audiences = audiences_for(user)
    hits = engine.find(query, audiences, filters, limit=limit, count=False).hits
    if len(hits) < limit and len(words) > 1:
        found = {(hit.area, hit.key) for hit in hits}
        more = engine.find(query, audiences, filters, limit=limit, count=False, any_phrase=True)
        hits += [hit for hit in more.hits if (hit.area, hit.key) not in found][: limit - len(hits)]
    return SeenBefore(words, results_of(hits, user))
