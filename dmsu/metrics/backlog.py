"""The age of the tickets open at the 3rd line.

Seed 001: "At the time of this writing, there are only about 100 tickets assigned to third
level support teams in an open state older than two months (i.e. having missed a typical
release cycle)."

As of an instant (the end of the period, or now while it runs), from events only: a ticket is
at the 3rd line when its latest assignment before that instant is to a 3rd-line unit, and
open when its latest status event before it (if any) is not a closed status. Its age is the
time since that assignment; "older than two months" means more than
``DMSU_THIRD_LINE_STALE_DAYS`` (default 61) days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dmsu.metrics.sqltools import run
from dmsu.tickets.models import CLOSED_STATUSES
from dmsu.tickets.units import SupportUnit

FEW = 2000  # tickets changed since the snapshot that are replayed from their events


@dataclass
class Backlog:
    as_of: datetime
    stale_days: int
    buckets: list[tuple[str, int]]
    per_unit: list[tuple[str, int, int]] = field(default_factory=list)  # name, open, stale

    @property
    def total(self) -> int:
        return sum(count for _, count in self.buckets)

    @property
    def stale(self) -> int:
        return sum(stale for _, _, stale in self.per_unit)


def age_limits(stale_days: int) -> list[tuple[str, int | None]]:
    """(label, upper limit in days, included) of the age groups, youngest first."""
    return [
        ("up to a week", 7),
        ("1 to 4 weeks", 28),
        (f"4 weeks to {stale_days} days", stale_days),
        (f"over {stale_days} days, up to 6 months", 183),
        ("over 6 months", None),
    ]


def _from_events(as_of: datetime, units: dict, cuts: dict, only=None) -> list[tuple]:
    """(unit, age group, count) from the events before ``as_of`` (of the tickets ``only``)."""
    whens = " ".join(f"WHEN at >= :cut{i} THEN {i}" for i in range(len(cuts)))
    among = "AND e.ticket_id IN (:only)" if only is not None else ""
    return run(
        f"""
        WITH moved AS (
          SELECT e.ticket_id, e.support_unit_id AS unit, e.at,
                 LEAD(e.id) OVER (PARTITION BY e.ticket_id ORDER BY e.at, e.id) AS next_id
          FROM ticket_event e WHERE e.kind = 'assigned' AND e.at < :as_of {among}
        ),
        at_third AS (
          SELECT m.ticket_id, m.unit, m.at FROM moved m
          WHERE m.next_id IS NULL AND m.unit IN (:third)
            AND COALESCE((SELECT s.status FROM ticket_event s
                          WHERE s.kind = 'status' AND s.ticket_id = m.ticket_id
                            AND s.at < :as_of
                          ORDER BY s.at DESC, s.id DESC LIMIT 1), 'assigned') NOT IN (:closed)
        )
        SELECT unit, CASE {whens} ELSE {len(cuts)} END AS age, COUNT(*)
        FROM at_third GROUP BY unit, CASE {whens} ELSE {len(cuts)} END
        """,
        as_of=as_of,
        third=units["third_line"],
        closed=CLOSED_STATUSES,
        only=tuple(only or ()),
        **cuts,
    )


def _changed_since(as_of: datetime) -> list[int] | None:
    """The tickets with events at or after ``as_of`` (None when there are more than
    :data:`FEW`: then the events are read for every ticket)."""
    rows = run(
        "SELECT DISTINCT ticket_id FROM ticket_event WHERE at >= :as_of LIMIT :limit",
        as_of=as_of,
        limit=FEW + 1,
    )
    return None if len(rows) > FEW else [row[0] for row in rows]


def _from_tickets(units: dict, cuts: dict, leave_out: list[int]) -> list[tuple]:
    """(unit, age group, count) from the tickets' summary columns, which equal the replay of
    all their events (:mod:`dmsu.tickets.derived`): the state "as of" any instant after their
    last event."""
    whens = " ".join(f"WHEN unit_since >= :cut{i} THEN {i}" for i in range(len(cuts)))
    return run(
        f"""
        SELECT support_unit_id, CASE {whens} ELSE {len(cuts)} END AS age, COUNT(*)
        FROM ticket
        WHERE support_unit_id IN (:third) AND status NOT IN (:closed)
          AND id NOT IN (:leave_out)
        GROUP BY support_unit_id, CASE {whens} ELSE {len(cuts)} END
        """,
        third=units["third_line"],
        closed=CLOSED_STATUSES,
        leave_out=tuple(leave_out),
        **cuts,
    )


def third_line_backlog(as_of: datetime, units: dict, stale_days: int = 61) -> Backlog:
    """Open tickets at the 3rd line as of ``as_of``, by age group and by unit.

    For the running period (``as_of`` within the last hour) almost every ticket has had its
    last event before ``as_of``: its state then is its state now, the summary columns; only
    the few tickets with later events are replayed from their events. Otherwise every
    ticket's events before ``as_of`` are read."""
    limits = age_limits(stale_days)
    cuts = {f"cut{i}": as_of - timedelta(days=days) for i, (_, days) in enumerate(limits) if days}
    changed = _changed_since(as_of)
    if changed is None:
        rows = _from_events(as_of, units, cuts)
    else:
        rows = _from_tickets(units, cuts, changed)
        if changed:
            rows += _from_events(as_of, units, cuts, only=changed)
    counts = [0] * len(limits)
    by_unit: dict[int, list[int]] = {}
    stale_from = next(i for i, (_, days) in enumerate(limits) if days == stale_days) + 1
    for unit_id, age, count in rows:
        counts[int(age)] += int(count)
        entry = by_unit.setdefault(unit_id, [0, 0])
        entry[0] += int(count)
        if int(age) >= stale_from:
            entry[1] += int(count)
    names = dict(
        SupportUnit.select(SupportUnit.id, SupportUnit.name)
        .where(SupportUnit.id.in_(list(by_unit) or [-1]))
        .tuples()
    )
    per_unit = sorted(
        ((names.get(uid, "?"), total, stale) for uid, (total, stale) in by_unit.items()),
        key=lambda r: (-r[2], -r[1], r[0].lower()),
    )
    return Backlog(
        as_of, stale_days, [(label, counts[i]) for i, (label, _) in enumerate(limits)], per_unit
    )
