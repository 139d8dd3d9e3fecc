"""Routing suggestions for the 1st line: which component is a new ticket about, and so which
DMSU partner, experts and 3rd-line unit should have it.

Seed 000: "The tickets are assigned to the assigner with the best knowledge of the problem.
DMSU maintains a matrix mapping the component knowledge to each partner for use by the TPM
in the delegation process".

Two kinds of evidence, added up per component:

* names and aliases from the sheet found in the text (whole words, any case; the longest
  wins where they overlap, so "ARC CE" is not also the alias "CE"): :data:`SUBJECT_POINTS` in
  the subject, :data:`TEXT_POINTS` in the description;
* a text model learnt from past tickets with a known component (:mod:`textmodel`, TF-IDF
  centroids): the cosine similarity to the component's past tickets times :data:`MODEL_POINTS`.

The text model is built once per process and kept until tickets change (checked at most every
``refresh_seconds``), so a suggestion costs milliseconds whatever the number of tickets. The
model and the name matcher live in the ``cheatsheet.routing`` and ``cheatsheet.matcher`` caches
of the one store (:mod:`dmsu.core.cache`), under the database's generation (and the sheet's
version).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field

import dmsu.core.cache.registry as registry
from dmsu.cheatsheet.models import name_key
from dmsu.cheatsheet.sheet import Row, Sheet, load_sheet
from dmsu.cheatsheet.textmodel import (
    TextModel,
    build_from_tickets,
    sheet_docs,
    tokens,
    training_signature,
)
from dmsu.core.db import database, generation

SUBJECT_POINTS = 3.0
TEXT_POINTS = 1.5
MODEL_POINTS = 4.0
MIN_SCORE = 0.15
REFRESH_SECONDS = 600.0
TRAINING_TICKETS = 20000
INLINE_TICKETS = 2000

logger = logging.getLogger(__name__)


# The plain confidence label of a score (issue 18: people read a label, not a raw score).
# Measured on the demo year (leave-one-out, 700 tickets): every top suggestion scoring 1.5 or
# more was the ticket's component (a name in the subject alone scores 3), below 1.5 about a
# third were.
STRONG_SCORE = 3.0
LIKELY_SCORE = 1.5


def confidence(score: float) -> str:
    """ "strong match", "likely" or "weak" for a suggestion's score."""
    if score >= STRONG_SCORE:
        return "strong match"
    return "likely" if score >= LIKELY_SCORE else "weak"


@dataclass
class Suggestion:
    row: Row
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    @property
    def confidence(self) -> str:
        return confidence(self.score)


@dataclass
class NameMatcher:
    pattern: re.Pattern | None
    owner: dict[str, tuple[Row, bool]]  # name key -> (row, is alias)

    @classmethod
    def for_sheet(cls, sheet: Sheet) -> NameMatcher:
        owner: dict[str, tuple[Row, bool]] = {}
        for row in sheet.rows:
            if row.retired:
                continue
            owner.setdefault(name_key(row.name), (row, False))
            for alias in row.aliases:
                owner.setdefault(name_key(alias), (row, True))
        if not owner:
            return cls(None, owner)
        labels = sorted(owner, key=len, reverse=True)
        alternatives = "|".join(r"\s+".join(map(re.escape, key.split(" "))) for key in labels)
        return cls(re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE), owner)

    def find(self, text: str) -> list[tuple[Row, bool, str]]:
        """(row, is alias, the text matched) for each name or alias in ``text``."""
        if self.pattern is None or not text:
            return []
        found = []
        for match in self.pattern.finditer(text):
            hit = self.owner.get(name_key(match.group(0)))
            if hit is not None:
                found.append((hit[0], hit[1], match.group(0)))
        return found


_lock = threading.Lock()
_MATCHERS = registry.Cache("cheatsheet.matcher", max_entries=2)  # the current sheet's
_MODELS = registry.Cache("cheatsheet.routing", max_entries=2)  # the current database's
_building: set[int] = set()  # generations whose model a background thread is building


def matcher(sheet: Sheet) -> NameMatcher:
    return _MATCHERS.cached(
        ("matcher", generation(), sheet.version), lambda: NameMatcher.for_sheet(sheet)
    )


