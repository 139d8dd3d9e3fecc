"""Jobs of the digests area: draft Monday's digest, remind the shift to publish it.

Seed 000: "Digest of the tickets handled by DMSU in the previous week is prepared by the DMSU
shift on duty person as his/her final task". Every Monday at 07:00 (the scheduler runs cron
triggers in ``DMSU_TIMEZONE``) the previous ISO week's digest is drafted and the person who
was on shift that week is asked to publish it. Both are idempotent (ARCHITECTURE.md rule 5): a draft
exists once per week, a reminder is recorded once per week under ``digest-reminder:<week>``;
a reminder noticed more than two days late (replaying history, an outage) is recorded but not
mailed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from dmsu.core.schedule import JobSpec
from dmsu.digests import rota
from dmsu.digests.drafting import draft_digest
from dmsu.digests.models import Digest
from dmsu.digests.publishing import digest_title
from dmsu.metrics.periods import week_bounds
from dmsu.notify import mail

MONDAY_MORNING = {"trigger": "cron", "day_of_week": "mon", "hour": 7, "minute": 0}
LATE_AFTER = timedelta(days=2)


def previous_week(now: datetime) -> str:
    """The last ISO week that has fully ended at ``now`` (UTC weeks)."""
    return rota.week_of(now - timedelta(days=7))


def draft_previous_week(now: datetime) -> str:
    """Draft the digest of the week before ``now`` unless it exists."""
    week = previous_week(now)
    result = draft_digest(week)
    if not result.created:
        return f"digest {week} already drafted"
    return f"drafted digest {week} with {len(list(result.digest.entries))} entries"


def remind_shift(now: datetime) -> str:
    """Ask the shift of the previous week to publish its digest (once per week)."""
    week = previous_week(now)
    digest = Digest.get_or_none(Digest.week == week)
    if digest is not None and digest.is_published:
        return f"digest {week} already published"
    person = (digest.author if digest and digest.author_id else None) or rota.on_shift(week)
    if person is None:
        return f"nobody on the rota for {week}"
    _, end = week_bounds(week)
    base = str(current_app.config.get("DMSU_BASE_URL", "")).rstrip("/")
    body = (
        f"Hello {person.name},\n\n"
        f"you were on DMSU shift in {week}: please publish the digest of {week} as your final "
        f"task of the shift.\n\nThe draft: {base}/digests/{week}/edit\n"
    )
    note = mail.queue(
        f"digest-reminder:{week}",
        person.email,
        f"Please publish the digest of {week} — {digest_title(week)}",
        body,
        kind="digest-reminder",
        suppress=now - end > LATE_AFTER,
    )
    if note is None:
        return f"reminder for {week} already recorded"
    return f"reminder for {week} {note.state} for {person.username}"


JOBS = [
    JobSpec("draft-weekly-digest", draft_previous_week, MONDAY_MORNING),
    JobSpec("remind-digest-shift", remind_shift, MONDAY_MORNING),
]
