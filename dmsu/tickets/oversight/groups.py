"""The oversight of open tickets: the sweep's groups and the due lists, in SQL.

Seed 001, "Software ticket triage and resolution": the best-effort work "is complemented by
regular 'open ticket sweep' meetings of the team on every Tuesday and Thursday ... all the
open tickets are revisited, discussing their progress". "Ticket oversight and followup":
"This sweep through all the open tickets makes sure that no tickets are left without
supporter's reaction for more than three working days." Seed 000, "Ticket follow up": "Open
tickets with an ETA ... within the coming week are also marked for follow up", and
"Unsolved tickets within the 3rd line support with expired ETA are checked, re-assessed, and
escalated eventually"; "Tickets of the specific category of being assigned to the 3rd line
support because of lack of expertise in DMSU which get solved are inspected, and the digest
of the solution recorded at DMSU internal wiki". Seed 001 on the 3rd line: "tickets assigned
to third level support teams in an open state older than two months (i.e. having missed a
typical release cycle)"; on UMD release: "tickets that remain with UMD SU too long must be
assessed".

Every group is one query over the ticket table: "the latest event of kind X" is a column
derived from the events and kept in step with them (:mod:`dmsu.tickets.projection.columns`), so a group
is an index range of open tickets of some units, and the sweep costs a fixed number of queries
however many tickets there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from peewee import OP, Expression, Value, fn

from dmsu.auth.models import User
from dmsu.cheatsheet.models import Component
from dmsu.core.calendar import BusinessCalendar
from dmsu.tickets.models import OPEN_STATUSES, Release, Ticket, TicketEvent
from dmsu.tickets.sla.clocks import WAITING
from dmsu.tickets.units import SupportUnit

CARE_KINDS = ("dmsu", "third_line", "umd_release")
"""Open tickets "in DMSU's care": with DMSU, or passed by DMSU to the 3rd line or UMD release."""

DIGEST_STATUSES = ("solved", "verified", "closed")
ROWS_PER_GROUP = 50
OVERVIEW_ROWS = 10
"""Rows of each group on the sweep's overview; a group's own page lists ROWS_PER_GROUP."""


@dataclass(frozen=True)
class Settings:
    """The oversight numbers (config ``DMSU_*``), the calendar and the instant."""

    now: datetime
    calendar: BusinessCalendar
    reaction_working_days: float = 3
    no_eta_working_days: float = 5
    remind_after_days: int = 7
    remind_every_days: int = 7
    close_after_days: int = 30
    umd_stale_days: int = 30
    third_line_stale_days: int = 61

    @classmethod
    def from_config(cls, config, now: datetime) -> Settings:
        return cls(
            now=now,
            calendar=BusinessCalendar.from_config(config),
            reaction_working_days=config.get("DMSU_REACTION_WORKING_DAYS", 3),
            no_eta_working_days=config.get("DMSU_NO_ETA_WORKING_DAYS", 5),
            remind_after_days=config.get("DMSU_REMIND_SUBMITTER_AFTER_DAYS", 7),
            remind_every_days=config.get("DMSU_REMIND_SUBMITTER_EVERY_DAYS", 7),
            close_after_days=config.get("DMSU_CLOSE_WAITING_AFTER_DAYS", 30),
            umd_stale_days=config.get("DMSU_UMD_STALE_DAYS", 30),
            third_line_stale_days=config.get("DMSU_THIRD_LINE_STALE_DAYS", 61),
        )

    @cached_property
    def units_by_kind(self) -> dict[str, tuple[int, ...]]:
        """Support unit ids by kind, read once per sweep (the lists filter on literal ids, so
        the planner sees how many units a group spans)."""
        found: dict[str, list[int]] = {}
        for unit_id, kind in SupportUnit.select(SupportUnit.id, SupportUnit.kind).tuples():
            found.setdefault(kind, []).append(unit_id)
        return {kind: tuple(ids) for kind, ids in found.items()}

    @property
    def today(self):
        """Today in the calendar's time zone (ETAs are dates there)."""
        return self.now.astimezone(ZoneInfo(self.calendar.tz)).date()