def text_model(
    refresh_seconds: float = REFRESH_SECONDS,
    max_tickets: int = TRAINING_TICKETS,
    inline_tickets: int = INLINE_TICKETS,
) -> TextModel:
    """The text model of past tickets, rebuilt only when tickets or the sheet changed and the
    cached one is older than ``refresh_seconds``.

    Up to ``inline_tickets`` tickets the model is built on the spot (well under a second);
    beyond, it is built in a background thread while requests go on with the previous model
    (or, the very first time, a model of the sheet's own words), so no request waits for it.
    """
    with _lock:
        models = _MODELS.store()
        key = ("model", generation())
        model = models.get(key)
        if model is not None and time.monotonic() - model.built_at < refresh_seconds:
            return model
        sheet = load_sheet()
        signature = (training_signature(), sheet.version)
        if model is not None and model.signature == signature:
            model.built_at = time.monotonic()
            return model
        if (signature[0][0] or 0) <= inline_tickets:
            return models.put(key, build_from_tickets(max_tickets, signature, sheet.rows))
        if key[1] not in _building:
            _building.add(key[1])
            worker = threading.Thread(
                target=_build_in_background,
                args=(models, key, max_tickets, signature, sheet.rows),
                name="routing-model",
                daemon=True,
            )
            worker.start()
        if model is None:  # until the background build is done: the sheet's own words
            model = models.put(key, TextModel.build([], None, sheet_docs(sheet.rows)))
        return model


def _build_in_background(models, key: tuple, max_tickets: int, signature: tuple, rows) -> None:
    """Build in this thread (no app here: the store is the one the request found)."""
    try:
        with database.connection_context():
            model = build_from_tickets(max_tickets, signature, rows)
        with _lock:
            if generation() == key[1]:
                models.put(key, model)
    except Exception:  # a failed build leaves the previous model; the next refresh retries
        logger.exception("building the routing model failed")
    finally:
        with _lock:
            _building.discard(key[1])


def configured_text_model(config) -> TextModel:
    """:func:`text_model` with the app's settings (``DMSU_ROUTING_REFRESH_SECONDS``,
    ``DMSU_ROUTING_TRAINING_TICKETS``): the routing page and the ticket page ask the same."""
    return text_model(
        refresh_seconds=float(config.get("DMSU_ROUTING_REFRESH_SECONDS", REFRESH_SECONDS)),
        max_tickets=int(config.get("DMSU_ROUTING_TRAINING_TICKETS", TRAINING_TICKETS)),
    )


def forget() -> None:
    """Drop the cached matcher and model (after a bulk ticket import)."""
    with _lock:
        _MATCHERS.clear()
        _MODELS.clear()
        _building.clear()


def suggest(
    subject: str,
    text: str,
    *,
    limit: int = 5,
    sheet: Sheet | None = None,
    model: TextModel | None = None,
    exclude: tuple[int, str] | None = None,
) -> list[Suggestion]:
    """The most likely components for a ticket, best first, each with its reasons.

    ``exclude`` = (component id, training text) leaves one ticket out of the model (for
    measuring the suggestions on the tickets the model learnt from).
    """
    sheet = sheet or load_sheet()
    model = model if model is not None else text_model()
    by_id: dict[int, Suggestion] = {}

    def entry(row: Row) -> Suggestion:
        return by_id.setdefault(row.id, Suggestion(row))

    names = matcher(sheet)
    named: dict[int, set[str]] = {}  # the words of the names found, per component
    for where, value, points in (("subject", subject, SUBJECT_POINTS), ("text", text, TEXT_POINTS)):
        credited: set[int] = set()
        for row, is_alias, matched in names.find(value):
            named.setdefault(row.id, set()).update(tokens(matched))
            item = entry(row)
            if row.id not in credited:
                item.score += points
                credited.add(row.id)
            reason = f"{'alias' if is_alias else 'name'} '{matched}' in {where}"
            if reason not in item.reasons:
                item.reasons.append(reason)
    rows = {row.id: row for row in sheet.rows if not row.retired}
    for component_id, similarity, words in model.similar(f"{subject}\n{text}", exclude=exclude):
        row = rows.get(component_id)
        if row is None or similarity <= 0:
            continue
        item = entry(row)
        item.score += MODEL_POINTS * similarity
        words = [w for w in words if w not in named.get(component_id, ())]  # said already
        seen = [w for w in words if model.seen_in_tickets(component_id, w)]
        described = [w for w in words if w not in seen]
        count = model.docs_of(component_id)
        plural = "s" if count != 1 else ""
        if seen:
            item.reasons.append(
                f"words seen in {count} past ticket{plural} of {row.name}: {', '.join(seen)}"
            )
        if described:
            item.reasons.append(f"words of its cheat-sheet description: {', '.join(described)}")
        if not (words or item.reasons):
            like = f"{count} past ticket{plural} of {row.name}" if count else "its description"
            item.reasons.append(f"wording like {like}, but no word particular to it")
    ranked = sorted(
        (s for s in by_id.values() if s.score >= MIN_SCORE),
        key=lambda s: (-s.score, s.row.name.casefold()),
    )
    for item in ranked:
        item.score = round(item.score, 2)
    return ranked[:limit]
