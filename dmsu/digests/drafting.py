"""Drafting the weekly digest from the week's ticket events.

Seed 000: "Digest of the tickets handled by DMSU in the previous week is prepared by the DMSU
shift on duty person as his/her final task ... The digests are publicly available, and they
are focused on issues that are likely to hit broader user community."

The counts come from the event log (ARCHITECTURE.md rule 1, "Events are the truth"), over the ISO week
``[Monday 00:00, next Monday 00:00)`` UTC of :func:`dmsu.metrics.periods.week_bounds`:

- new in DMSU: tickets assigned to DMSU during the week;
- solved in DMSU: tickets given the status ``solved`` while in DMSU;
- sent to 3rd line: tickets assigned from DMSU to a 3rd-line unit;
- back to TPM: tickets assigned from DMSU back to the 1st line;
- still open: tickets in DMSU and not closed at the end of the week.

The entries are the tickets handled that week (any event while in DMSU or at the 3rd line)
that are marked ``broad_impact``, plus those the shift adds by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from peewee import JOIN, IntegrityError, fn

from dmsu.auth.permissions import require
from dmsu.core import clock
from dmsu.core.db import write_transaction
from dmsu.core.markdown import MarkdownRefused, render_markdown, render_plain
from dmsu.core.publictext import People, public_text
from dmsu.digests import rota
from dmsu.digests.models import COUNT_LABELS, Digest, DigestEntry
from dmsu.metrics.periods import week_bounds
from dmsu.tickets.models import CLOSED_STATUSES, Ticket, TicketEvent
from dmsu.tickets.people import people_of_tickets
from dmsu.tickets.units import SupportUnit

HANDLED_KINDS = ("dmsu", "third_line")


class DigestError(ValueError):
    """A digest action that cannot be done; the message is one sentence for the user."""


def checked_week(week: str) -> str:
    """``week`` as a canonical ISO week name, or :class:`DigestError` in one sentence."""
    try:
        return rota.normalise_week(week)
    except rota.RotaError:
        raise DigestError(
            f"{str(week).strip()[:40]!r} is not an existing ISO week; write it like 2013-W07."
        ) from None


# --- The week's numbers, from the events --------------------------------------------------


@dataclass
class WeekActivity:
    counts: dict[str, int] = field(default_factory=dict)
    handled: set[int] = field(default_factory=set)  # ticket ids handled by DMSU or 3rd line


def _unit_kinds() -> dict[int, str]:
    return {unit.id: unit.kind for unit in SupportUnit.select(SupportUnit.id, SupportUnit.kind)}


def week_activity(week: str) -> WeekActivity:
    """The week's counts and the tickets handled in it (two queries plus the open count)."""
    start, end = week_bounds(checked_week(week))
    kinds = _unit_kinds()
    touched = TicketEvent.select(TicketEvent.ticket).where(
        (TicketEvent.at >= start) & (TicketEvent.at < end)
    )
    events = (
        TicketEvent.select(
            TicketEvent.id,
            TicketEvent.ticket,
            TicketEvent.at,
            TicketEvent.kind,
            TicketEvent.support_unit,
            TicketEvent.from_unit,
            TicketEvent.status,
        )
        .where(
            TicketEvent.ticket.in_(touched)
            & (TicketEvent.at < end)
            & ((TicketEvent.kind == "assigned") | (TicketEvent.at >= start))
        )
        .order_by(TicketEvent.ticket, TicketEvent.at, TicketEvent.id)
        .tuples()
    )
    new, solved, third, tpm, handled = set(), set(), set(), set(), set()
    current: dict[int, str | None] = {}
    for _id, ticket, at, kind, unit_id, from_id, status in events:
        before = current.get(ticket)
        if kind == "assigned":
            source = kinds.get(from_id) if from_id else before
            target = kinds.get(unit_id)
            current[ticket] = target
            if at < start:
                continue
            if target == "dmsu" and source != "dmsu":
                new.add(ticket)
            if source == "dmsu" and target == "third_line":
                third.add(ticket)
            if source == "dmsu" and target == "first_line":
                tpm.add(ticket)
            if source in HANDLED_KINDS or target in HANDLED_KINDS:
                handled.add(ticket)
            continue
        unit_kind = kinds.get(unit_id) if unit_id else before
        if unit_kind in HANDLED_KINDS:
            handled.add(ticket)
        if kind == "status" and status == "solved" and unit_kind == "dmsu":
            solved.add(ticket)
    counts = {
        "new_in_dmsu": len(new),
        "solved_in_dmsu": len(solved),
        "sent_to_third_line": len(third),
        "back_to_tpm": len(tpm),
        "still_open": still_open_in_dmsu(end),
    }
    return WeekActivity(counts=counts, handled=handled)


