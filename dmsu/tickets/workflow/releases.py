"""The UMD release stage and solution digests: the workflow steps at the end of a ticket.

Seed 001 ("Accepting a component release and closing tickets"): "Once a fix is available and
the corresponding component release is finished by the Product Team, the new component version
is recorded with the ticket, and it is passed on to the new support unit 'UMD release' instead
of being closed directly. When the new component release passes the UMD verification and stage
rollout, all the tickets referring to this or older versions of the component are closed."

Seed 000: "Tickets of the specific category of being assigned to the 3rd line support because
of lack of expertise in DMSU which get solved are inspected, and the digest of the solution
recorded at DMSU internal wiki for further use."
"""

from __future__ import annotations

from datetime import datetime

from dmsu.tickets.models import OPEN_STATUSES, Release, Ticket, TicketEvent
from dmsu.tickets.units import UMD_RELEASE, SupportUnit
from dmsu.tickets.workflow.events import (
    SYSTEM,
    WorkflowError,
    append,
    check_length,
    check_open,
    component_named,
    field_change,
    instant,
    require,
    set_status,
    step,
    user_of,
)
from dmsu.tickets.workflow.versions import is_same_or_older, version_key

RELEASE_STATUSES = ("delivered", "verified", "rejected")
SOURCE_MAX_LENGTH = 1500


def _version(text: str) -> str:
    text = check_length("version", (text or "").strip())
    try:
        version_key(text)
    except ValueError:
        raise WorkflowError(f"'{text}' is not a version: it has no number in it.") from None
    return text


def check_deliver_fix(ticket: Ticket, actor) -> None:
    """The rules of :func:`deliver_fix`: DMSU's role, an open ticket. The version and the
    ticket's component are what the supporter still has to give; the step checks them."""
    require(actor, "ticket.work", "record a delivered fix")
    check_open(ticket, "delivering a fix")


def deliver_fix(ticket: Ticket, actor, version: str, *, at: datetime | None = None) -> TicketEvent:
    """Record the fixed version and pass the ticket to ``UMD release`` instead of closing it."""
    from dmsu.tickets.workflow.steps import assign

    check_deliver_fix(ticket, actor)
    version = _version(version)
    if ticket.component_id is None:
        raise WorkflowError("Set the ticket's component first: a release closes it by component.")
    at = instant(at)
    umd = SupportUnit.named(UMD_RELEASE)
    with step(ticket):
        event = None
        if ticket.fixed_version != version:
            event = field_change(ticket, actor, "fixed_version", ticket.fixed_version, version, at)
            ticket.fixed_version = version
        if ticket.support_unit_id != umd.id:
            event = assign(ticket, actor, umd, note=f"Fixed in {version}.", at=at)
        elif event is None:
            raise WorkflowError(
                f"Ticket {ticket.ggus_id} already waits in UMD release for {version}."
            )
    return event


def _targets(component, version: str):
    """Open tickets of ``component`` whose fixed version is ``version`` or older."""
    query = Ticket.select().where(
        Ticket.component == component,
        Ticket.status.in_(OPEN_STATUSES),
        Ticket.fixed_version != "",
    )
    found = []
    for ticket in query.order_by(Ticket.ggus_id):
        try:
            if is_same_or_older(ticket.fixed_version, version):
                found.append(ticket)
        except ValueError:
            continue
    return found


def check_record_release(actor) -> None:
    """The rule of :func:`record_release`: assigners and admins."""
    require(actor, "release.record", "record a component release")


