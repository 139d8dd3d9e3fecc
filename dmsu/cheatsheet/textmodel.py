"""A small text model of past tickets: TF-IDF centroids per component (a Rocchio classifier).

Each past ticket with a known component (subject + the start of its description) becomes a
unit-length TF-IDF vector; a component's centroid is the sum of its tickets' vectors. A new
text is compared with each centroid by cosine similarity through an inverted index, so
scoring touches only the words the text contains. The model is plain dictionaries built once
(:func:`build_from_tickets` reads the tickets in one query) and kept by :mod:`routing`.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable

from peewee import fn

from dmsu.tickets.models import Ticket

DESCRIPTION_CHARS = 2000
TOP_WORDS = 3
SHEET_DOC_WEIGHT = 20.0
_TOKEN = re.compile(r"[a-z][a-z0-9]*(?:[-_./][a-z0-9]+)*")
_PARTS = re.compile(r"[-_./]")
_STOP_TEXT = """
    about above after again against all also and any are because been before being below
    between both but can cannot could did does doing done down during each few for from
    further had has have having her here hers him his how into its itself just more most
    not now off once only other our ours out over own same she should some such than that
    the their theirs them then there these they this those through too under until very
    was were what when where which while who whom why will with would you your yours
    dear hello thanks thank regards best please ticket tickets issue problem problems
    help hi see seems seem still get got also one two use used using like need needed
    know let try tried trying since yet via etc www http https com org html
    dear supporters colleagues cheers kind
    yesterday today tomorrow tonight morning afternoon evening night ago day days week
    weeks weekend month months year years monday tuesday wednesday thursday friday saturday
    sunday january february march april may june july august september october november
    december
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
# A word is a reason for a component only if at least this share of the word's weight over
# all components' centroids is that component's (issue 18: "yesterday", "admin" or "site"
# were shown as reasons; they are in the tickets of every component). The words still count
# in the similarity: they are left out of the reasons only.
MIN_REASON_SHARE = 0.35


def tokens(text: str) -> list[str]:
    """Lower-case words of three letters or more, stop words left out; a hyphenated or
    dotted word counts whole and by its parts (``voms-proxy-init``, ``voms``, ``proxy``…)."""
    found = []
    for word in _TOKEN.findall(text.lower()):
        parts = _PARTS.split(word)
        if len(parts) > 1 and len(word) <= 40:
            found.append(word)
        found.extend(p for p in parts if len(p) >= 3 and p not in STOP_WORDS)
    return found


