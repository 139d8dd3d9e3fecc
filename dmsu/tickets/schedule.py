"""The tickets area's jobs: thin wrappers that read the app's settings and
call the oversight logic as of the instant they run. Every one is idempotent (see
:mod:`dmsu.tickets.oversight.notices`); rota notices are the digests area's."""

from __future__ import annotations

from flask import current_app

from dmsu.core.calendar import BusinessCalendar
from dmsu.core.schedule import JobSpec
from dmsu.tickets.oversight import due_notices, reminders, sla_watch
from dmsu.tickets.oversight.groups import Settings


def sla_check(now) -> str:
    config = current_app.config
    return sla_watch.check_sla(now, BusinessCalendar.from_config(config), config)


def eta_check(now) -> str:
    return due_notices.check_etas(Settings.from_config(current_app.config, now), current_app.config)


def waiting_reminders(now) -> str:
    return reminders.remind_waiting(now, current_app.config)


def reaction_oversight(now) -> str:
    config = current_app.config
    return due_notices.remind_reaction(Settings.from_config(config, now), config)


def sla_clocks_in_step(now) -> str:
    """Stored SLA clocks made from an old calendar, SLA level or priority, worked out again."""
    from dmsu.tickets.sla import stored_clocks as sla_clocks

    config = current_app.config
    return sla_clocks.refreshed(sla_clocks.refresh_stale(BusinessCalendar.from_config(config)))


JOBS = [
    JobSpec("sla-check", sla_check, {"trigger": "interval", "minutes": 15}),
    JobSpec("eta-check", eta_check, {"trigger": "interval", "hours": 1}),
    JobSpec("waiting-reminders", waiting_reminders, {"trigger": "interval", "hours": 1}),
    JobSpec("reaction-oversight", reaction_oversight, {"trigger": "interval", "hours": 1}),
    JobSpec("sla-clocks", sla_clocks_in_step, {"trigger": "interval", "hours": 1}),
]