def record_release(
    component,
    version: str,
    status: str,
    actor,
    *,
    at: datetime | None = None,
    source: str = "",
) -> list[Ticket]:
    """Record a component release as ``delivered``, ``verified`` or ``rejected`` in UMD.

    ``verified`` closes every ticket in UMD release for that component whose fixed version is
    that version or older (1.10 is newer than 1.9), and on-hold tickets of that component
    targeted at that release (fixed version the same or older) become ``solved``; a
    ``rejected`` release closes nothing. Returns the tickets it closed or solved.

    ``source`` says where the release was seen (the repository scan: the repository and the
    time); it is kept as the release's note and told in each ticket's closing event (its text
    and its ``data["source"]``), so the ticket page says which release closed it.
    """
    check_record_release(actor)
    if status not in RELEASE_STATUSES:
        raise WorkflowError(
            f"'{status}' is not a release status; use delivered, verified or rejected."
        )
    component = component_named(component)
    if component is None:
        raise WorkflowError("Name the component that was released.")
    version = _version(version)
    source = (source or "").strip()
    if len(source) > SOURCE_MAX_LENGTH:
        raise WorkflowError(f"The source is too long: at most {SOURCE_MAX_LENGTH} characters.")
    at = instant(at)
    seen = f" Seen in {source}." if source else ""
    data = {
        "release": version,
        "component": component.name,
        **({"source": source} if source else {}),
    }
    changed: list[Ticket] = []
    with step():
        release = Release.get_or_none(Release.component == component, Release.version == version)
        if release is None:
            release = Release.create(
                component=component,
                version=version,
                status=status,
                recorded_by=user_of(actor),
                recorded_at=at,
                note=source,
            )
        elif release.status != status:
            if release.status != "delivered":
                raise WorkflowError(
                    f"{component.name} {version} was already {release.status}; "
                    "record a new version instead."
                )
            release.status, release.recorded_by, release.recorded_at = status, user_of(actor), at
            release.note = source or release.note
            release.save()
        if status != "verified":
            return changed
        umd = SupportUnit.named(UMD_RELEASE)
        for ticket in _targets(component, version):
            when = max(at, ticket.updated_at)  # never before the ticket's last change
            if ticket.support_unit_id == umd.id:
                note = f"{component.name} {version} passed UMD verification and stage rollout."
                set_status(ticket, SYSTEM, "closed", when, text=note + seen, public=True, data=data)
            elif ticket.status == "on hold":
                note = f"The fix is released in {component.name} {version}."
                set_status(ticket, SYSTEM, "solved", when, text=note + seen, public=True, data=data)
            else:
                continue
            changed.append(ticket)
    return changed


def _digest_open(ticket: Ticket) -> None:
    if ticket.status in OPEN_STATUSES:
        raise WorkflowError("A solution digest is written once the ticket is solved.")


def link_solution_digest(ticket: Ticket, actor, page, *, at: datetime | None = None) -> TicketEvent:
    """Link the internal wiki page holding the ticket's solution digest."""
    require(actor, "ticket.work", "link a solution digest")
    if page.ticket_id not in (None, ticket.id):
        raise WorkflowError(f"'{page.title}' is the solution digest of another ticket.")
    at = instant(at)
    with step(ticket):
        if page.ticket_id is None:
            page.ticket = ticket
            page.save()
        data = {"action": "linked", "page_id": page.id, "slug": page.slug}
        event = append(
            ticket, actor, "digest", at, text=f"Solution digest: {page.title}", data=data
        )
    return event


def check_dismiss_solution_digest(ticket: Ticket, actor) -> None:
    """The rules of :func:`dismiss_solution_digest`: DMSU's role, a solved or closed ticket."""
    require(actor, "ticket.work", "dismiss a solution digest")
    _digest_open(ticket)


def dismiss_solution_digest(
    ticket: Ticket, actor, *, reason: str, at: datetime | None = None
) -> TicketEvent:
    """Decide no solution digest is needed for this ticket, saying why."""
    check_dismiss_solution_digest(ticket, actor)
    if not (reason or "").strip():
        raise WorkflowError("Say why no solution digest is needed.")
    at = instant(at)
    with step(ticket):
        event = append(
            ticket, actor, "digest", at, text=reason.strip(), data={"action": "dismissed"}
        )
    return event
