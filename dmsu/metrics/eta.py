"""ETA accuracy of the product teams (seed 000, "Ticket based metrics": "Effectiveness of the
external technology provider in accurately defining the ETA times for resolving the reported
issues. Percentage of fixes provided by: The initial ETA; Any revised ETA; Within a week of
the agreed ETA; Within a month of the agreed ETA.").

The contract: over tickets with at least one ``eta`` event whose fix arrives inside
the period; the fix is the ticket's first assignment to ``UMD release`` or its first
``solved`` status while in a 3rd-line unit, after its first ETA. The initial ETA is the due
date of the earliest ``eta`` event; the final ETA is the due date of the latest ``eta`` event
before the fix; a due date counts to its end (23:59:59 UTC). Each ticket's fix and due dates
do not depend on the period: they are worked out from its events as they are written
(:func:`dmsu.tickets.projection.facts.eta_fix`, kept in step by :mod:`dmsu.tickets.projection.facts`), so a period's
fixes are one index range over the tickets.

Read here as: ``eta_by_initial`` — fixed no later than the end of the initial due date;
``eta_by_revised`` — no later than the end of the final due date; ``eta_within_week`` /
``eta_within_month`` — no later than 7 / 30 days after the end of the final due date (so
they include the fixes made on time). "Before"/"after" compare (time, id), so events at the
same second keep the order they were recorded in.
"""

from __future__ import annotations

from dataclasses import dataclass

from dmsu.metrics.queries import Grid, percent
from dmsu.metrics.sqltools import days_after, run
from dmsu.tickets.units import SupportUnit

NO_UNIT = "(no unit)"  # fixes whose unit is unknown or deleted
ETA_KEYS = ("eta_by_initial", "eta_by_revised", "eta_within_week", "eta_within_month")


@dataclass(frozen=True)
class EtaCounts:
    fixes: int = 0
    by_initial: int = 0
    by_revised: int = 0
    within_week: int = 0
    within_month: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "eta_fixes": self.fixes,
            "eta_by_initial": self.by_initial,
            "eta_by_revised": self.by_revised,
            "eta_within_week": self.within_week,
            "eta_within_month": self.within_month,
        }

    def percentages(self) -> dict[str, float | None]:
        """Each count as a percentage of the fixes (one decimal; None without fixes)."""
        counts = self.as_dict()
        return {key: percent(counts[key], self.fixes) for key in ETA_KEYS}


def counts_sql() -> str:
    """The :class:`EtaCounts` of the rows of ``fixes`` (``at``, ``initial_due``,
    ``final_due``), in the current database's date arithmetic."""
    return f"""COUNT(*) AS fixes,
   SUM(CASE WHEN at < {days_after("initial_due", 1)} THEN 1 ELSE 0 END) AS by_initial,
   SUM(CASE WHEN at < {days_after("final_due", 1)} THEN 1 ELSE 0 END) AS by_revised,
   SUM(CASE WHEN at < {days_after("final_due", 8)} THEN 1 ELSE 0 END) AS in_week,
   SUM(CASE WHEN at < {days_after("final_due", 31)} THEN 1 ELSE 0 END) AS in_month"""


def eta_accuracy(grid: Grid) -> dict[tuple[str, int], EtaCounts]:
    """ETA accuracy per grain and bucket of ``grid`` (a fix belongs to the piece it falls in;
    a ticket has one fix, so each slot's counts simply add up)."""
    rows = run(
        f"""
        WITH fixes AS (
          SELECT t.eta_fix_at AS at, t.eta_initial_due AS initial_due,
                 t.eta_final_due AS final_due, {grid.slot_sql("t.eta_fix_at")} AS slot
          FROM ticket t WHERE t.eta_fix_at >= :start AND t.eta_fix_at < :end
        )
        SELECT slot, -1, {counts_sql()} FROM fixes GROUP BY slot
        """,
        **grid.params(),
    )
    return {key: EtaCounts(*values) for key, values in grid.roll_up(rows).items()}


def eta_by_team(period) -> list[tuple[str, EtaCounts]]:
    """ETA accuracy per product team: each fix of the period counts for the unit the ticket
    was in just before it (the 3rd-line unit that solved it, or the unit it went to UMD
    release from; the derived ``eta_fix_unit_id``), the teams with the most fixes first.
    Counted per unit id from the tickets' covering ETA index (migration m0906); the few
    units' names are read apart."""
    sql = f"""
    WITH fixes AS (
      SELECT t.eta_fix_at AS at, t.eta_initial_due AS initial_due, t.eta_final_due AS final_due,
             t.eta_fix_unit_id AS unit_id
      FROM ticket t WHERE t.eta_fix_at >= :start AND t.eta_fix_at < :end
    )
    SELECT unit_id, {counts_sql()} FROM fixes GROUP BY unit_id
    """
    rows = run(sql, start=period.start, end=period.end)
    wanted = [unit_id for unit_id, *_ in rows if unit_id is not None]
    names = dict(
        SupportUnit.select(SupportUnit.id, SupportUnit.name)
        .where(SupportUnit.id.in_(wanted or [-1]))
        .tuples()
    )
    teams: dict[str, list[int]] = {}
    for unit_id, *values in rows:
        sums = teams.setdefault(names.get(unit_id, NO_UNIT), [0] * len(values))
        for i, value in enumerate(values):
            sums[i] += int(value or 0)
    counted = [(team, EtaCounts(*values)) for team, values in teams.items()]
    return sorted(counted, key=lambda item: (-item[1].fixes, item[0].lower()))
