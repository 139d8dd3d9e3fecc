"""The ticket workflow's steps that move a ticket: creating, routing, assigning, status,
comments (ARCHITECTURE.md rule 1; the whole workflow is :mod:`dmsu.tickets.workflow`).

Each step checks the actor's role (:mod:`dmsu.auth.permissions`, a refusal raises
``PermissionDenied``), checks the rule (a refusal raises :class:`WorkflowError` with one
sentence), appends :class:`~dmsu.tickets.models.TicketEvent` rows and keeps the ticket's
summary columns equal to what the events say, all in one transaction. ``at`` defaults to
``clock.now()``; jobs pass their "as of" instant and act as :data:`SYSTEM`.

Each step's role and state rules are one ``check_<step>`` predicate beside it, which raises
what the step raises; :mod:`dmsu.tickets.workflow.allowed` asks the same predicates what a
user may do, so the ticket page offers exactly what the steps accept.

The flow (seed 001, "Software support Operation Procedures"): the 1st line (TPM) assigns
software tickets "to the DMSU support unit for further investigation"; DMSU either solves the
ticket, puts it on hold, reassigns it "to the appropriate 3rd line support unit of the
responsible Product Team", or sends it back to TPM. Seed 000: "it is only DMSU who can assign
tickets to the 3rd line middeware support in GGUS now".
"""

from __future__ import annotations

from datetime import date, datetime

from peewee import IntegrityError

import dmsu.tickets.workflow.transitions as transitions
from dmsu.tickets.models import (
    CATEGORIES,
    PRIORITIES,
    Ticket,
    TicketEvent,
)
from dmsu.tickets.units import DMSU, TPM, SupportUnit
from dmsu.tickets.workflow.events import (
    WorkflowError,
    append,
    check_length,
    check_open,
    component_named,
    field_change,
    instant,
    involve,
    is_system,
    require,
    set_status,
    step,
    ticket_markdown,
    uninvolve,
    unit_named,
)
from dmsu.tickets.workflow.fields import update_fields
from dmsu.tickets.workflow.followup import record_eta

DMSU_ROLES = ("resolver", "assigner", "admin")
UNSTARTED = ("new", "assigned", "reopened")  # the statuses :func:`take` moves in progress


# --- creating and moving between support units ---------------------------------------------


def check_create(actor) -> None:
    """Who may record a ticket (the rule of :func:`create_ticket`)."""
    require(actor, "ticket.create", "record a ticket")


def create_ticket(
    actor,
    *,
    ggus_id: int,
    subject: str,
    description: str = "",
    submitter: str = "",
    submitter_email: str = "",
    component=None,
    category: str | None = None,
    priority: str = "less urgent",
    at: datetime | None = None,
) -> Ticket:
    """Record a GGUS ticket; it starts ``new`` in the 1st line (TPM) queue."""
    check_create(actor)
    at = instant(at)
    subject = (subject or "").strip()
    if not subject:
        raise WorkflowError("A ticket needs a subject.")
    try:
        ggus_id = int(ggus_id)
    except (TypeError, ValueError):
        raise WorkflowError("The GGUS id must be a whole number.") from None
    if not 0 < ggus_id < 2**31:
        raise WorkflowError("The GGUS id must be a positive number below 2147483648.")
    if priority not in PRIORITIES:
        raise WorkflowError(f"'{priority}' is not a priority; use one of: {', '.join(PRIORITIES)}.")
    category = category or None
    if category is not None and category not in CATEGORIES:
        raise WorkflowError(f"'{category}' is not a category; use one of: {', '.join(CATEGORIES)}.")
    for name, value in (
        ("subject", subject),
        ("submitter", submitter),
        ("submitter_email", submitter_email),
    ):
        check_length(name, value)
    component = component_named(component)
    description_html = ticket_markdown(description, "description")
    already = WorkflowError(f"Ticket {ggus_id} is already recorded.")
    try:
        with step():
            if Ticket.select().where(Ticket.ggus_id == ggus_id).exists():
                raise already
            ticket = _insert_ticket(
                actor,
                ggus_id=ggus_id,
                subject=subject,
                description=description or "",
                description_html=description_html,
                submitter=submitter or "",
                submitter_email=submitter_email or "",
                component=component,
                category=category,
                priority=priority,
                at=at,
            )
    except IntegrityError:  # recorded by someone else at the same moment (PostgreSQL)
        raise already from None
    return ticket


def _insert_ticket(actor, *, at: datetime, **fields) -> Ticket:
    """The new ticket's row and its first event (inside the running step)."""
    tpm = SupportUnit.named(TPM)
    ticket = Ticket.create(**fields, status="new", support_unit=tpm, created_at=at, updated_at=at)
    append(ticket, actor, "assigned", at, support_unit=tpm, from_unit=None)
    return ticket


