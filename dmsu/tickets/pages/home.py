"""The staff home: what a person of each role has to do now, gathered from the oversight lists.

Seed 000: the "DMSU shift" duty "rotated weekly among the assigners", "to guarantee faster
response to new tickets as well as to stalled tickets", and "Digest of the tickets handled by
DMSU in the previous week is prepared by the DMSU shift on duty person as his/her final task".
Seed 001: "no tickets are left without supporter's reaction for more than three working
days"; "Open tickets with an ETA ... within the coming week are also marked for follow up"
(seed 000). TPM "route the tickets" to DMSU: their home lists what waits in TPM.

Every list is a fixed number of queries (rows of a page, and a count only when the page is
full), so the home costs the same at ten tickets and at a hundred thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from peewee import JOIN

from dmsu.auth.models import User
from dmsu.auth.permissions import DMSU, can
from dmsu.digests import rota
from dmsu.digests.models import Digest
from dmsu.tickets.models import OPEN_STATUSES, SlaClock, Ticket
from dmsu.tickets.oversight import duty
from dmsu.tickets.oversight import groups as oversight
from dmsu.tickets.oversight.duty import DutyList
from dmsu.tickets.oversight.groups import Settings, db_instant
from dmsu.tickets.units import SupportUnit

ROWS = 10
"""Rows of each list on the home; the full list is one link away."""

TPM_ROLES = frozenset({"tpm", "admin"})
"""Who routes what waits in TPM (and sees that list on the home)."""


@dataclass(frozen=True)
class Deadline:
    """A date a ticket must meet in the coming week: a unit's ETA or an SLA response."""

    kind: str  # "ETA" or "SLA response"
    due: date | datetime
    ggus_id: int
    subject: str
    unit_name: str
    assignee_name: str

    @property
    def day(self) -> date:
        return self.due.date() if isinstance(self.due, datetime) else self.due


@dataclass(frozen=True)
class DigestDue:
    """Last week's digest when it is not published yet (``digest`` None: not drafted)."""

    week: str
    digest: Digest | None

    @property
    def drafted(self) -> bool:
        return self.digest is not None


@dataclass
class StaffHome:
    week: str
    shift_person: User | None
    on_shift: bool
    my_open: DutyList
    new_tickets: DutyList | None = None  # on shift only
    needs_reaction: DutyList | None = None  # DMSU roles
    waiting_in_tpm: DutyList | None = None  # TPM and admins
    tpm_unit_id: int | None = None
    deadlines: list[Deadline] = field(default_factory=list)
    deadlines_of_mine: bool = False  # only the tickets assigned to the person
    digest_week: str = ""  # last week, whose digest the shift publishes
    digest_due: DigestDue | None = None  # None: published (or not shown)
    shows_digest: bool = False  # digest editors and the person on shift


def staff_home(user, s: Settings) -> StaffHome:
    """What ``user`` has to do now, by role (``ticket.view`` is checked by the caller)."""
    week = rota.week_of(s.now)
    person = rota.on_shift(week)
    on_shift = person is not None and person.id == user.id
    home = StaffHome(
        week=week,
        shift_person=person,
        on_shift=on_shift,
        my_open=duty.listed(my_open_tickets(user), s, ROWS),
    )
    if on_shift:
        home.new_tickets = duty.new_tickets(s, ROWS)
    if user.role in DMSU:
        home.needs_reaction = duty.needing_reaction(s, ROWS)
    if user.role in TPM_ROLES:
        query, home.tpm_unit_id = waiting_in_tpm(s)
        home.waiting_in_tpm = duty.listed(query, s, ROWS)
    # DMSU follows every unit's promises; TPM those of the tickets assigned to them
    home.deadlines_of_mine = user.role not in DMSU
    home.deadlines = deadlines_this_week(s, assignee=user if home.deadlines_of_mine else None)
    home.shows_digest = on_shift or can(user, "digest.edit")
    if home.shows_digest:
        home.digest_week = rota.add_weeks(week, -1)
        home.digest_due = digest_due(home.digest_week)
    return home


def my_open_tickets(user):
    """Open tickets assigned to ``user``, the longest untouched first."""
    return (
        oversight.base_query()
        .where((Ticket.assignee == user.id) & Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.updated_at, Ticket.ggus_id)
    )


def waiting_in_tpm(s: Settings):
    """Open tickets at the 1st line (TPM), waiting to be routed, oldest first; and the id of
    the TPM unit for the link to the full list (None when there are several or none)."""
    ids = s.units_by_kind.get("first_line", ())
    query = (
        oversight.base_query()
        .where(Ticket.support_unit.in_(list(ids) or [-1]) & Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.created_at, Ticket.ggus_id)
    )
    return query, ids[0] if len(ids) == 1 else None


def deadlines_this_week(s: Settings, limit: int = ROWS, assignee=None) -> list[Deadline]:
    """ETAs due in the next seven days (the sweep's "ETA within the coming week") and SLA
    response deadlines of running clocks in the next seven days, soonest first; of the
    tickets assigned to ``assignee`` when given."""
    etas = oversight.eta_within_week(s)
    if assignee is not None:
        etas = etas.where(Ticket.assignee == assignee.id)
    found = [
        Deadline(
            "ETA",
            row["eta_due"],
            row["ggus_id"],
            row["subject"],
            row["unit_name"] or "",
            row["assignee_name"],
        )
        for row in duty.listed(etas, s, limit).rows
    ]
    found += sla_deadlines(s, limit, assignee)
    found.sort(key=lambda d: (d.day, d.ggus_id))
    return found[:limit]


def sla_deadlines(s: Settings, limit: int, assignee=None) -> list[Deadline]:
    """Running SLA clocks (no response yet) of open tickets due in the next seven days."""
    soon = db_instant(s.now + timedelta(days=7))
    query = (
        SlaClock.select(
            SlaClock.due_at,
            Ticket.ggus_id,
            Ticket.subject,
            SupportUnit.name.alias("unit_name"),
            User.display_name.alias("assignee_display"),
            User.username.alias("assignee_username"),
        )
        .join(Ticket, on=(SlaClock.ticket == Ticket.id))
        .join(SupportUnit, JOIN.LEFT_OUTER, on=(SupportUnit.id == SlaClock.unit_id))
        .switch(Ticket)
        .join(User, JOIN.LEFT_OUTER, on=(Ticket.assignee == User.id))
        .where(
            SlaClock.stop_at.is_null()
            & (SlaClock.due_at >= db_instant(s.now))
            & (SlaClock.due_at < soon)
            & Ticket.status.in_(OPEN_STATUSES)
        )
        .order_by(SlaClock.due_at, Ticket.ggus_id)
        .limit(limit)
    )
    if assignee is not None:
        query = query.where(Ticket.assignee == assignee.id)
    rows = query.dicts()
    return [
        Deadline(
            "SLA response",
            oversight.as_utc(row["due_at"]),
            row["ggus_id"],
            row["subject"],
            row["unit_name"] or "",
            row["assignee_display"] or row["assignee_username"] or "",
        )
        for row in rows
    ]


def digest_due(week: str) -> DigestDue | None:
    """Last week's digest unless it is published (the shift's final task, seed 000)."""
    digest = Digest.get_or_none(Digest.week == week)
    if digest is not None and digest.is_published:
        return None
    return DigestDue(week, digest)
