"""SLA deadlines by the new rule (:data:`dmsu.tickets.sla.stored_clocks.DEADLINE_RULE` 2):
hours that run out at a closing time are exceeded at the next opening. Every stored clock was
worked out by the old rule; their calendar keys no longer match, and this brings them in step
at once instead of at the next hourly job. A no-op where no clock is stale."""

from __future__ import annotations


def up(db, migrator):
    from dmsu.tickets.sla import stored_clocks

    stored_clocks.refresh_stale()
