"""The ticket-flow metrics as SQL aggregations over ticket events.

The contract (the metrics' definitions; all times UTC, from events only):

- "The support unit a ticket is in changes only by ``assigned`` events; before its first one
  it is in none." The unit a ticket is in just before an event, and since when, are the
  event's derived columns ``unit_before_id`` / ``unit_before_at``: its latest assignment
  before it by (time, id), kept in step with the events by :mod:`dmsu.tickets.projection.facts` (the
  stored ``from_unit`` is not used).
- ``assigned_to_dmsu``: tickets with at least one assignment to DMSU inside the period (each
  ticket once).
- ``solved_by_dmsu``: tickets with a ``solved`` status event inside the period while in DMSU
  (each ticket once, its first such event).
- ``reassigned_to_tpm``: tickets assigned to TPM inside the period straight from DMSU.
- ``assigned_to_third_line``: tickets assigned inside the period straight from DMSU to a
  3rd-line unit (each ticket once, its first such assignment).
- ``solve_days_*``: over the tickets counted in ``solved_by_dmsu``, the days from the ticket's
  latest assignment to DMSU before that solve to the solve.
- ``reassign_hours_*``: over the tickets counted in ``assigned_to_third_line``, the hours from
  the latest assignment to DMSU before it to that assignment.

Which flow fact an event is (if any) is its derived ``flow_fact`` (:data:`FACT_CODES`), and
when its ticket's previous same fact came is its ``prev_same_at``, both kept in step by
:mod:`dmsu.tickets.projection.facts`; a partial index holds the facts alone (migration m0907). The
numbers of every cut of a period (a :class:`Grid`: e.g. the quarters, the months, the weeks
and the whole period) come from two statements whatever the number of tickets: the facts
counted per day (:func:`fact_counts`, rolled up into the pieces in Python — a few hundred
rows) and the middle durations of each detailed piece (:func:`fact_durations`, one index
range per piece). Durations are whole seconds and the middle values are exact on both
databases, so SQLite and PostgreSQL give identical numbers.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from math import gcd

from dmsu.core.db import is_postgres
from dmsu.metrics.periods import Period
from dmsu.metrics.sqltools import epoch, epoch_of, ids, run
from dmsu.tickets.projection.facts import FACT_CODES
from dmsu.tickets.units import UNIT_KINDS, SupportUnit

TOTAL = "total"


@dataclass(frozen=True)
class Grid:
    """A period and the cuts of it to aggregate: grain name → consecutive pieces.

    The queries count per *slot* — the longest span that no piece boundary cuts: a day for
    quarters, months and ISO weeks, which all start at midnight UTC — and the slots are added
    up into every piece of every grain (:meth:`roll_up`): a project year is 366 rows whatever
    the number of grains.

    Durations (means and medians) are computed for the ``detailed`` grains only; the other
    grains get counts (the weekly and monthly charts need no medians)."""

    period: Period
    grains: dict[str, tuple[Period, ...]]
    detailed: frozenset[str] = frozenset({TOTAL})

    @cached_property
    def slot(self) -> int:
        """The slot length in seconds: the greatest common divisor of every piece's offset
        from the period's start and of the period's length."""
        length = 0
        for pieces in self.grains.values():
            for piece in pieces:
                length = gcd(length, self._offset(piece.start))
        return gcd(length, self._offset(self.period.end))

    def _offset(self, moment: datetime) -> int:
        return int((moment - self.period.start).total_seconds())

    @property
    def slots(self) -> int:
        """How many slots the period has."""
        return self._offset(self.period.end) // self.slot

    def slot_start(self, index: int) -> datetime:
        return self.period.start + timedelta(seconds=index * self.slot)

    @cached_property
    def starts(self) -> dict[str, list[int]]:
        """Per grain, the slot where each of its pieces but the first begins."""
        return {
            grain: [self._offset(p.start) // self.slot for p in pieces[1:]]
            for grain, pieces in self.grains.items()
        }

    def slot_sql(self, column: str) -> str:
        """The slot holding ``column`` (inside the period), with parameter ``:origin``."""
        return f"(({epoch(column)} - :origin) / {self.slot})"

    def params(self) -> dict:
        return {
            "origin": epoch_of(self.period.start),
            "start": self.period.start,
            "end": self.period.end,
        }

    def code(self, grain: str) -> int:
        """The number standing for ``grain`` in SQL."""
        return list(self.grains).index(grain)

    def name(self, code) -> str:
        return list(self.grains)[int(code)]

    def roll_up(self, rows) -> dict[tuple[str, int], list[int]]:
        """Add up per-slot counts — rows ``(slot, previous slot or -1, *counts)`` — into every
        piece of every grain, leaving out the rows that are not their ticket's first of the
        same fact in their piece: a ticket's previous same fact comes at or before it, so it
        is first in its piece exactly when the previous one is missing (-1) or came before
        the piece's first slot. Pieces are consecutive, so "each ticket once, its first such
        event" needs neither DISTINCT nor a window."""
        totals: dict[tuple[str, int], list[int]] = {}
        for grain, starts in self.starts.items():
            firsts = [0, *starts]
            for slot, previous, *counts in rows:
                piece = bisect_right(starts, slot)
                if previous >= firsts[piece]:
                    continue
                sums = totals.setdefault((grain, piece), [0] * len(counts))
                for i, count in enumerate(counts):
                    sums[i] += int(count or 0)
        return totals


