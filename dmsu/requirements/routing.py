"""Where an assessed requirement goes: the EGI RT requirements queue or the 3rd line.

Seed 001: "The software support team assesses such requirements in terms of estimated effort
to implement the requested changes. If the effort is not large, the requirements are assigned
to the 3rd line support as low priority tickets. On the contrary, in the case of considerable
estimated effort a ticket is spawned through the standard EGI requirements gathering channel –
the requirements queue in EGI RT."

Seed 000: the GGUS and RT tickets are linked "with each other in a bidirectional manner" and
"the counter-tickets in the RT requirements queue are marked with a “DMSU” tag". The RT side
gets a RefersTo link to each GGUS ticket and the DMSU tag; the GGUS side is the requirement
page and the requirements box on each ticket page, both linking to the RT ticket.

RT is called outside any database transaction; only when RT has answered is the requirement
changed (one transaction). A failure of RT leaves the requirement as it was and says why.
"""

from __future__ import annotations

from dmsu.auth.permissions import require
from dmsu.core import clock
from dmsu.core.db import write_transaction
from dmsu.requirements.log import (
    RequirementError,
    StaleRequirement,
    can_move,
    parse_ggus_ids,
    write,
)
from dmsu.requirements.models import EFFORTS, Requirement, RequirementTicket
from dmsu.requirements.rt_client import DMSU_TAG, RtClient, RtError, RtSettings
from dmsu.tickets.models import Ticket

NOT_CHANGED = "the requirement was not changed."
# A requirement reported to the TCB before it was assessed can still be assessed and sent on.
ASSESSABLE = ("new", "assessed", "reported to TCB")


def assess(requirement: Requirement, actor, effort: str, *, note: str = "", at=None):
    """Record the effort assessment; a new requirement becomes ``assessed`` (one already
    reported to the TCB keeps that status)."""
    require(actor, "requirement.edit", "assess requirements")
    if effort not in EFFORTS:
        raise RequirementError("Choose the effort: small or large.")
    if requirement.rt_id or requirement.third_line_ticket_id:
        raise RequirementError(
            "The requirement has already been sent on; its effort can no longer change."
        )
    if effort == requirement.effort and requirement.status != "new":
        raise RequirementError(f"The requirement is already assessed as {effort}.")
    changes = {"effort": effort}
    if requirement.status == "new":
        changes["status"] = "assessed"
    elif requirement.status not in ASSESSABLE:
        raise RequirementError(f"A requirement that is {requirement.status} cannot be assessed.")
    note = str(note or "").strip()
    summary = f"Assessed as {effort}." + (f" {note}" if note else "")
    return write(requirement, actor, changes, [("assessed", summary, {"effort": effort})], at=at)


def _check_can_go_to_rt(requirement: Requirement) -> None:
    if requirement.effort != "large":
        raise RequirementError(
            "Only a requirement assessed as large goes to the RT requirements queue; "
            "assess it first."
        )
    if requirement.rt_id:
        raise RequirementError(
            f"The requirement is already linked to RT ticket #{requirement.rt_id}."
        )
    if not can_move(requirement.status, "in RT"):
        raise RequirementError(f"A requirement that is {requirement.status} cannot go to RT.")


def ggus_ids_of(requirement: Requirement) -> list[int]:
    return [
        t.ggus_id
        for t in Ticket.select(Ticket.ggus_id)
        .join(RequirementTicket)
        .where(RequirementTicket.requirement == requirement)
        .order_by(Ticket.ggus_id)
    ]


def rt_content(requirement: Requirement, ggus_links: list[tuple[int, str]], page_url: str) -> str:
    """The text of the RT counter-ticket: the requirement, its GGUS tickets, the way back."""
    lines = [requirement.title, ""]
    if requirement.description.strip():
        lines += [requirement.description.strip(), ""]
    if requirement.component_id:
        lines += [f"Component: {requirement.component.name}", ""]
    if ggus_links:
        lines.append("GGUS ticket(s) this requirement came from:")
        lines += [f"- GGUS #{ggus_id}: {url}" for ggus_id, url in ggus_links]
        lines.append("")
    lines += [f"Requirement in the DMSU desk: {page_url}", f"Tag: {DMSU_TAG}"]
    return "\n".join(lines)