def _latest_per_ticket(kind: str, end):
    """(ticket, at) of each ticket's latest event of ``kind`` before ``end``."""
    return (
        TicketEvent.select(
            TicketEvent.ticket.alias("ticket_id"), fn.MAX(TicketEvent.at).alias("latest")
        )
        .where((TicketEvent.kind == kind) & (TicketEvent.at < end))
        .group_by(TicketEvent.ticket)
    )


def still_open_in_dmsu(end) -> int:
    """Tickets whose latest assignment before ``end`` went to DMSU and whose latest status
    before ``end`` (if any) is not a closed one."""
    dmsu_units = SupportUnit.select(SupportUnit.id).where(SupportUnit.kind == "dmsu")
    last_assigned = _latest_per_ticket("assigned", end).alias("last_assigned")
    in_dmsu = (
        TicketEvent.select(TicketEvent.ticket)
        .join(
            last_assigned,
            on=(
                (TicketEvent.ticket == last_assigned.c.ticket_id)
                & (TicketEvent.at == last_assigned.c.latest)
            ),
        )
        .where((TicketEvent.kind == "assigned") & TicketEvent.support_unit.in_(dmsu_units))
    )
    last_status = _latest_per_ticket("status", end).alias("last_status")
    closed = (
        TicketEvent.select(TicketEvent.ticket)
        .join(
            last_status,
            on=(
                (TicketEvent.ticket == last_status.c.ticket_id)
                & (TicketEvent.at == last_status.c.latest)
            ),
        )
        .where((TicketEvent.kind == "status") & TicketEvent.status.in_(CLOSED_STATUSES))
    )
    return Ticket.select(Ticket.id).where(Ticket.id.in_(in_dmsu) & Ticket.id.not_in(closed)).count()


# --- Entries -------------------------------------------------------------------------------


def status_text(ticket: Ticket) -> str:
    """The ticket's current status in public words, e.g. "in progress, at CREAM"."""
    unit = ticket.support_unit.name if ticket.support_unit_id and ticket.support_unit else ""
    return f"{ticket.status}, at {unit}"[:120] if unit else ticket.status


def ticket_fields(ticket: Ticket, people: People | None = None) -> dict[str, str]:
    """The public text a draft takes from a ticket: subject, description, impact, workaround,
    status — never its comments — each made public text: the submitter's greeting, sign-off
    and signature, and the names and contacts of ``people`` (the ticket's) and of anyone
    else named in a letter, taken out (:func:`dmsu.core.publictext.public_text`)."""
    subject = public_text(ticket.subject, people)
    return {
        "title": subject[:500],
        "component_name": ticket.component.name if ticket.component_id else "",
        "symptoms": public_text(ticket.description, people) or subject,
        "impact": public_text(ticket.impact, people),
        "workaround": public_text(ticket.workaround, people),
        "status_text": status_text(ticket),
    }


def digest_html(text: str, *, drafted: bool = False) -> str:
    """A digest text as sanitised HTML, through the one markdown path. Text the shift typed
    that the path refuses is refused with its sentence (:class:`DigestError`); text drafted
    from a ticket (checked when it was written there) is shown as plain paragraphs instead."""
    if not text.strip():
        return ""
    try:
        return render_markdown(text, kind="digest text")
    except MarkdownRefused as exc:
        if drafted:
            return render_plain(text)
        raise DigestError(str(exc)) from None