@dataclass(frozen=True)
class Durations:
    """Sums that give a mean and a median exactly: the count, the total, and the sum and
    count of the middle value(s) of the sorted durations (in whole seconds)."""

    count: int = 0
    total: int = 0
    middle: int = 0
    middle_count: int = 0

    def mean(self, unit_seconds: int, places: int) -> float | None:
        if not self.count:
            return None
        return _round(Decimal(self.total) / (Decimal(self.count) * unit_seconds), places)

    def median(self, unit_seconds: int, places: int) -> float | None:
        if not self.middle_count:
            return None
        return _round(Decimal(self.middle) / (Decimal(self.middle_count) * unit_seconds), places)


def _round(value: Decimal, places: int) -> float:
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def percent(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``, one decimal (None when ``whole`` is 0)."""
    if not whole:
        return None
    return _round(Decimal(100 * part) / Decimal(whole), 1)


def unit_ids() -> dict[str, tuple[int, ...]]:
    """Support unit ids by kind (``dmsu``, ``first_line``, ``third_line``, ``umd_release``)."""
    found: dict[str, list[int]] = defaultdict(list)
    for unit_id, kind in SupportUnit.select(SupportUnit.id, SupportUnit.kind).tuples():
        found[kind].append(unit_id)
    return {kind: ids(found.get(kind, ())) for kind in UNIT_KINDS}


TIMED = ("to_third", "solved")  # the facts whose durations the metrics give
COUNTED = (*FACT_CODES, *(f"{fact}_secs" for fact in TIMED))  # what fact_counts adds up
SLOTS = 1000  # slots per statement (two bound times each)
PARTS = 100  # pieces per statement (SQLite allows 500 terms in a compound SELECT)


def _secs(row: str) -> str:
    """Whole seconds from the ticket's latest assignment before a flow fact to the fact: for
    the timed facts, which happen while the ticket is in DMSU, its latest assignment to DMSU
    ("the latest assignment to DMSU before it")."""
    return f"{epoch(f'{row}.at')} - {epoch(f'{row}.unit_before_at')}"


def fact_counts(grid: Grid) -> dict[tuple[str, int], list[int]]:
    """Per grain and piece, the :data:`COUNTED` sums: each flow fact's tickets, each ticket
    once at its first such event in the piece (:data:`FACT_CODES` order), then the total
    seconds of the timed facts among them (:data:`TIMED`).

    Counted per slot and rolled up (:meth:`Grid.roll_up`). Most facts are their ticket's
    first in the whole period; those are counted by one range of the facts' index (migration
    m0907) per slot and fact, which no database needs to sort or hash. The few whose
    previous same fact lies inside the period are grouped by slot and previous slot."""
    firsts = "(f.prev_same_at IS NULL OR f.prev_same_at < :start)"
    ranged = "f.at >= b.s AND f.at < b.e"
    per_slot = [
        f"(SELECT COUNT(*) FROM ticket_event f WHERE f.flow_fact = {code} AND {ranged} "
        f"AND {firsts})"
        for code in FACT_CODES.values()
    ] + [
        f"(SELECT SUM({_secs('f')}) FROM ticket_event f WHERE f.flow_fact = {FACT_CODES[fact]} "
        f"AND {ranged} AND {firsts})"
        for fact in TIMED
    ]
    repeated = [
        f"SUM(CASE WHEN flow_fact = {code} THEN 1 ELSE 0 END)" for code in FACT_CODES.values()
    ] + [f"SUM(CASE WHEN flow_fact = {FACT_CODES[fact]} THEN secs ELSE 0 END)" for fact in TIMED]
    codes = ", ".join(str(code) for code in FACT_CODES.values())
    repeats = f"""
        SELECT slot, previous, {", ".join(repeated)} FROM (
          SELECT f.flow_fact, {_secs("f")} AS secs, {grid.slot_sql("f.at")} AS slot,
                 {grid.slot_sql("f.prev_same_at")} AS previous
          FROM ticket_event f
          WHERE f.flow_fact IN ({codes}) AND f.at >= :start AND f.at < :end
            AND f.prev_same_at >= :start
        ) repeats GROUP BY slot, previous"""
    rows: list = []
    for first in range(0, grid.slots, SLOTS):
        last = min(first + SLOTS, grid.slots)
        bounds = {f"s{k}": grid.slot_start(k) for k in range(first, last + 1)}
        values = ", ".join(f"({k}, :s{k}, :s{k + 1})" for k in range(first, last))
        rows += run(
            f"WITH b(slot, s, e) AS (VALUES {values}) SELECT slot, -1, {', '.join(per_slot)} "
            f"FROM b{' UNION ALL ' + repeats if first == 0 else ''}",
            **grid.params(),
            **bounds,
        )
    return grid.roll_up(rows)


def fact_durations(grid: Grid, counts: dict[tuple[str, int], list[int]]) -> dict:
    """``(fact, grain, piece)`` → the :class:`Durations` of the timed facts (:data:`TIMED`:
    DMSU → 3rd line and solved in DMSU) counted in each piece of the detailed grains, from
    their numbers and totals in ``counts`` (:func:`fact_counts`) and their middle values.
    Each piece is its own range of the facts' index, so the middle values are sought among
    that piece's facts only."""
    parts, params, found = [], {}, {}
    for fact in TIMED:
        for grain, pieces in grid.grains.items():
            if grain not in grid.detailed:
                continue
            for index, piece in enumerate(pieces):
                n, total = _n_total(counts.get((grain, index)), fact)
                if not n:
                    continue
                found[(fact, grain, index)] = (n, total)
                name = f"p{len(parts)}"
                params[f"{name}s"], params[f"{name}e"] = piece.start, piece.end
                rows = (
                    f"FROM ticket_event s WHERE s.flow_fact = {FACT_CODES[fact]} "
                    f"AND s.at >= :{name}s AND s.at < :{name}e "
                    f"AND (s.prev_same_at IS NULL OR s.prev_same_at < :{name}s)"
                )
                head = f"'{fact}', {grid.code(grain)}, {index}"
                parts.append(_middle_sql(head, _secs("s"), rows, n))
    middles = {}
    for first in range(0, len(parts), PARTS):
        for fact, grain, index, mid, mid_n in run(
            " UNION ALL ".join(parts[first : first + PARTS]), **params
        ):
            middles[(fact, grid.name(grain), int(index))] = (int(mid), int(mid_n))
    return {key: Durations(n, total, *middles[key]) for key, (n, total) in found.items()}