def working_days_before(calendar: BusinessCalendar, now: datetime, days: float) -> datetime:
    """The latest instant from which ``days`` working days have run out by ``now``.

    A ticket last touched before this instant has waited more than ``days`` working days.
    """
    now = now.astimezone(UTC).replace(microsecond=0)
    step = int(timedelta(days=days * 2 + 14).total_seconds())
    low = step  # seconds before now; add_working_days is monotonic in its start
    while calendar.add_working_days(now - timedelta(seconds=low), days) > now:
        low += step
    high = 0
    while low - high > 1:
        middle = (low + high) // 2
        if calendar.add_working_days(now - timedelta(seconds=middle), days) <= now:
            low = middle
        else:
            high = middle
    return now - timedelta(seconds=low)


def db_instant(moment: datetime):
    """A parameter for comparing with stored UTC timestamps (naive UTC, as stored), for a
    column or an expression over columns alike."""
    return Value(moment.astimezone(UTC).replace(tzinfo=None), converter=False)


def as_utc(value) -> datetime | None:
    """A timestamp read through a subquery (a string on SQLite), as aware UTC."""
    return TicketEvent.at.python_value(value) if value is not None else None


# --- "the latest event of kind X": columns derived from the events ------------------------


def is_null(value) -> Expression:
    return Expression(value, OP.IS, None)


def last_assigned_at():
    """When the ticket entered its current support unit."""
    return Ticket.unit_since


def latest_eta_due():
    """The due date of the latest ETA recorded since the ticket entered its current unit
    (an ETA is the promise of the unit it was given to; revisions are later events)."""
    return Ticket.eta_due


def last_reaction_at():
    """The last supporter reaction: an event by a DMSU actor, or the assignment to DMSU."""
    return Ticket.last_reaction_at


def waiting_since_at():
    return Ticket.waiting_since


def last_submitter_comment_at():
    return Ticket.submitter_wrote_at


# --- the base query of every list -----------------------------------------------------------


def base_query(*extra):
    """Open-or-closed tickets with what a row shows: component, unit, assignee."""
    return Ticket.with_names(
        Ticket.select(
            Ticket.id,
            Ticket.ggus_id,
            Ticket.subject,
            Ticket.status,
            Ticket.priority,
            Ticket.created_at,
            Ticket.updated_at,
            Ticket.postponed,
            Ticket.lack_of_expertise,
            Ticket.assignee,
            Component.name.alias("component_name"),
            SupportUnit.name.alias("unit_name"),
            SupportUnit.kind.alias("unit_kind"),
            SupportUnit.contact_email.alias("unit_email"),
            User.display_name.alias("assignee_display"),
            User.username.alias("assignee_username"),
            User.email.alias("assignee_email"),
            *extra,
        )
    )


def open_in(*kinds, s: Settings | None = None):
    """Open tickets in a unit of ``kinds`` (written so the ``(support_unit, status, ...)``
    indexes answer it, not a scan of every ticket)."""
    if s is None:
        units = SupportUnit.select(SupportUnit.id).where(SupportUnit.kind.in_(kinds))
        return Ticket.support_unit.in_(units) & Ticket.status.in_(OPEN_STATUSES)
    ids = [unit_id for kind in kinds for unit_id in s.units_by_kind.get(kind, ())]
    return Ticket.support_unit.in_(ids or [-1]) & Ticket.status.in_(OPEN_STATUSES)


def count_of(query) -> int:
    """How many tickets a list holds, counted on the ticket table alone (no joins)."""
    return Ticket.select(fn.COUNT(Ticket.id)).where(query._where).scalar() or 0


def page_of(query, limit: int, offset: int = 0):
    """One page of a list: the page's ticket ids are chosen on the ticket table (an index
    range, sorted), and only those rows are joined with their component, unit and assignee."""
    chosen = (
        Ticket.select(Ticket.id)
        .where(query._where)
        .order_by(*query._order_by)
        .limit(limit)
        .offset(offset)
    )
    return query.where(Ticket.id.in_(chosen))


# --- the due lists --------------------------------------------------------------------------


def needs_reaction(s: Settings):
    """Open tickets in DMSU without a supporter's reaction for more than N working days.

    A ticket waiting for the submitter's reply is left to the reminders (seed 001: "On the
    other hand, tickets may get stuck in the 'waiting for reply' state") unless the submitter
    wrote after the last reaction.
    """
    cutoff = db_instant(working_days_before(s.calendar, s.now, s.reaction_working_days))
    reaction = fn.COALESCE(last_reaction_at(), Ticket.created_at)
    submitter = last_submitter_comment_at()
    quiet_wait = (Ticket.status == WAITING) & (
        is_null(submitter) | (submitter <= last_reaction_at())
    )
    return (
        base_query(reaction.alias("last_reaction"))
        .where(open_in("dmsu", s=s) & (reaction < cutoff) & ~quiet_wait)
        .order_by(reaction, Ticket.ggus_id)
    )


