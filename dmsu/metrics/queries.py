"""The ticket-flow metrics of issue 8 as SQL aggregations over ticket events.

The contract (issue 8, "Definitions"; all times UTC, from events only):

- "The support unit a ticket is in changes only by ``assigned`` events; before its first one
  it is in none." The unit a ticket is in just before an event, and since when, are the
  event's derived columns ``unit_before_id`` / ``unit_before_at``: its latest assignment
  before it by (time, id), kept in step with the events by :mod:`dmsu.tickets.facts` (the
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

Each query reads the events once and aggregates every requested cut of the period at the
same time (a :class:`Grid`: e.g. the quarters, the months, the weeks and the whole period),
so the number of queries never grows with the number of tickets. Medians are computed in SQL
on both databases with ``ROW_NUMBER``/``COUNT`` windows (the one or two middle values), and
durations are whole seconds, so SQLite and PostgreSQL give identical numbers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dmsu.metrics.periods import Period
from dmsu.metrics.sqltools import bucket_case, epoch, ids, run, week_bucket
from dmsu.tickets.units import UNIT_KINDS, SupportUnit

TOTAL = "total"


@dataclass(frozen=True)
class Grid:
    """A period and the cuts of it to aggregate: grain name → consecutive pieces.

    Durations (means and medians) are computed for the ``detailed`` grains only; the other
    grains get counts (the weekly and monthly charts need no medians)."""

    period: Period
    grains: dict[str, tuple[Period, ...]]
    detailed: frozenset[str] = frozenset({TOTAL})

    def bucket_sql(self, grain: str, column: str = "at") -> tuple[str, dict]:
        """The expression giving the index of ``grain``'s piece holding ``column``."""
        pieces = self.grains[grain]
        prefix = f"{grain[:1]}{list(self.grains).index(grain)}_"
        if grain == "week" and len(pieces) > 1:
            day = pieces[0].start
            monday = (day - timedelta(days=day.weekday())).replace(hour=0, minute=0)
            return week_bucket(column, monday, prefix)
        return bucket_case(column, [p.start for p in pieces], prefix)

    def code(self, grain: str) -> int:
        """The number standing for ``grain`` in SQL (sorting and grouping by a small integer
        is cheaper than by text)."""
        return list(self.grains).index(grain)

    def name(self, code) -> str:
        return list(self.grains)[int(code)]

    def per_grain(self, select: str, source: str, grains=None) -> tuple[str, dict]:
        """``SELECT <grain code> AS grain, bucket, <select> FROM (source + bucket) GROUP BY
        bucket`` for each grain, joined with UNION ALL (``select`` may aggregate)."""
        parts, params = [], {}
        for grain in grains if grains is not None else self.grains:
            expr, extra = self.bucket_sql(grain)
            params.update(extra)
            parts.append(
                f"SELECT {self.code(grain)} AS grain, bucket, {select} "
                f"FROM (SELECT {expr} AS bucket, s.* FROM {source} s) x GROUP BY bucket"
            )
        return " UNION ALL ".join(parts), params

    def marks(self, row: str = "s", same: str = "prev_same_at") -> tuple[str, dict]:
        """Select-list items for a row ``row`` of facts: per grain code ``i``, ``b<i>`` (the
        piece holding it) and ``f<i>`` (1 when it is its ticket's first of the same fact in
        that piece: its previous same fact, column ``same``, is missing, before the period
        or in another piece — pieces are consecutive, so "each ticket once, its first such
        event" needs neither DISTINCT nor a window)."""
        items, params = [], {}
        for grain in self.grains:
            i = self.code(grain)
            expr, extra = self.bucket_sql(grain, f"{row}.at")
            before, _ = self.bucket_sql(grain, f"{row}.{same}")
            params.update(extra)
            items.append(f"{expr} AS b{i}")
            items.append(
                f"CASE WHEN {row}.{same} IS NULL OR {row}.{same} < :start OR {before} <> {expr} "
                f"THEN 1 ELSE 0 END AS f{i}"
            )
        return ", ".join(items), params

    def per_piece(
        self, select: str, source: str, where: str = "", grains=None, grouped: bool = True
    ) -> str:
        """For each grain: ``<code> AS grain, bucket, <select>`` over the rows of ``source``
        (made with :meth:`marks`) that are firsts in their piece, joined with UNION ALL and
        grouped by piece when ``grouped`` (``select`` aggregates)."""
        parts = []
        for grain in grains if grains is not None else self.grains:
            i = self.code(grain)
            parts.append(
                f"SELECT {i} AS grain, b{i} AS bucket, {select} FROM {source} "
                f"WHERE f{i} = 1{where}" + (f" GROUP BY b{i}" if grouped else "")
            )
        return " UNION ALL ".join(parts)


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