def _n_total(sums: list[int] | None, fact: str) -> tuple[int, int]:
    """A timed fact's number and total seconds among a piece's :data:`COUNTED` sums."""
    if not sums:
        return 0, 0
    return sums[COUNTED.index(fact)], sums[COUNTED.index(f"{fact}_secs")]


def _middle_sql(head: str, secs: str, rows: str, n: int) -> str:
    """``head, mid, mid_n`` of the ``n`` durations ``secs`` of ``rows`` (a ``FROM ... WHERE``
    clause): the sum and number of their middle value(s).

    Each database finds the middle its cheapest exact way on whole seconds. PostgreSQL's
    ``percentile_cont(0.5)`` is the mean of the one or two middle values, which a double
    holds exactly, so twice it is their sum. SQLite has no ordered-set aggregate: it sorts
    and takes the one or two values at the middle offset."""
    if is_postgres():
        return (
            f"SELECT {head}, "
            "CAST(2 * percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) AS BIGINT), 2 "
            f"FROM (SELECT {secs} AS secs {rows}) x"
        )
    return (
        f"SELECT {head}, SUM(secs), {2 - n % 2} FROM (SELECT {secs} AS secs {rows} "
        f"ORDER BY secs LIMIT {2 - n % 2} OFFSET {(n - 1) // 2})"
    )


def as_of(period: Period, now: datetime) -> datetime:
    """The instant a snapshot of ``period`` is taken: its end, or now while it runs."""
    return min(period.end, now)
