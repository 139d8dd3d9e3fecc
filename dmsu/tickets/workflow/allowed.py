"""What a user may do on a ticket, asked of the workflow itself (issue 17).

The ticket page offers a form only where the step behind it would accept it. Rather than
repeat the steps' role and state rules in templates, :func:`allowed_actions` calls each step's
own ``check_<step>`` predicate (the one the step raises from), so the page and the workflow
cannot drift apart; ``tests/test_tickets_workflow_allowed.py`` holds them together.

"Allowed" means the role and the ticket's state permit the action. What the person still has to
give on the form (a reason, a note, a date, a version, the component before a fix is delivered)
is checked by the step when the form is sent, with its one sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

import dmsu.tickets.workflow.fields as fields
import dmsu.tickets.workflow.followup as followup
import dmsu.tickets.workflow.releases as releases
import dmsu.tickets.workflow.steps as steps
import dmsu.tickets.workflow.transitions as transitions
from dmsu.auth import permissions
from dmsu.auth.models import User
from dmsu.auth.permissions import PermissionDenied
from dmsu.tickets.models import Ticket, TicketInvolvement
from dmsu.tickets.units import DMSU, TPM, SupportUnit
from dmsu.tickets.workflow.events import WorkflowError


@dataclass(frozen=True)
class AllowedActions:
    """The actions one user may take on one ticket now; each names the step it stands for."""

    comment: bool  # add_comment
    take: bool  # take
    take_starts_work: bool  # take also moves the ticket in progress
    route_to_dmsu: bool  # route_to_dmsu
    send_back_to_tpm: bool  # send_back_to_tpm
    statuses: tuple[str, ...]  # change_status: the statuses the user may move the ticket to
    assign_user: bool  # set_assignee to someone other than the user (or to nobody)
    supporters: tuple[User, ...]  # whom set_assignee may name, when assign_user
    third_line_units: tuple[SupportUnit, ...]  # reassign_to_third_line: the units, by name
    record_eta: bool  # record_eta
    escalate: bool  # escalate
    deliver_fix: bool  # deliver_fix
    triage_fields: bool  # update_fields of subject, description, component, category, priority
    dmsu_fields: bool  # update_fields of impact, workaround, the flags, the fixed version
    involve_units: tuple[SupportUnit, ...]  # involve_unit: the units, by name
    uninvolve_units: tuple[SupportUnit, ...]  # uninvolve_unit: the units, by name
    dismiss_digest: bool  # dismiss_solution_digest
    # why a form the user's role allows is not offered now, one sentence each (issue 18: a
    # resolver could not see why the ETA form was missing while the ticket was in DMSU)
    why_not: tuple[str, ...] = ()

    @property
    def any_form(self) -> bool:
        """Whether the page's action column offers any form (its "Actions" heading)."""
        return bool(
            self.take
            or self.route_to_dmsu
            or self.send_back_to_tpm
            or self.statuses
            or (self.assign_user and self.supporters)
            or self.third_line_units
            or self.record_eta
            or self.escalate
            or self.deliver_fix
            or self.triage_fields
            or self.involve_units
            or self.uninvolve_units
            or self.dismiss_digest
        )


def _permits(check, *args) -> bool:
    """Whether a step's predicate accepts: it raises exactly what the step would."""
    try:
        check(*args)
    except (PermissionDenied, WorkflowError):
        return False
    return True


def _refusal(check, *args) -> str | None:
    """The sentence a step's predicate refuses with when the role is not the reason (the
    ticket's state is), else ``None``."""
    try:
        check(*args)
    except PermissionDenied:
        return None
    except WorkflowError as refused:
        return str(refused)
    return None


def _why_not(ticket: Ticket, user, third_line: list[SupportUnit]) -> tuple[str, ...]:
    """Sentences for the forms DMSU's people miss on an open ticket: the ETA while the ticket
    is not with a 3rd-line unit (its state), the reassignment to the 3rd line for a resolver
    (the role: seed 000, "it is only DMSU who can assign tickets to the 3rd line")."""
    if not ticket.is_open or not permissions.can(user, "ticket.work"):
        return ()  # a closed ticket: the status form offers to reopen it
    found = [_refusal(followup.check_record_eta, ticket, user)]
    if third_line and ticket.support_unit_id not in {unit.id for unit in third_line}:
        try:
            steps.check_reassign_to_third_line(ticket, user, third_line[0])
        except PermissionDenied as refused:
            found.append(f"{refused} Ask one of them to reassign it.")
        except WorkflowError:
            pass
    return tuple(sentence for sentence in found if sentence)


def allowed_actions(ticket: Ticket, user) -> AllowedActions:
    """What ``user`` may do on ``ticket`` now, by the steps' own predicates (three queries: the
    units, the units involved, the supporters)."""
    units = list(SupportUnit.select().order_by(SupportUnit.name))
    involved = {
        row.support_unit_id
        for row in TicketInvolvement.select(TicketInvolvement.support_unit).where(
            TicketInvolvement.ticket == ticket
        )
    }
    named = {unit.name: unit for unit in units}
    people = list(User.active_with_role(*steps.DMSU_ROLES))
    me = getattr(user, "id", None)
    others = [None, *(person for person in people if person.id != me)]  # taking it is `take`
    assignable = [p for p in others if _permits(steps.check_set_assignee, ticket, user, p)]
    return AllowedActions(
        comment=_permits(steps.check_comment, ticket, user),
        take=_permits(steps.check_take, ticket, user),
        take_starts_work=ticket.status in steps.UNSTARTED,
        route_to_dmsu=DMSU in named and _permits(steps.check_assign, ticket, user, named[DMSU]),
        send_back_to_tpm=TPM in named
        and _permits(steps.check_send_back_to_tpm, ticket, user, named[TPM]),
        statuses=tuple(
            status
            for status in transitions.allowed_moves(ticket.status)
            if _permits(steps.check_change_status, ticket, user, status)
        ),
        assign_user=bool(assignable),
        supporters=tuple(people) if assignable else (),
        third_line_units=tuple(
            unit
            for unit in units
            if unit.kind == "third_line"
            and _permits(steps.check_reassign_to_third_line, ticket, user, unit)
        ),
        record_eta=_permits(followup.check_record_eta, ticket, user),
        escalate=_permits(followup.check_escalate, ticket, user),
        deliver_fix=_permits(releases.check_deliver_fix, ticket, user),
        triage_fields=_permits(fields.check_update_fields, ticket, user, fields.TRIAGE_FIELDS),
        dmsu_fields=_permits(fields.check_update_fields, ticket, user, fields.DMSU_FIELDS),
        involve_units=tuple(
            unit
            for unit in units
            if _permits(fields.check_involve_unit, ticket, user, unit, involved)
        ),
        uninvolve_units=tuple(
            unit
            for unit in units
            if _permits(fields.check_uninvolve_unit, ticket, user, unit, involved)
        ),
        dismiss_digest=_permits(releases.check_dismiss_solution_digest, ticket, user),
        why_not=_why_not(ticket, user, [unit for unit in units if unit.kind == "third_line"]),
    )


def may_create_ticket(user) -> bool:
    """Whether ``user`` may record a ticket (the ticket list's "Record a ticket")."""
    return _permits(steps.check_create, user)


def may_record_release(user) -> bool:
    """Whether ``user`` may record a component release (the releases page's form)."""
    return _permits(releases.check_record_release, user)
