"""The ticket workflow: every change to a ticket goes through here (ARCHITECTURE.md rule 1).

Each step checks the actor's role (:mod:`dmsu.auth.permissions`, a refusal raises
``PermissionDenied``), checks the rule (a refusal raises :class:`WorkflowError` with one
sentence), appends :class:`~dmsu.tickets.models.TicketEvent` rows and keeps the ticket's
summary columns equal to what the events say, all in one transaction. ``at`` defaults to
``clock.now()``; jobs pass their "as of" instant and act as :data:`SYSTEM`.

The steps live in :mod:`.steps` (moving a ticket), :mod:`.fields` (its fields and involved
units), :mod:`.followup` (ETAs and escalation) and :mod:`.releases` (the UMD release stage and
solution digests); :mod:`.allowed` asks their predicates what a user may do on a ticket, for
the pages. This package is the one name callers use for all of them. Modules inside the
package import each other directly, never this package.
"""

from dmsu.tickets.models import Ticket
from dmsu.tickets.units import SupportUnit
from dmsu.tickets.workflow.allowed import (
    AllowedActions,
    allowed_actions,
    may_create_ticket,
    may_record_release,
)
from dmsu.tickets.workflow.events import SYSTEM, WorkflowError
from dmsu.tickets.workflow.fields import involve_unit, uninvolve_unit, update_fields
from dmsu.tickets.workflow.followup import escalate, record_eta
from dmsu.tickets.workflow.releases import (
    deliver_fix,
    dismiss_solution_digest,
    link_solution_digest,
    record_release,
)
from dmsu.tickets.workflow.steps import (
    add_comment,
    assign,
    change_status,
    create_ticket,
    reassign_to_third_line,
    route_to_dmsu,
    send_back_to_tpm,
    set_assignee,
    take,
)

__all__ = [
    "SYSTEM",
    "AllowedActions",
    "SupportUnit",
    "Ticket",
    "WorkflowError",
    "add_comment",
    "allowed_actions",
    "assign",
    "change_status",
    "create_ticket",
    "deliver_fix",
    "dismiss_solution_digest",
    "escalate",
    "involve_unit",
    "link_solution_digest",
    "may_create_ticket",
    "may_record_release",
    "record_eta",
    "record_release",
    "reassign_to_third_line",
    "route_to_dmsu",
    "send_back_to_tpm",
    "set_assignee",
    "take",
    "uninvolve_unit",
    "update_fields",
]
