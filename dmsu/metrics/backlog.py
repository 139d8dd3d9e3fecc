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

from dmsu.core.db import is_postgres
from dmsu.metrics.sqltools import run
from dmsu.tickets.models import CLOSED_STATUS_EVENT
from dmsu.tickets.units import SupportUnit


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


def third_line_backlog(as_of: datetime, units: dict, stale_days: int = 61) -> Backlog:
    """Open tickets at the 3rd line as of ``as_of``, by age group and by unit (one query).

    A ticket's latest assignment before ``as_of`` is its assignment before ``as_of`` whose
    next assignment (the event's derived ``next_of_kind_at``, :mod:`dmsu.tickets.projection.facts`) did
    not come before ``as_of``; the same for its latest status, and the ticket is open unless
    that status is a closed one (a ticket has at most one such status event, read from the
    partial index of closed status events, migration m0906: a hash anti-join on PostgreSQL,
    a seek per ticket on SQLite; the subquery's unqualified ``kind`` and ``status`` are
    its own event's). So any instant — the end of a quarter long past or now — is
    two index ranges."""
    limits = age_limits(stale_days)
    cuts = {f"cut{i}": as_of - timedelta(days=days) for i, (_, days) in enumerate(limits) if days}
    whens = " ".join(f"WHEN a.at >= :cut{i} THEN {i}" for i in range(len(cuts)))
    # SQLite, without statistics, would take the (kind, ticket_id, at) index and read the table
    closed_index = "" if is_postgres() else "INDEXED BY ticket_event_closed_status"
    rows = run(
        f"""
        SELECT a.support_unit_id, CASE {whens} ELSE {len(cuts)} END AS age, COUNT(*)
        FROM ticket_event a
        WHERE a.kind = 'assigned' AND a.support_unit_id IN (:third) AND a.at < :as_of
          AND (a.next_of_kind_at IS NULL OR a.next_of_kind_at >= :as_of)
          AND NOT EXISTS (SELECT 1 FROM ticket_event s {closed_index}
                          WHERE {CLOSED_STATUS_EVENT}
                            AND s.ticket_id = a.ticket_id AND s.at < :as_of
                            AND (s.next_of_kind_at IS NULL OR s.next_of_kind_at >= :as_of))
        GROUP BY a.support_unit_id, CASE {whens} ELSE {len(cuts)} END
        """,
        as_of=as_of,
        third=units["third_line"],
        **cuts,
    )
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
