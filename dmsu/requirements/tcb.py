"""The requirements digest for the TCB meetings.

Seed 000: "Digests of the requirements gathered in this way, as well as status report on their
processing are provided to TCB regularly at its meetings."

A digest for a period (``PQ9``, ``2013-02``, ...; see :func:`dmsu.metrics.periods.parse_period`)
lists the requirements gathered in the period and, as the status report, the older ones still
being processed (not final) or finished during the period — each with its current status, effort,
GGUS tickets and RT ticket. Recording the digest as reported at a meeting adds one
:class:`TcbReport` per listed requirement (once per meeting date) and moves the ones not yet
decided (new, assessed, in RT, sent to 3rd line) to ``reported to TCB``.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date

from peewee import JOIN

from dmsu.auth.permissions import require
from dmsu.cheatsheet.models import Component
from dmsu.core import clock, csvcells
from dmsu.core.db import database
from dmsu.metrics.periods import Period
from dmsu.requirements.log import RequirementError, can_move, write
from dmsu.requirements.models import (
    FINAL_STATUSES,
    REQUIREMENT_STATUSES,
    Requirement,
    TcbReport,
)
from dmsu.requirements.queries import ggus_ids_by_requirement
from dmsu.requirements.rt_client import ticket_url

MOVES_ON_REPORT = ("new", "assessed", "in RT", "sent to 3rd line")


@dataclass
class TcbDigest:
    period: Period
    gathered: list[Requirement]
    in_progress: list[Requirement]
    tickets: dict[int, list[int]]
    reported: dict[int, list[date]]  # requirement id -> meeting dates

    @property
    def all(self) -> list[Requirement]:
        return self.gathered + self.in_progress

    def counts(self, rows: list[Requirement]) -> list[tuple[str, int]]:
        seen = Counter(r.status for r in rows)
        return [(s, seen[s]) for s in REQUIREMENT_STATUSES if seen[s]]


def tcb_digest(period: Period, user) -> TcbDigest:
    base = (
        Requirement.visible_to(user)
        .select(Requirement, Component)
        .join(Component, JOIN.LEFT_OUTER)
        .order_by(Requirement.created_at, Requirement.id)
    )
    gathered = list(
        base.where((Requirement.created_at >= period.start) & (Requirement.created_at < period.end))
    )
    in_progress = list(
        base.where(
            (Requirement.created_at < period.start)
            & (Requirement.status.not_in(FINAL_STATUSES) | (Requirement.updated_at >= period.start))
        )
    )
    ids = [r.id for r in gathered + in_progress]
    reported: dict[int, list[date]] = {}
    if ids:
        for report in (
            TcbReport.select(TcbReport.requirement, TcbReport.meeting_date)
            .where(TcbReport.requirement.in_(ids))
            .order_by(TcbReport.meeting_date)
        ):
            reported.setdefault(report.requirement_id, []).append(report.meeting_date)
    return TcbDigest(period, gathered, in_progress, ggus_ids_by_requirement(ids), reported)


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def digest_markdown(digest: TcbDigest, *, rt_base_url: str, page_url) -> str:
    """The digest as markdown, to paste into the TCB meeting's agenda or minutes."""
    p = digest.period
    lines = [
        f"# DMSU requirements digest {p.name}",
        "",
        f"Period: {p.start:%Y-%m-%d} to {p.end:%Y-%m-%d} (end excluded). "
        f"Gathered: {len(digest.gathered)}; earlier ones in progress: {len(digest.in_progress)}.",
    ]
    for heading, rows in (
        (f"Gathered in {p.name}", digest.gathered),
        ("Status of earlier requirements", digest.in_progress),
    ):
        lines += ["", f"## {heading}", ""]
        if not rows:
            lines.append("None.")
            continue
        counts = ", ".join(f"{status}: {n}" for status, n in digest.counts(rows))
        lines += [f"By status — {counts}.", ""]
        lines.append("| Requirement | Component | Effort | Status | GGUS | RT |")
        lines.append("| --- | --- | --- | --- | --- | --- |")
        for r in rows:
            ggus = ", ".join(f"#{g}" for g in digest.tickets.get(r.id, []))
            rt = ""
            if r.rt_id:
                rt = (
                    f"[#{r.rt_id}]({ticket_url(rt_base_url, r.rt_id)})"
                    if rt_base_url
                    else f"#{r.rt_id}"
                )
                if r.rt_status:
                    rt += f" ({r.rt_status})"
            component = r.component.name if r.component_id else ""
            cells = [_cell(component), r.effort or "", r.status, ggus, rt]
            lines.append(
                f"| [{_cell(r.title)}]({page_url(r.id)}) | "
                + " | ".join(c or "—" for c in cells)
                + " |"
            )
    return "\n".join(lines) + "\n"