def stats_sql(source: str) -> str:
    """CTEs ``ranked`` and ``stats`` over ``source`` (grain, bucket, secs): count, total and
    the middle value(s) per grain and bucket."""
    return f"""
    ranked AS (
      SELECT grain, bucket, secs,
             ROW_NUMBER() OVER (PARTITION BY grain, bucket ORDER BY secs) AS rn,
             COUNT(*) OVER (PARTITION BY grain, bucket) AS size
      FROM {source}
    ),
    stats AS (
      SELECT grain, bucket, COUNT(*) AS n, SUM(secs) AS total,
             SUM(CASE WHEN rn = (size + 1) / 2 OR rn = (size + 2) / 2 THEN secs ELSE 0 END) AS mid,
             SUM(CASE WHEN rn = (size + 1) / 2 OR rn = (size + 2) / 2 THEN 1 ELSE 0 END) AS mid_n
      FROM ranked GROUP BY grain, bucket
    )"""


def _durations(row_total, row_mid, row_mid_n, n) -> Durations:
    return Durations(int(n or 0), int(row_total or 0), int(row_mid or 0), int(row_mid_n or 0))


@dataclass(frozen=True)
class Flow:
    assigned_to_dmsu: int = 0
    reassigned_to_tpm: int = 0
    assigned_to_third_line: int = 0
    reassign: Durations = Durations()


def flow(grid: Grid, units: dict) -> dict[tuple[str, int], Flow]:
    """Assignments per grain and bucket: to DMSU, DMSU → TPM, DMSU → 3rd line (+ hours).

    The period's assignments, with the unit before each, come from one index range
    (migration m0900) without reading the table."""
    marks, params = grid.marks()
    counts = grid.per_piece(
        "SUM(CASE WHEN fact = 0 THEN 1 ELSE 0 END) AS to_dmsu, "
        "SUM(CASE WHEN fact = 1 THEN 1 ELSE 0 END) AS to_tpm, "
        "SUM(CASE WHEN fact = 2 THEN 1 ELSE 0 END) AS to_third",
        "counted",
    )
    detailed = [g for g in grid.grains if g in grid.detailed]
    chosen = grid.per_piece("secs", "counted", " AND fact = 2", detailed, grouped=False)
    sql = f"""
    WITH counted AS (
      SELECT {epoch("s.at")} - {epoch("s.unit_before_at")} AS secs,
             CASE WHEN s.support_unit_id IN (:dmsu) THEN 0
                  WHEN s.support_unit_id IN (:tpm) THEN 1 ELSE 2 END AS fact,
             {marks}
      FROM ticket_event s
      WHERE s.kind = 'assigned' AND s.at >= :start AND s.at < :end
        AND (s.support_unit_id IN (:dmsu)
             OR (s.unit_before_id IN (:dmsu) AND s.support_unit_id IN (:tpm, :third)))
    ),
    counts AS ({counts}),
    chosen AS ({chosen}),
    {stats_sql("chosen")}
    SELECT c.grain, c.bucket, c.to_dmsu, c.to_tpm, c.to_third, s.n, s.total, s.mid, s.mid_n
    FROM counts c LEFT JOIN stats s ON s.grain = c.grain AND s.bucket = c.bucket
    """
    rows = run(
        sql,
        start=grid.period.start,
        end=grid.period.end,
        dmsu=units["dmsu"],
        tpm=units["first_line"],
        third=units["third_line"],
        **params,
    )
    return {
        (grid.name(grain), int(bucket)): Flow(
            int(a), int(b), int(c), _durations(total, mid, mid_n, n)
        )
        for grain, bucket, a, b, c, n, total, mid, mid_n in rows
    }


@dataclass(frozen=True)
class Solved:
    solved_by_dmsu: int = 0
    solve: Durations = Durations()


def solves(grid: Grid, units: dict) -> dict[tuple[str, int], Solved]:
    """Tickets solved while in DMSU per grain and bucket, with the solve times.

    The unit a ticket is in when a ``solved`` event comes, and since when, are the event's
    ``unit_before_id`` / ``unit_before_at``: one index range (migration m0900)."""
    marks, params = grid.marks()
    counts = grid.per_piece("COUNT(*) AS solved", "counted")
    detailed = [g for g in grid.grains if g in grid.detailed]
    chosen = grid.per_piece("secs", "counted", "", detailed, grouped=False)
    sql = f"""
    WITH counted AS (
      SELECT {epoch("s.at")} - {epoch("s.unit_before_at")} AS secs, {marks}
      FROM ticket_event s
      WHERE s.kind = 'status' AND s.status = 'solved' AND s.at >= :start AND s.at < :end
        AND s.unit_before_id IN (:dmsu)
    ),
    counts AS ({counts}),
    chosen AS ({chosen}),
    {stats_sql("chosen")}
    SELECT c.grain, c.bucket, c.solved, s.n, s.total, s.mid, s.mid_n
    FROM counts c LEFT JOIN stats s ON s.grain = c.grain AND s.bucket = c.bucket
    """
    rows = run(
        sql,
        start=grid.period.start,
        end=grid.period.end,
        dmsu=units["dmsu"],
        **params,
    )
    return {
        (grid.name(grain), int(bucket)): Solved(int(solved), _durations(total, mid, mid_n, n))
        for grain, bucket, solved, n, total, mid, mid_n in rows
    }


def as_of(period: Period, now: datetime) -> datetime:
    """The instant a snapshot of ``period`` is taken: its end, or now while it runs."""
    return min(period.end, now)
