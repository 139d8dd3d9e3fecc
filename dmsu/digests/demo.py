"""Demo digests: the shift rota of the demo year and the digests of its last weeks.

The rota runs round robin among the demo assigners over the demo year and the next 12 weeks;
the digests of the last nine ended weeks are drafted from whatever tickets the ticket demo
made (none is fine), the oldest eight published by their shift on the Monday after their
week, the last one left as a draft for the shift to finish.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from dmsu.core import clock
from dmsu.core.markdown import render_markdown
from dmsu.digests import rota
from dmsu.digests.drafting import draft_digest
from dmsu.digests.models import Digest
from dmsu.digests.publishing import publish
from dmsu.metrics.periods import week_bounds

PUBLISHED_WEEKS = 8
INTROS = (
    "A quiet week for DMSU: most tickets were configuration questions answered the same day.",
    "Several sites upgraded this week; the issues below are the ones worth knowing about "
    "before you upgrade too.",
    "The new tickets were spread over many components; two problems may affect many sites.",
    "A busy week: the product teams were asked for ETAs on the defects listed below.",
    "Most tickets were solved within DMSU; the workarounds below help until the fixes ship.",
)


def load(ctx) -> str:
    if not rota.rotation():
        return "Digests: no assigners, so no rota and no digests."
    year_start = rota.week_of(ctx.end - timedelta(days=365))
    this_week = rota.week_of(ctx.end)
    weeks = 1 + round((rota.monday_of(this_week) - rota.monday_of(year_start)).days / 7)
    rota.generate_rota(year_start, weeks + 12)
    last = rota.add_weeks(this_week, -1)
    config = {**current_app.config, "DMSU_DIGEST_MAILTO": ""}  # the demo mails nobody
    published = drafted = 0
    for back in range(PUBLISHED_WEEKS, -1, -1):
        week = rota.add_weeks(last, -back)
        _, end = week_bounds(week)
        monday_morning = end + timedelta(hours=7)
        with clock.frozen(min(monday_morning, ctx.end)):
            digest = draft_digest(week).digest
            drafted += 1
            if back == 0:
                continue
            intro = ctx.rng.choice(INTROS)
            Digest.update(
                intro=intro, intro_html=render_markdown(intro), version=Digest.version + 1
            ).where(Digest.id == digest.id).execute()
        with clock.frozen(min(monday_morning + timedelta(hours=6), ctx.end)):
            shift = rota.on_shift(week)
            actor = shift if shift is not None and shift.role in ("assigner", "admin") else None
            publish(Digest.get_by_id(digest.id), actor, config=config)
            published += 1
    return (
        f"Digests: rota of {weeks + 12} weeks, {drafted} digests drafted, "
        f"{published} published, {last} left as a draft."
    )