def digest_csv(digest: TcbDigest, *, rt_base_url: str) -> str:
    out = io.StringIO()
    writer = csvcells.writer(out)
    writer.writerow(
        ("section", "id", "title", "component", "effort", "status", "ggus_tickets", "rt_id")
        + ("rt_status", "rt_url", "created_at", "reported_to_tcb")
    )
    for section, rows in (("gathered", digest.gathered), ("in progress", digest.in_progress)):
        for r in rows:
            writer.writerow(
                (
                    section,
                    r.id,
                    r.title,
                    r.component.name if r.component_id else "",
                    r.effort or "",
                    r.status,
                    " ".join(str(g) for g in digest.tickets.get(r.id, [])),
                    r.rt_id or "",
                    r.rt_status,
                    ticket_url(rt_base_url, r.rt_id) if r.rt_id and rt_base_url else "",
                    r.created_at.isoformat(),
                    " ".join(d.isoformat() for d in digest.reported.get(r.id, [])),
                )
            )
    return out.getvalue()


def parse_meeting_date(text) -> date:
    raw = str(text or "").strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise RequirementError(f"'{raw[:20]}' is not a date like 2013-02-14.") from None


def record_reported(digest: TcbDigest, actor, meeting_date, *, ids=None, note="", at=None):
    """Record that the digest's requirements (or those of ``ids`` among them) were reported
    at the TCB meeting of ``meeting_date``; returns (recorded, already recorded) counts.
    All or nothing: one transaction."""
    require(actor, "requirement.edit", "record TCB reports")
    meeting = parse_meeting_date(meeting_date)
    at = at or clock.now()
    rows = digest.all
    if ids is not None:
        wanted = {int(i) for i in ids}
        unknown = wanted - {r.id for r in rows}
        if unknown:
            raise RequirementError(
                f"Requirement {min(unknown)} is not in the {digest.period.name} digest; reload it."
            )
        rows = [r for r in rows if r.id in wanted]
    if not rows:
        raise RequirementError(f"The {digest.period.name} digest lists no requirements to record.")
    already = {
        r.requirement_id
        for r in TcbReport.select(TcbReport.requirement).where(
            (TcbReport.meeting_date == meeting) & (TcbReport.requirement.in_([r.id for r in rows]))
        )
    }
    recorded = 0
    with database.atomic():
        for r in rows:
            if r.id in already:
                continue
            changes = {}
            summary = (
                f"Reported to the TCB meeting of {meeting:%Y-%m-%d} ({digest.period.name} digest)."
            )
            if r.status in MOVES_ON_REPORT and can_move(r.status, "reported to TCB"):
                changes["status"] = "reported to TCB"
                summary += f" Status {r.status} → reported to TCB."
            TcbReport.create(
                requirement=r,
                meeting_date=meeting,
                status_reported=r.status,
                note=str(note or "")[:2000],
                recorded_by=actor,
                recorded_at=at,
            )
            data = {"meeting": meeting.isoformat(), "period": digest.period.name}
            write(r, actor, changes, [("tcb_reported", summary, data)], at=at)
            recorded += 1
    return recorded, len(already)