def send_to_rt(
    requirement: Requirement,
    actor,
    settings: RtSettings,
    *,
    page_url: str,
    ggus_url_template: str,
    at=None,
) -> tuple[Requirement, list[str]]:
    """Create the counter-ticket in the RT requirements queue and store its id; returns the
    requirement and warnings (one sentence each) when RT did not take the tag or a link."""
    require(actor, "requirement.edit", "send requirements to RT")
    _check_can_go_to_rt(requirement)
    if not settings.configured:
        raise RequirementError("RT is not configured here; enter the RT ticket id by hand.")
    version = requirement.version
    ggus_links = [(g, ggus_url_template.format(id=g)) for g in ggus_ids_of(requirement)]
    content = rt_content(requirement, ggus_links, page_url)
    client = RtClient(settings)
    try:
        rt_id = client.create_requirement_ticket(
            f"[DMSU] {requirement.title}", content, [url for _, url in ggus_links]
        )
    except RtError as exc:
        raise RequirementError(f"{exc}; {NOT_CHANGED}") from None
    warnings = _check_counter_ticket(client, rt_id, settings, [url for _, url in ggus_links])
    summary = f"Sent to RT as ticket #{rt_id} in queue {settings.queue}, tagged {DMSU_TAG}" + (
        f", referring to {', '.join(f'GGUS #{g}' for g, _ in ggus_links)}." if ggus_links else "."
    )
    summary += "".join(f" Warning: {w}." for w in warnings)
    event = ("rt_sent", summary, {"rt_id": rt_id, "queue": settings.queue, "warnings": warnings})
    changes = {"rt_id": rt_id, "rt_status": "new", "rt_synced_at": at or clock.now()}
    try:
        write(requirement, actor, {**changes, "status": "in RT"}, [event], at=at, version=version)
    except StaleRequirement:
        current = Requirement.get_by_id(requirement.id)
        if current.rt_id is not None or not can_move(current.status, "in RT"):
            raise RequirementError(
                f"RT ticket #{rt_id} was created, but the requirement changed meanwhile "
                f"(it is now {current.status}); link #{rt_id} by hand if it belongs here."
            ) from None
        requirement = write(current, actor, {**changes, "status": "in RT"}, [event], at=at)
    return requirement, warnings


def _check_counter_ticket(client: RtClient, rt_id: int, settings: RtSettings, links) -> list[str]:
    """Read the new RT ticket back: RT silently ignores a custom field it does not know."""
    try:
        made = client.ticket(rt_id)
    except RtError as exc:
        return [f"the new RT ticket could not be read back to check it ({exc})"]
    warnings = []
    if DMSU_TAG not in made["tags"]:
        warnings.append(
            f"RT did not set the {DMSU_TAG} tag (is there a custom field "
            f"'{settings.tag_field}' in queue {settings.queue}?)"
        )
    missing = [url for url in links if url not in made["refers_to"]]
    if missing:
        warnings.append(f"RT did not keep the link to {missing[0]}")
    return warnings


def parse_rt_id(text) -> int:
    raw = str(text or "").strip().lstrip("#")
    if not raw:
        raise RequirementError("Enter the RT ticket id.")
    if not raw.isdigit():
        raise RequirementError(f"RT id must be a number, like 4711 (not '{raw[:20]}').")
    value = int(raw)
    if value <= 0 or value > 2_000_000_000:
        raise RequirementError("RT id must be a positive number.")
    return value