def render_entry(entry: DigestEntry, *, drafted: bool = False) -> str:
    """The entry's body (symptoms, impact, workaround) as sanitised HTML, to store."""
    parts = []
    for label, text in (
        ("Symptoms", entry.symptoms),
        ("Impact", entry.impact),
        ("Workaround", entry.workaround),
    ):
        if text.strip():
            parts.append(f"<h4>{label}</h4>\n{digest_html(text, drafted=drafted)}")
    return "\n".join(parts)


def _fill(entry: DigestEntry, ticket: Ticket, people: People | None = None) -> DigestEntry:
    for name, value in ticket_fields(ticket, people).items():
        setattr(entry, name, value)
    entry.html = render_entry(entry, drafted=True)
    return entry


def _tickets(ids) -> list[Ticket]:
    from dmsu.cheatsheet.models import Component

    return list(
        Ticket.select(Ticket, Component, SupportUnit)
        .join(Component, join_type=JOIN.LEFT_OUTER, on=(Ticket.component == Component.id))
        .switch(Ticket)
        .join(SupportUnit, join_type=JOIN.LEFT_OUTER, on=(Ticket.support_unit == SupportUnit.id))
        .where(Ticket.id.in_(list(ids)))
        .order_by(Ticket.ggus_id)
    )


# --- Drafts --------------------------------------------------------------------------------


@dataclass
class DraftResult:
    digest: Digest
    created: bool
    refreshed: bool = False
    added: int = 0


def draft_digest(week: str, *, refresh: bool = False, actor=None) -> DraftResult:
    """Draft the digest of ``week`` unless it exists (idempotent). ``refresh`` recomputes the
    counts and the text of entries nobody edited, and adds newly broad-impact tickets; it
    keeps every edit and every dropped ticket. ``actor`` None is the system (job, CLI)."""
    week = checked_week(week)
    if actor is not None:
        require(actor, "digest.edit", "draft a weekly digest")
    digest = Digest.get_or_none(Digest.week == week)
    if digest is not None and not refresh:
        return DraftResult(digest, created=False)
    activity = week_activity(week)
    broad = [t for t in _tickets(activity.handled) if t.broad_impact]
    now = clock.now()
    created = digest is None
    try:
        with write_transaction("digests"):
            if digest is None:
                digest = Digest.create(
                    week=week,
                    year=int(week[:4]),
                    author=rota.on_shift(week),
                    counts=json.dumps(activity.counts),
                    created_at=now,
                    updated_at=now,
                )
            else:
                digest = _recount(digest, activity.counts, actor, now)
            added = _merge_entries(digest, broad)
    except IntegrityError:  # drafted at the same moment by another process
        return DraftResult(Digest.get(Digest.week == week), created=False)
    return DraftResult(digest, created=created, refreshed=not created, added=added)


def _recount(digest: Digest, counts: dict[str, int], actor, now) -> Digest:
    """Store a refresh's counts: only the columns a refresh changes, so that whatever was
    saved or published since ``digest`` was read stays. The version moves on, so an edit form
    opened before the refresh is refused instead of saving back the text it replaced."""
    values = {
        "counts": json.dumps(counts),
        "version": Digest.version + 1,
        "updated_by": actor.id if actor is not None else None,
        "updated_at": now,
    }
    if digest.author_id is None:
        shift = rota.on_shift(digest.week)
        values["author"] = fn.COALESCE(Digest.author, shift.id if shift else None)
    Digest.update(**values).where(Digest.id == digest.id).execute()
    return Digest.get_by_id(digest.id)


REFRESHED_FIELDS = ("title", "component_name", "symptoms", "impact", "workaround", "status_text")


