"""The open-ticket sweep: the groups the Tuesday/Thursday meeting walks through.

Seed 001: "regular 'open ticket sweep' meetings of the team on every Tuesday and Thursday
... all the open tickets are revisited, discussing their progress, and exchanging ideas among
the team members. Typically, on each ticket an update on the solution progress is recorded."

:func:`sweep` runs two queries per group (the first rows, the count), whatever the number of
tickets; :func:`sweep_row` re-reads one ticket's row of one group after an inline update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from dmsu.tickets.models import Ticket, TicketEvent
from dmsu.tickets.oversight import groups as oversight
from dmsu.tickets.oversight.groups import ROWS_PER_GROUP, Settings, as_utc


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    hint: str
    query: Callable


GROUPS: tuple[Group, ...] = (
    Group(
        "needs-reaction",
        "Needs reaction",
        "In DMSU with no supporter's reaction for more than the allowed working days.",
        lambda s: oversight.needs_reaction(s),
    ),
    Group(
        "waiting-for-reply",
        "Waiting for reply",
        "The submitter has been silent past the reminder time (reminder due, close due).",
        lambda s: oversight.waiting_for_reply(s),
    ),
    Group(
        "postponed",
        "Postponed for 3rd-line decision",
        "Defects waiting for the meeting to decide on the 3rd-line unit.",
        lambda s: oversight.postponed(s),
    ),
    Group(
        "eta-this-week",
        "ETA within the coming week",
        "Marked for follow-up: the unit's ETA falls in the next seven days.",
        lambda s: oversight.eta_within_week(s),
    ),
    Group(
        "eta-expired",
        "ETA expired",
        "Unsolved at the 3rd line past the ETA: check, re-assess, escalate.",
        lambda s: oversight.eta_expired(s),
    ),
    Group(
        "no-eta",
        "No ETA yet",
        "At the 3rd line for more than the allowed working days without an ETA.",
        lambda s: oversight.no_eta(s),
    ),
    Group(
        "on-hold",
        "On hold for a release",
        "A known problem with a fix scheduled for a release.",
        lambda s: oversight.on_hold(s),
    ),
    Group(
        "umd-release",
        "In UMD release too long",
        "Fixed, but still waiting for UMD verification after the allowed days.",
        lambda s: oversight.umd_release_stale(s),
    ),
    Group(
        "third-line-stale",
        "At the 3rd line for more than two months",
        "Open with a product team past a typical release cycle.",
        lambda s: oversight.third_line_stale(s),
    ),
    Group(
        "digest-to-write",
        "Solution digest to write",
        "Solved after going to the 3rd line for lack of expertise: record the solution.",
        lambda s: oversight.solution_digest_to_write(s),
    ),
)
GROUP_KEYS = {group.key: group for group in GROUPS}


@dataclass
class SweepGroup:
    group: Group
    rows: list[dict] = field(default_factory=list)
    count: int = 0

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.rows))


def shape_row(row: dict, s: Settings) -> dict:
    """Turn a raw row into what the template shows (aware datetimes, age, badges)."""
    for key in ("last_reaction", "waiting_since", "submitter_wrote", "unit_since", "escalated_at"):
        if key in row:
            row[key] = as_utc(row[key])
    for key in ("created_at", "updated_at"):
        row[key] = as_utc(row[key])
    if "eta_due" in row and row["eta_due"] is not None:
        row["eta_due"] = TicketEvent.due.python_value(row["eta_due"])
    row["age_days"] = max(0, (s.now - row["created_at"]).days)
    row["assignee_name"] = row.get("assignee_display") or row.get("assignee_username") or ""
    if row.get("waiting_since") is not None:
        quiet = max(filter(None, (row["waiting_since"], row.get("submitter_wrote"))))
        row["quiet_since"] = quiet
        close_due = quiet + timedelta(days=s.close_after_days)
        row["close_due"] = s.now >= close_due
        row["close_at"] = close_due
    return row


def sweep(
    s: Settings, limit: int = ROWS_PER_GROUP, only: str | None = None, page: int = 1
) -> list[SweepGroup]:
    """Every group with its count and its first ``limit`` rows — or, with ``only``, the rows
    of that one group's ``page`` (the others counted). Two queries per group at most."""
    from dmsu.core.db import database, is_postgres

    with database.atomic():
        if is_postgres():
            # the correlated subqueries inflate the planner's cost estimate past the JIT
            # threshold, and compiling costs seconds where running takes milliseconds
            database.execute_sql("SET LOCAL jit = off")
        return _sweep(s, limit, only, page)


def _sweep(s: Settings, limit: int, only: str | None, page: int) -> list[SweepGroup]:
    result = []
    for group in GROUPS:
        query = group.query(s)
        if only is not None and group.key != only:
            result.append(SweepGroup(group, [], oversight.count_of(query)))
            continue
        offset = (max(1, page) - 1) * limit
        rows = [shape_row(row, s) for row in oversight.page_of(query, limit, offset).dicts()]
        exact = offset == 0 and len(rows) < limit
        result.append(SweepGroup(group, rows, len(rows) if exact else oversight.count_of(query)))
    return result


def sweep_row(group_key: str, ticket: Ticket, s: Settings) -> dict | None:
    """The row of ``ticket`` in group ``group_key``, or None when it has left the group."""
    group = GROUP_KEYS[group_key]
    query = group.query(s).where(Ticket.id == ticket.id)
    row = query.dicts().first()
    return shape_row(row, s) if row else None


def plain_row(ticket: Ticket, s: Settings) -> dict:
    """The row of a ticket outside any group (after an update moved it out)."""
    row = oversight.base_query().where(Ticket.id == ticket.id).dicts().first()
    return shape_row(row, s)


class NothingToRecord(ValueError):
    """The inline form changed nothing."""


def record_progress(ticket: Ticket, actor, *, note: str, status: str, assignee, at=None):
    """What the sweep records on a ticket: an internal progress note, a status, an assignee.

    Seed 001: "Typically, on each ticket an update on the solution progress is recorded."
    All through the workflow in one transaction: a refused step changes nothing.
    ``assignee`` is a User, None (nobody) or ``...`` (unchanged).
    """
    from dmsu.core.db import database
    from dmsu.tickets import workflow

    note = (note or "").strip()
    changed = False
    with database.atomic():
        if note:
            workflow.add_comment(ticket, actor, note, public=False, at=at)
            changed = True
        if status and status != ticket.status:
            workflow.change_status(ticket, actor, status, public=False, at=at)
            changed = True
        if assignee is not ... and (assignee.id if assignee else None) != ticket.assignee_id:
            workflow.set_assignee(ticket, actor, assignee, at=at)
            changed = True
        if not changed:
            raise NothingToRecord(
                "Nothing to record: write a progress note, or change the status or assignee."
            )