class TextModel:
    def __init__(self, signature: tuple | None = None):
        self.signature = signature
        self.built_at = time.monotonic()
        self.n_docs = 0
        self.idf: dict[str, float] = {}
        self.doc_counts: dict[int, int] = {}
        self.sums: dict[int, dict[str, float]] = {}
        self.norms: dict[int, float] = {}
        self.index: dict[str, list[tuple[int, float]]] = {}
        self.ticket_terms: dict[int, set[str]] = {}

    @classmethod
    def build(
        cls,
        docs: Iterable[tuple[int, str]],
        signature: tuple | None = None,
        sheet_docs: Iterable[tuple[int, str]] = (),
    ) -> TextModel:
        """The model of ``docs`` (component id, ticket text) plus each component's own words
        from the cheat sheet (``sheet_docs``: name, aliases, description), which count as
        :data:`SHEET_DOC_WEIGHT` tickets: a word of the description is evidence from the
        first day, before any ticket used it."""
        model = cls(signature)
        counted = [(component, Counter(tokens(text)), 1.0) for component, text in docs]
        n_tickets = len(counted)
        counted += [(c, Counter(tokens(text)), SHEET_DOC_WEIGHT) for c, text in sheet_docs]
        df: Counter = Counter()
        for _, counts, _ in counted:
            df.update(counts.keys())
        n = len(counted)
        model.n_docs = n_tickets
        model.idf = {t: math.log((n + 1) / (d + 1)) + 1.0 for t, d in df.items()}
        sums: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        doc_counts: Counter = Counter()
        ticket_terms: dict[int, set[str]] = defaultdict(set)
        for position, (component, counts, weight) in enumerate(counted):
            if position < n_tickets:
                doc_counts[component] += 1
                ticket_terms[component].update(counts)
            target = sums[component]
            for t, w in model.vector(counts).items():
                target[t] += weight * w
        model.doc_counts = dict(doc_counts)
        model.ticket_terms = dict(ticket_terms)
        model.sums = {c: dict(v) for c, v in sums.items()}
        model.norms = {c: math.sqrt(sum(w * w for w in v.values())) for c, v in model.sums.items()}
        index: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for component, vector in model.sums.items():
            for t, w in vector.items():
                index[t].append((component, w))
        model.index = dict(index)
        return model

    def seen_in_tickets(self, component_id: int, word: str) -> bool:
        return word in self.ticket_terms.get(component_id, ())

    def vector(self, counts: Counter) -> dict[str, float]:
        """The unit-length TF-IDF vector of token counts (unknown words left out)."""
        vector = {t: (1.0 + math.log(c)) * self.idf[t] for t, c in counts.items() if t in self.idf}
        norm = math.sqrt(sum(w * w for w in vector.values()))
        return {t: w / norm for t, w in vector.items()} if norm else {}

    def docs_of(self, component_id: int) -> int:
        return self.doc_counts.get(component_id, 0)

    def similar(
        self, text: str, exclude: tuple[int, str] | None = None, limit: int = 10
    ) -> list[tuple[int, float, list[str]]]:
        """(component id, cosine similarity, the words that weigh most) best first.

        ``exclude`` = (component id, text) takes that one document out of its component's
        centroid first (leave-one-out measurement).
        """
        query = self.vector(Counter(tokens(text)))
        if not query:
            return []
        dots: dict[int, float] = defaultdict(float)
        for t, q in query.items():
            for component, w in self.index.get(t, ()):
                dots[component] += q * w
        norms = dict(self.norms)
        if exclude is not None:
            left_out, left_text = exclude
            doc = self.vector(Counter(tokens(left_text)))
            if left_out in dots and doc:
                total = self.sums.get(left_out, {})
                overlap = sum(w * total.get(t, 0.0) for t, w in doc.items())
                squared = norms[left_out] ** 2 - 2 * overlap + 1.0
                if squared <= 1e-9:
                    dots.pop(left_out)
                else:
                    dots[left_out] -= sum(q * doc.get(t, 0.0) for t, q in query.items())
                    norms[left_out] = math.sqrt(squared)
        ranked = sorted(
            ((c, dot / norms[c]) for c, dot in dots.items() if norms.get(c)),
            key=lambda item: -item[1],
        )[:limit]
        return [(c, similarity, self._top_words(c, query)) for c, similarity in ranked]

    def share(self, component: int, word: str) -> float:
        """How much of ``word``'s weight over all centroids (each of unit length) is
        ``component``'s: 1.0 for a word only its tickets and description use, about 1/n for a
        word the tickets of n components use alike."""
        total = mine = 0.0
        for owner, weight in self.index.get(word, ()):
            norm = self.norms.get(owner)
            if norm:
                total += weight / norm
                if owner == component:
                    mine = weight / norm
        return mine / total if total else 0.0

    def _top_words(self, component: int, query: dict[str, float]) -> list[str]:
        """The query's words that add most to its similarity with ``component`` and tell that
        component apart (:data:`MIN_REASON_SHARE`), at most :data:`TOP_WORDS`."""
        weights = self.sums.get(component, {})
        parts = sorted(((q * weights.get(t, 0.0), t) for t, q in query.items()), reverse=True)
        telling = [
            t for weight, t in parts if weight > 0 and self.share(component, t) >= MIN_REASON_SHARE
        ]
        return telling[:TOP_WORDS]


def training_signature() -> tuple:
    """Changes whenever a ticket with a component is added, changed or removed."""
    return (
        Ticket.select(fn.COUNT(Ticket.id), fn.MAX(Ticket.updated_at))
        .where(Ticket.component.is_null(False))
        .tuples()
        .get()
    )


def training_docs(max_tickets: int, before=None) -> list[tuple[int, str, object]]:
    """(component id, subject + description start, created_at) of the latest tickets."""
    query = Ticket.select(
        Ticket.component,
        Ticket.subject,
        fn.SUBSTR(Ticket.description, 1, DESCRIPTION_CHARS),
        Ticket.created_at,
    ).where(Ticket.component.is_null(False))
    if before is not None:
        query = query.where(Ticket.created_at < before)
    query = query.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(max_tickets)
    return [(c, f"{s}\n{d or ''}", at) for c, s, d, at in query.tuples().iterator()]


def sheet_docs(rows) -> list[tuple[int, str]]:
    """(component id, name + aliases + description) of the components on the sheet."""
    return [
        (row.id, " ".join([row.name, *row.aliases, row.description]))
        for row in rows
        if not row.retired
    ]


def build_from_tickets(max_tickets: int, signature: tuple | None = None, rows=()) -> TextModel:
    docs = training_docs(max_tickets)
    return TextModel.build(((c, text) for c, text, _ in docs), signature, sheet_docs(rows))