def _merge_entries(digest: Digest, tickets: list[Ticket]) -> int:
    """Add the tickets not yet in ``digest``; refresh the text of entries nobody edited (a
    conditional UPDATE: an entry edited or dropped meanwhile keeps its text)."""
    existing = {e.ggus_id: e for e in DigestEntry.select().where(DigestEntry.digest == digest)}
    by_ggus = {t.ggus_id: t for t in tickets}
    position = max((e.position for e in existing.values()), default=0)
    ids = [t.id for t in tickets] + [e.ticket_id for e in existing.values() if e.ticket_id]
    people = people_of_tickets(ids)
    added = 0
    for entry in existing.values():
        ticket = by_ggus.get(entry.ggus_id)
        if ticket is None and entry.ticket_id is not None:
            ticket = Ticket.get_or_none(Ticket.id == entry.ticket_id)
        if ticket is not None and not entry.edited and not entry.dropped:
            _fill(entry, ticket, people.get(ticket.id))
            DigestEntry.update(
                **{name: getattr(entry, name) for name in REFRESHED_FIELDS}, html=entry.html
            ).where(
                (DigestEntry.id == entry.id)
                & (DigestEntry.edited == False)  # noqa: E712
                & (DigestEntry.dropped == False)  # noqa: E712
            ).execute()
    for ticket in tickets:
        if ticket.ggus_id in existing:
            continue
        position += 1
        entry = DigestEntry(digest=digest, ticket=ticket, ggus_id=ticket.ggus_id)
        entry.position = position
        _fill(entry, ticket, people.get(ticket.id)).save()
        added += 1
    return added


def entries_of(digest: Digest, *, dropped: bool = False) -> list[DigestEntry]:
    return list(
        DigestEntry.select()
        .where((DigestEntry.digest == digest) & (DigestEntry.dropped == dropped))
        .order_by(DigestEntry.position, DigestEntry.id)
    )


def add_ticket(digest: Digest, ggus_id, actor) -> DigestEntry:
    """The shift adds a ticket by its GGUS id (a dropped one comes back with its text)."""
    require(actor, "digest.edit", "edit a weekly digest")
    try:
        number = int(str(ggus_id).strip().lstrip("#"))
    except ValueError:
        raise DigestError("Give the ticket's GGUS number, like 91039.") from None
    tickets = _tickets(Ticket.select(Ticket.id).where(Ticket.ggus_id == number))
    if not tickets:
        raise DigestError(f"There is no ticket #{number} on this site.")
    ticket = tickets[0]
    already = DigestError(f"Ticket #{number} is already in this digest.")
    try:
        with write_transaction("digests"):
            entry = DigestEntry.get_or_none(
                (DigestEntry.digest == digest) & (DigestEntry.ggus_id == number)
            )
            if entry is not None:
                back = (
                    DigestEntry.update(dropped=False)
                    .where((DigestEntry.id == entry.id) & (DigestEntry.dropped == True))  # noqa: E712
                    .execute()
                )
                if back != 1:
                    raise already
                entry.dropped = False
                return entry
            last = (
                DigestEntry.select(fn.MAX(DigestEntry.position))
                .where(DigestEntry.digest == digest)
                .scalar()
            )
            entry = DigestEntry(digest=digest, ticket=ticket, ggus_id=number, source="manual")
            entry.position = (last or 0) + 1
            _fill(entry, ticket, people_of_tickets([ticket.id]).get(ticket.id)).save()
            return entry
    except IntegrityError:  # added at the same moment by someone else
        raise already from None


def drop_entry(digest: Digest, entry_id, actor) -> DigestEntry:
    """The shift drops a ticket from the digest; its text is kept should it come back (only
    the ``dropped`` flag is written, so a save of its text at the same moment stays)."""
    require(actor, "digest.edit", "edit a weekly digest")
    condition = (DigestEntry.id == _int(entry_id)) & (DigestEntry.digest == digest)
    DigestEntry.update(dropped=True).where(condition).execute()
    entry = DigestEntry.get_or_none(condition)
    if entry is None:
        raise DigestError("That ticket is not in this digest.")
    return entry


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def count_rows(digest: Digest) -> list[tuple[str, int]]:
    values = digest.count_values
    return [(label, values[key]) for key, label in COUNT_LABELS.items()]