def link_rt_ticket(requirement: Requirement, actor, rt_id_text, settings: RtSettings, *, at=None):
    """Store the id of an RT ticket made by hand. With RT configured, RT is asked first so a
    mistyped id is caught; without it the id is taken as given."""
    require(actor, "requirement.edit", "link requirements to RT")
    rt_id = parse_rt_id(rt_id_text)
    _check_can_go_to_rt(requirement)
    other = Requirement.get_or_none(
        (Requirement.rt_id == rt_id) & (Requirement.id != requirement.id)
    )
    if other is not None:
        raise RequirementError(f"RT ticket #{rt_id} is already linked to requirement {other.id}.")
    changes = {"rt_id": rt_id, "status": "in RT"}
    if settings.configured:
        try:
            found = RtClient(settings).ticket(rt_id)
        except RtError as exc:
            raise RequirementError(f"{exc}; {NOT_CHANGED}") from None
        changes.update(rt_status=found["status"], rt_synced_at=at or clock.now())
    summary = f"Linked to RT ticket #{rt_id} (entered by hand)."
    return write(requirement, actor, changes, [("rt_linked", summary, {"rt_id": rt_id})], at=at)


def send_to_third_line(
    requirement: Requirement,
    actor,
    ggus_id_text,
    *,
    create: bool = False,
    note: str = "",
    at=None,
) -> Requirement:
    """Link the low-priority ticket the requirement went to the 3rd line with. With ``create``
    the ticket is recorded here ("less urgent", "change request") and reassigned to the
    component's 3rd-line unit through the ticket workflow, in the same transaction."""
    require(actor, "requirement.edit", "send requirements to the 3rd line")
    if requirement.effort != "small":
        raise RequirementError(
            "Only a requirement assessed as small goes to the 3rd line; assess it first."
        )
    if requirement.third_line_ticket_id:
        raise RequirementError("The requirement already has its 3rd-line ticket.")
    if not can_move(requirement.status, "sent to 3rd line"):
        raise RequirementError(
            f"A requirement that is {requirement.status} cannot go to the 3rd line."
        )
    ids = parse_ggus_ids(ggus_id_text)
    if len(ids) != 1:
        raise RequirementError("Give the GGUS number of the low-priority ticket.")
    at = at or clock.now()
    ticket = Ticket.get_or_none(Ticket.ggus_id == ids[0])
    with write_transaction():
        if ticket is None and not create:
            raise RequirementError(
                f"There is no ticket {ids[0]} in the desk; tick “create it here” to record it "
                "as a low-priority change request for the 3rd line."
            )
        if ticket is None:
            ticket = _create_low_priority_ticket(requirement, actor, ids[0], note, at)
        elif create:
            raise RequirementError(
                f"Ticket {ids[0]} already exists; untick “create it here” to link it."
            )
        summary = f"Sent to the 3rd line as low-priority ticket #{ticket.ggus_id}."
        write(
            requirement,
            actor,
            {"third_line_ticket": ticket, "status": "sent to 3rd line"},
            [("third_line", summary, {"ticket": ticket.ggus_id, "created": create})],
            at=at,
        )
    return requirement


def _create_low_priority_ticket(requirement, actor, ggus_id: int, note: str, at):
    from dmsu.tickets import workflow

    component = requirement.component
    unit = component.support_unit if component else None
    if unit is None or unit.kind != "third_line":
        name = component.name if component else "The requirement"
        raise RequirementError(
            f"{name} has no 3rd-line unit in the cheat sheet, so the ticket cannot be sent there."
        )
    description = requirement.description or requirement.title
    try:
        ticket = workflow.create_ticket(
            actor,
            ggus_id=ggus_id,
            subject=f"Requirement: {requirement.title}"[:500],
            description=description,
            component=component,
            category="change request",
            priority="less urgent",
            at=at,
        )
        workflow.reassign_to_third_line(
            ticket,
            actor,
            unit,
            note=note.strip() or f"Requirement assessed by DMSU as small effort:\n\n{description}",
            at=at,
        )
    except workflow.WorkflowError as exc:
        raise RequirementError(str(exc)) from None
    return ticket