def waiting_for_reply(s: Settings):
    """Tickets in ``waiting for reply`` whose submitter has been silent past the reminder."""
    since = waiting_since_at()
    submitter = last_submitter_comment_at()
    limit = db_instant(s.now - timedelta(days=s.remind_after_days))
    return (
        base_query(since.alias("waiting_since"), submitter.alias("submitter_wrote"))
        .where(
            open_in(*CARE_KINDS, s=s)
            & (Ticket.status == WAITING)
            & (since < limit)
            & (is_null(submitter) | (submitter < limit))
        )
        .order_by(since, Ticket.ggus_id)
    )


def postponed(s: Settings):
    """Seed 000: a defect "is postponed for decision at the DMSU meeting"."""
    since = last_assigned_at()  # longest waiting first (and no index scan by creation date)
    return (
        base_query(since.alias("unit_since"))
        .where(open_in(*CARE_KINDS, s=s) & (Ticket.postponed == True))  # noqa: E712
        .order_by(since, Ticket.ggus_id)
    )


def eta_within_week(s: Settings):
    due = latest_eta_due()
    return (
        base_query(due.alias("eta_due"))
        .where(open_in("third_line", s=s) & (due >= s.today) & (due <= s.today + timedelta(days=7)))
        .order_by(due, Ticket.id)
    )


def eta_expired(s: Settings):
    due = latest_eta_due()
    return (
        base_query(due.alias("eta_due"), Ticket.escalated_at.alias("escalated_at"))
        .where(open_in("third_line", s=s) & (due < s.today))
        .order_by(due, Ticket.id)
    )


def no_eta(s: Settings):
    """At the 3rd line for more than N working days with no ETA from the unit."""
    since = last_assigned_at()
    cutoff = db_instant(working_days_before(s.calendar, s.now, s.no_eta_working_days))
    return (
        base_query(since.alias("unit_since"))
        .where(open_in("third_line", s=s) & is_null(latest_eta_due()) & (since < cutoff))
        .order_by(since, Ticket.id)
    )


def on_hold(s: Settings):
    since = last_assigned_at()
    return (
        base_query(since.alias("unit_since"))
        .where(open_in(*CARE_KINDS, s=s) & (Ticket.status == "on hold"))
        .order_by(since, Ticket.id)
    )


def _stale(kind: str, days: int, s: Settings):
    since = last_assigned_at()
    limit = db_instant(s.now - timedelta(days=days))
    return (
        base_query(since.alias("unit_since"))
        .where(open_in(kind, s=s) & (since < limit))
        .order_by(since, Ticket.id)
    )


def umd_release_stale(s: Settings):
    """Tickets in UMD release too long, each with ``testing_version``: the component release
    last delivered to UMD (seen in a testing channel by the repository scan, or recorded by
    hand) and not yet verified or rejected, if there is one."""
    return _stale("umd_release", s.umd_stale_days, s).select_extend(
        _delivered_version().alias("testing_version")
    )


def _delivered_version():
    release = Release.alias()
    return (
        release.select(release.version)
        .where((release.component == Ticket.component) & (release.status == "delivered"))
        .order_by(release.recorded_at.desc(), release.id.desc())
        .limit(1)
    )


def third_line_stale(s: Settings):
    return _stale("third_line", s.third_line_stale_days, s)


def solution_digest_to_write(s: Settings):
    """Lack-of-expertise tickets solved at the 3rd line with no solution digest linked or
    dismissed (a wiki page for the ticket, or a ``digest`` event)."""
    from dmsu.wiki.models import Page

    page = Page.select(Page.id).where(Page.ticket == Ticket.id)
    event = TicketEvent.alias()
    digest = event.select(event.id).where((event.ticket == Ticket.id) & (event.kind == "digest"))
    return (
        base_query()
        .where(
            (Ticket.lack_of_expertise == True)  # noqa: E712
            & Ticket.status.in_(DIGEST_STATUSES)
            & ~fn.EXISTS(page)
            & ~fn.EXISTS(digest)
        )
        .order_by(Ticket.updated_at.desc(), Ticket.ggus_id)
    )