def check_assign(ticket: Ticket, actor, unit: SupportUnit) -> None:
    """Whether ``actor`` may move ``ticket`` to ``unit`` now (the rules of :func:`assign`): the
    role the unit's kind asks for, an open ticket, another unit than its own, and a fixed
    version before UMD release."""
    if unit.kind == "third_line":
        require(actor, "ticket.assign_third_line", "assign a ticket to a 3rd-line unit")
    elif unit.kind == "dmsu":
        require(actor, "ticket.route_to_dmsu", "route a ticket to DMSU")
    elif unit.kind == "first_line":
        require(actor, "ticket.send_back_to_tpm", "send a ticket back to TPM")
    else:
        require(actor, "ticket.work", "hand a ticket to UMD release")
    check_open(ticket, "assigning it")
    if ticket.support_unit_id == unit.id:
        raise WorkflowError(f"Ticket {ticket.ggus_id} is already with {unit.name}.")
    if unit.kind == "umd_release" and not ticket.fixed_version:
        raise WorkflowError("Record the fixed version (deliver the fix) before UMD release.")


def assign(
    ticket: Ticket,
    actor,
    unit,
    *,
    note: str = "",
    at: datetime | None = None,
    lack_of_expertise: bool = False,
) -> TicketEvent:
    """Move ``ticket`` to another support unit; an open ticket becomes ``assigned`` there.

    Roles: anyone on staff may route to DMSU; only DMSU sends back to TPM or to UMD release;
    seed 000: "it is only DMSU who can assign tickets to the 3rd line" (assigners, admins).
    A ticket sent to the 3rd line "because of lack of expertise" must "retain DMSU 'involved'
    with the GGUS ticket to receive correspondence, and to be able to digest the solution".
    """
    unit = unit_named(unit)
    check_assign(ticket, actor, unit)
    at = instant(at)
    if lack_of_expertise and unit.kind != "third_line":
        raise WorkflowError("Only a ticket sent to a 3rd-line unit can go for lack of expertise.")
    with step(ticket):
        before = ticket.support_unit
        event = append(
            ticket,
            actor,
            "assigned",
            at,
            support_unit=unit,
            from_unit=before,
            text=note.strip(),
            public=False,
        )
        ticket.support_unit = unit
        set_status(ticket, actor, "assigned", at)
        if unit.kind == "third_line" and ticket.postponed:
            field_change(ticket, actor, "postponed", True, False, at)
            ticket.postponed = False
        if lack_of_expertise:
            if not ticket.lack_of_expertise:
                field_change(ticket, actor, "lack_of_expertise", False, True, at)
                ticket.lack_of_expertise = True
            involve(ticket, actor, SupportUnit.named(DMSU), at)
        uninvolve(ticket, actor, unit, at)  # the unit holding the ticket is not "kept informed"
    return event


def route_to_dmsu(
    ticket: Ticket, actor, *, note: str = "", component=None, at: datetime | None = None
):
    """Seed 000: "TPM delegates to DMSU all middleware related issues".

    ``component`` (a component, its id or its name: a routing suggestion TPM chose) is set on
    the ticket in the same step, before it moves: both happen or neither."""
    if component is None:
        return assign(ticket, actor, SupportUnit.named(DMSU), note=note, at=at)
    dmsu = SupportUnit.named(DMSU)
    check_assign(ticket, actor, dmsu)
    at = instant(at)
    with step(ticket):
        update_fields(ticket, actor, component=component, at=at)
        return assign(ticket, actor, dmsu, note=note, at=at)


def check_send_back_to_tpm(ticket: Ticket, actor, tpm: SupportUnit | None = None) -> None:
    """The rules of :func:`send_back_to_tpm`: DMSU's role, and those of moving it to TPM."""
    require(actor, "ticket.send_back_to_tpm", "send a ticket back to TPM")
    check_assign(ticket, actor, tpm or SupportUnit.named(TPM))


def send_back_to_tpm(ticket: Ticket, actor, *, reason: str, at: datetime | None = None):
    """Send a ticket that is not a middleware issue back to the 1st line, saying why."""
    check_send_back_to_tpm(ticket, actor)
    if not (reason or "").strip():
        raise WorkflowError("Say why the ticket goes back to TPM.")
    return assign(ticket, actor, SupportUnit.named(TPM), note=reason, at=at)


def check_reassign_to_third_line(ticket: Ticket, actor, unit) -> None:
    """The rules of :func:`reassign_to_third_line`: assigners and admins, a 3rd-line unit, and
    those of moving the ticket there."""
    require(actor, "ticket.assign_third_line", "assign a ticket to a 3rd-line unit")
    unit = unit_named(unit)
    if unit.kind != "third_line":
        raise WorkflowError(f"{unit.name} is not a 3rd-line support unit.")
    check_assign(ticket, actor, unit)


def reassign_to_third_line(
    ticket: Ticket,
    actor,
    unit,
    *,
    note: str,
    lack_of_expertise: bool = False,
    eta: date | None = None,
    at: datetime | None = None,
) -> TicketEvent:
    """Reassign to a product team's 3rd-line unit (assigners and admins only).

    Seed 001: "the problem is thoroughly described, precise conditions to reproduce it are
    given if possible ... Then the ticket is reassigned to the appropriate 3rd line support
    unit of the responsible Product Team." The unit's ETA, when known, is recorded at once.
    """
    unit = unit_named(unit)
    check_reassign_to_third_line(ticket, actor, unit)
    if not (note or "").strip():
        raise WorkflowError("Describe the problem for the product team (how to reproduce it).")
    at = instant(at)
    with step(ticket):
        event = assign(ticket, actor, unit, note=note, at=at, lack_of_expertise=lack_of_expertise)
        if eta is not None:
            record_eta(ticket, actor, eta, at=at)
    return event


