"""Demo requirements: about 15 taken from the demo's change-request tickets, in every state —
assessed small and sent to the 3rd line, assessed large with an RT id, reported to a TCB meeting,
accepted, rejected, implemented, withdrawn. No call reaches RT: RT ids are entered as by hand."""

from __future__ import annotations

from datetime import timedelta

from dmsu.core import clock
from dmsu.requirements import log, routing, tcb
from dmsu.requirements.models import Requirement
from dmsu.requirements.rt_client import RtSettings
from dmsu.tickets.models import Ticket
from dmsu.tickets.units import SupportUnit

WANTED = 15
NO_RT = RtSettings(url="")
# What happens to the n-th requirement after it is recorded.
PLOTS = (
    ("large", "in RT"),
    ("small", "sent to 3rd line"),
    ("large", "implemented"),
    ("large", "accepted"),
    (None, "new"),
    ("small", "implemented"),
    ("large", "rejected"),
    ("large", "in RT"),
    (None, "withdrawn"),
    ("small", "assessed"),
    ("large", "in RT"),
    ("small", "sent to 3rd line"),
    ("large", "assessed"),
    ("large", "in RT"),
    (None, "new"),
)


def _source_tickets(limit: int) -> list[Ticket]:
    wanted = list(
        Ticket.select()
        .where(Ticket.category == "change request")
        .order_by(Ticket.created_at)
        .limit(limit)
    )
    if len(wanted) < limit:
        taken = [t.id for t in wanted] or [0]
        wanted += list(
            Ticket.select()
            .where(Ticket.id.not_in(taken))
            .order_by(Ticket.created_at)
            .limit(limit - len(wanted))
        )
    return wanted


def _third_line_tickets() -> list[Ticket]:
    return list(
        Ticket.select()
        .join(SupportUnit, on=(Ticket.support_unit == SupportUnit.id))
        .where(SupportUnit.kind == "third_line", Ticket.priority == "less urgent")
        .order_by(Ticket.created_at.desc())
        .limit(10)
    )


def load(ctx) -> str:
    if Requirement.select().exists():
        return "Requirements: already there."
    staff = [u for u in ctx.users.values() if u.role in ("resolver", "assigner", "admin")]
    if not staff:
        return "Requirements: no DMSU users, none made."
    sources = _source_tickets(WANTED)
    spare_third_line = [t for t in _third_line_tickets() if t not in sources]
    made, rt_id = [], 4100
    for n, ticket in enumerate(sources):
        effort, goal = PLOTS[n % len(PLOTS)]
        user = staff[n % len(staff)]
        at = min(ticket.created_at + timedelta(days=ctx.rng.randint(2, 10)), ctx.end)
        with clock.frozen(at):
            r = log.create_requirement(
                user,
                title=ticket.subject[:300],
                description=f"From GGUS ticket #{ticket.ggus_id}.",
                component=ticket.component,
                ggus_ids=[ticket.ggus_id],
            )
            if goal == "withdrawn":
                log.change_status(r, user, "withdrawn", note="Already possible with a setting.")
            if effort is None:
                made.append(r)
                continue
            routing.assess(r, user, effort)
            if effort == "large" and goal != "assessed":
                rt_id += ctx.rng.randint(1, 40)
                routing.link_rt_ticket(r, user, str(rt_id), NO_RT)
            elif effort == "small" and goal != "assessed" and spare_third_line:
                routing.send_to_third_line(r, user, str(spare_third_line.pop().ggus_id))
            if goal in ("accepted", "rejected", "implemented") and r.status != "assessed":
                if goal == "implemented" and r.status == "in RT":
                    note = f"RT ticket #{r.rt_id} is now resolved (was new)."
                    log.write(r, None, {"rt_status": "resolved"}, [("rt_status", note, {})])
                log.change_status(r, user, goal)
        made.append(r)
    reported = _report_to_tcb(ctx, staff[0])
    in_rt = sum(1 for r in made if r.rt_id)
    return f"Requirements: {len(made)} demo requirements ({in_rt} with RT ids), {reported} TCB reports."


def _report_to_tcb(ctx, user) -> int:
    """One TCB meeting a fortnight before the demo's end, on the quarter before it."""
    from dmsu.metrics.periods import project_quarter, quarter_of

    meeting = ctx.end - timedelta(days=14)
    try:
        quarter = project_quarter(quarter_of(meeting) - 1)
    except ValueError:
        return 0
    with clock.frozen(meeting):
        digest = tcb.tcb_digest(quarter, user)
        if not digest.all:
            return 0
        recorded, _ = tcb.record_reported(digest, user, meeting.date().isoformat())
    return recorded