# --- status, comments, people ----------------------------------------------------------------


def check_change_status(ticket: Ticket, actor, status: str) -> None:
    """The rules of :func:`change_status`: DMSU's role (TPM's while the ticket is in the TPM
    queue, anyone's to reopen) and a legal move of :data:`transitions.TRANSITIONS`."""
    in_tpm = ticket.support_unit_id is not None and ticket.support_unit.name == TPM
    if in_tpm or status == "reopened":
        require(actor, "ticket.comment", "change the status of this ticket")
    else:
        require(actor, "ticket.work", "change the status of a ticket")
    why = transitions.refusal(ticket.status, status)
    if why:
        raise WorkflowError(why)


def change_status(
    ticket: Ticket,
    actor,
    status: str,
    *,
    note: str = "",
    public: bool = True,
    at: datetime | None = None,
) -> TicketEvent:
    """Move the ticket's status along :data:`transitions.TRANSITIONS`.

    DMSU staff change the status; TPM may while the ticket is in the TPM queue. A ticket solved
    by DMSU carries the solution (seed 001: "the solution is written in the ticket"), so
    ``solved`` needs a public note.
    """
    check_change_status(ticket, actor, status)
    at = instant(at)
    note = (note or "").strip()
    if status == "solved" and not is_system(actor) and not (note and public):
        raise WorkflowError("Write the solution in a public note before marking the ticket solved.")
    with step(ticket):
        event = set_status(ticket, actor, status, at, text=note, public=public)
    return event


def check_comment(ticket: Ticket, actor) -> None:
    """The rule of :func:`add_comment`: anyone on staff, on an open or a closed ticket."""
    require(actor, "ticket.comment", "comment on a ticket")


def add_comment(
    ticket: Ticket,
    actor,
    text: str,
    *,
    public: bool = True,
    at: datetime | None = None,
    actor_role: str | None = None,
) -> TicketEvent:
    """A public or internal diary entry (the helpdesk's public and internal diary)."""
    check_comment(ticket, actor)
    text = (text or "").strip()
    if not text:
        raise WorkflowError("Write something before adding a comment.")
    at = instant(at)
    with step(ticket):
        event = append(
            ticket, actor, "comment", at, text=text, public=public, actor_role=actor_role
        )
    return event


def check_set_assignee(ticket: Ticket, actor, user) -> None:
    """The rules of :func:`set_assignee`: DMSU's role to take it, an assigner's to give it to
    someone else (or nobody), an active DMSU supporter, and a change of assignee."""
    if user is not None and not is_system(actor) and user.id == getattr(actor, "id", None):
        require(actor, "ticket.work", "take a ticket")
    else:
        require(actor, "ticket.assign_user", "assign a ticket to someone")
    if user is not None and (user.role not in DMSU_ROLES or not user.active):
        raise WorkflowError(f"{user.name} is not an active DMSU supporter.")
    if ticket.assignee_id == (user.id if user else None):
        who = user.name if user else "nobody"
        raise WorkflowError(f"Ticket {ticket.ggus_id} is already assigned to {who}.")


def set_assignee(ticket: Ticket, actor, user, *, at: datetime | None = None) -> TicketEvent:
    """Who in DMSU works on the ticket. Taking it yourself is for any DMSU member; seed 000:
    the assigners "delegate the resolving of these to either the 3rd line support or to a
    resolver" — so giving it to someone else is for assigners."""
    check_set_assignee(ticket, actor, user)
    at = instant(at)
    with step(ticket):
        before = ticket.assignee if ticket.assignee_id else None
        event = field_change(
            ticket,
            actor,
            "assignee",
            before.username if before else None,
            user.username if user else None,
            at,
            before_id=before.id if before else None,
            after_id=user.id if user else None,
        )
        ticket.assignee = user
    return event


def check_take(ticket: Ticket, actor) -> None:
    """The rules of :func:`take`: DMSU's role, an open ticket, not already the actor's."""
    require(actor, "ticket.work", "take a ticket")
    check_open(ticket, "taking it")
    check_set_assignee(ticket, actor, actor)


def take(ticket: Ticket, actor, *, at: datetime | None = None) -> TicketEvent:
    """The actor becomes the assignee of an open ticket; one not yet worked on (new, assigned,
    reopened) goes ``in progress`` with it, since taking a ticket is starting on it."""
    check_take(ticket, actor)
    at = instant(at)
    with step(ticket):
        event = set_assignee(ticket, actor, actor, at=at)
        if ticket.status in UNSTARTED:
            change_status(ticket, actor, "in progress", at=at)
    return event
