"""The requirements log: recording a requirement, editing it, linking GGUS tickets, status.

Seed 000: "Some fraction of issues handled by DMSU happens to call for missing functionality.
Such tickets are digested into requirements and submitted through the standard requirement
gathering channel of EGI."

Rules kept here for every caller (views, CLI, jobs, demo):

- every write checks the actor's role (``requirement.edit``) and appends a
  :class:`RequirementEvent` in the same transaction as the change;
- every write is a compare-and-set on ``version`` (``UPDATE requirement SET ..., version =
  version + 1 WHERE id = ? AND version = ?`` in :func:`write`'s write transaction, the row count
  checked): a change made on an older copy raises :class:`StaleRequirement` instead of
  overwriting what someone else saved (no lost edits);
- a refusal is a :class:`RequirementError` whose message is one sentence; nothing is written.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from dmsu.auth.permissions import require
from dmsu.cheatsheet.models import Component
from dmsu.core import clock
from dmsu.core.db import database, write_transaction
from dmsu.core.markdown import MarkdownRefused, render_markdown
from dmsu.requirements import search_documents
from dmsu.requirements.models import (
    FINAL_STATUSES,
    REQUIREMENT_STATUSES,
    Requirement,
    RequirementEvent,
    RequirementTicket,
    split_tags,
)
from dmsu.tickets.models import Ticket

TITLE_MAX = 300

# Which status may follow which. "assessed", "in RT", "sent to 3rd line" and "reported to TCB"
# are reached through their own actions (assess, send to RT / link an RT id, send to the 3rd
# line, record a TCB meeting); the rest through change_status.
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"assessed", "reported to TCB", "rejected", "withdrawn"}),
    "assessed": frozenset(
        {"new", "in RT", "sent to 3rd line", "reported to TCB", "rejected", "withdrawn"}
    ),
    "in RT": frozenset({"reported to TCB", "accepted", "rejected", "implemented", "withdrawn"}),
    "sent to 3rd line": frozenset(
        {"reported to TCB", "accepted", "rejected", "implemented", "withdrawn"}
    ),
    "reported to TCB": frozenset(
        {"in RT", "sent to 3rd line", "accepted", "rejected", "implemented", "withdrawn"}
    ),
    "accepted": frozenset({"implemented", "rejected", "withdrawn"}),
    "rejected": frozenset({"new"}),
    "withdrawn": frozenset({"new"}),
    "implemented": frozenset(),
}
BY_OWN_ACTION = frozenset({"assessed", "in RT", "sent to 3rd line", "reported to TCB"})


class RequirementError(ValueError):
    """A change the rules refuse; the message is one sentence for the user."""


class StaleRequirement(RequirementError):
    """The requirement changed since the copy the change was made on."""

    def __init__(self, requirement_id: int):
        super().__init__(
            f"Requirement {requirement_id} was changed by someone else since you opened it; "
            "nothing was saved — look at the current version and make your change again."
        )


def manual_targets(status: str) -> list[str]:
    """Statuses a person may set directly from ``status`` (in the log's order)."""
    allowed = TRANSITIONS.get(status, frozenset()) - BY_OWN_ACTION
    return [s for s in REQUIREMENT_STATUSES if s in allowed]


def can_move(status: str, target: str) -> bool:
    return target in TRANSITIONS.get(status, frozenset())


# --- parsing input --------------------------------------------------------------------------


def parse_ggus_ids(text) -> list[int]:
    """GGUS numbers from ``'91039, #91040 91041'``, in order, without repeats."""
    ids: list[int] = []
    for raw in re.split(r"[\s,;]+", str(text or "").strip()):
        token = raw.lstrip("#")
        if not token:
            continue
        if not token.isdigit() or int(token) <= 0:
            raise RequirementError(f"'{raw[:20]}' is not a GGUS ticket number.")
        if int(token) not in ids:
            ids.append(int(token))
    return ids


def tickets_for(ggus_ids: list[int]) -> list[Ticket]:
    """The recorded tickets with these GGUS ids, or a refusal naming the first missing one."""
    if not ggus_ids:
        return []
    found = {t.ggus_id: t for t in Ticket.select().where(Ticket.ggus_id.in_(ggus_ids))}
    for ggus_id in ggus_ids:
        if ggus_id not in found:
            raise RequirementError(
                f"There is no ticket {ggus_id} in the desk; record it first or correct the number."
            )
    return [found[g] for g in ggus_ids]


def component_from(value) -> Component | None:
    """A component given as an instance, an id or a name; empty means none."""
    if value is None or isinstance(value, Component):
        return value
    text = str(value).strip()
    if not text:
        return None
    found = None
    if text.isdigit():
        found = Component.get_or_none(Component.id == int(text))
    if found is None:
        found = Component.get_or_none(Component.name == text)
    if found is None:
        raise RequirementError(f"There is no component '{text[:80]}' in the cheat sheet.")
    return found


def _clean_title(title) -> str:
    title = " ".join(str(title or "").split())
    if not title:
        raise RequirementError("A requirement needs a title.")
    if len(title) > TITLE_MAX:
        raise RequirementError(f"The title is longer than {TITLE_MAX} characters.")
    return title


# --- writing ------------------------------------------------------------------------------------


def _description_html(description: str) -> str:
    """The description through the one markdown path; a refusal is the form's one sentence."""
    if not description.strip():
        return ""
    try:
        return render_markdown(description, kind="requirement")
    except MarkdownRefused as exc:
        raise RequirementError(str(exc)) from None


def _event(requirement, actor, kind: str, summary: str, at: datetime, **data) -> RequirementEvent:
    return RequirementEvent.create(
        requirement=requirement,
        actor=actor if getattr(actor, "id", None) else None,
        kind=kind,
        summary=summary,
        at=at,
        data=json.dumps(data, default=str) if data else "",
    )


def write(requirement: Requirement, actor, changes: dict, events, *, at=None, version=None):
    """Apply ``changes`` to the requirement if it is still at ``version`` (default: the copy's
    version) and append ``events`` — ``(kind, summary, data)`` — all in one transaction."""
    at = at or clock.now()
    expected = requirement.version if version is None else int(version)
    with write_transaction():
        updated = (
            Requirement.update(**changes, updated_at=at, version=Requirement.version + 1)
            .where((Requirement.id == requirement.id) & (Requirement.version == expected))
            .execute()
        )
        if updated != 1:
            raise StaleRequirement(requirement.id)
        for kind, summary, data in events:
            _event(requirement, actor, kind, summary, at, **(data or {}))
        search_documents.reindex([requirement.id])
    for name, value in changes.items():
        setattr(requirement, name, value)
    requirement.updated_at = at
    requirement.version = expected + 1
    return requirement


def create_requirement(
    actor,
    *,
    title,
    description="",
    component=None,
    ggus_ids=(),
    tags="",
    at: datetime | None = None,
) -> Requirement:
    """Record a requirement found in GGUS tickets (they must exist in the desk)."""
    require(actor, "requirement.edit", "record requirements")
    at = at or clock.now()
    title = _clean_title(title)
    description = str(description or "")
    component = component_from(component)
    tickets = tickets_for(list(ggus_ids))
    with database.atomic():
        requirement = Requirement.create(
            title=title,
            description=description,
            description_html=_description_html(description),
            component=component,
            tags=", ".join(split_tags(tags)),
            status="new",
            created_by=actor if getattr(actor, "id", None) else None,
            created_at=at,
            updated_at=at,
        )
        for ticket in tickets:
            RequirementTicket.create(requirement=requirement, ticket=ticket, linked_at=at)
        from_tickets = ", ".join(f"#{t.ggus_id}" for t in tickets)
        _event(
            requirement,
            actor,
            "created",
            f"Recorded{' from ' + from_tickets if from_tickets else ''}.",
            at,
            tickets=[t.ggus_id for t in tickets],
        )
        search_documents.reindex([requirement.id])
    return requirement


def edit_requirement(
    requirement: Requirement, actor, *, version, title, description, component, tags, at=None
) -> Requirement:
    """Save the edit form: refused when the requirement changed since ``version`` was read."""
    require(actor, "requirement.edit", "edit requirements")
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise RequirementError("The form is missing its version; reload the page.") from None
    title = _clean_title(title)
    description = str(description or "")
    component = component_from(component)
    tags = ", ".join(split_tags(tags))
    changed = []
    if title != requirement.title:
        changed.append("title")
    if description != requirement.description:
        changed.append("description")
    if (component.id if component else None) != requirement.component_id:
        changed.append("component")
    if tags != requirement.tags:
        changed.append("tags")
    if not changed:
        return requirement
    changes = {
        "title": title,
        "description": description,
        "description_html": _description_html(description),
        "component": component,
        "tags": tags,
    }
    summary = f"Edited the {', '.join(changed)}."
    before = {"title": requirement.title, "tags": requirement.tags}
    return write(
        requirement,
        actor,
        changes,
        [("edited", summary, {"fields": changed, "before": before})],
        at=at,
        version=version,
    )


def link_ticket(requirement: Requirement, actor, ggus_id, *, at=None) -> Requirement:
    """Add a GGUS ticket the requirement also came from."""
    require(actor, "requirement.edit", "link tickets to requirements")
    ids = parse_ggus_ids(ggus_id)
    if len(ids) != 1:
        raise RequirementError("Give one GGUS ticket number to link.")
    (ticket,) = tickets_for(ids)
    if RequirementTicket.get_or_none(requirement=requirement, ticket=ticket):
        raise RequirementError(f"Ticket {ticket.ggus_id} is already linked to this requirement.")
    at = at or clock.now()
    with database.atomic():
        write(
            requirement,
            actor,
            {},
            [("ticket_linked", f"Linked ticket #{ticket.ggus_id}.", {"ticket": ticket.ggus_id})],
            at=at,
        )
        RequirementTicket.create(requirement=requirement, ticket=ticket, linked_at=at)
    return requirement


def unlink_ticket(requirement: Requirement, actor, ggus_id, *, at=None) -> Requirement:
    require(actor, "requirement.edit", "unlink tickets from requirements")
    ids = parse_ggus_ids(ggus_id)
    link = (
        RequirementTicket.select()
        .join(Ticket)
        .where((RequirementTicket.requirement == requirement) & (Ticket.ggus_id.in_(ids or [0])))
        .first()
    )
    if link is None:
        raise RequirementError(f"Ticket {ggus_id} is not linked to this requirement.")
    with database.atomic():
        write(
            requirement,
            actor,
            {},
            [("ticket_unlinked", f"Unlinked ticket #{ids[0]}.", {"ticket": ids[0]})],
            at=at,
        )
        link.delete_instance()
    return requirement


def change_status(requirement: Requirement, actor, status: str, *, note="", at=None):
    """Set a status a person may set directly (accepted, rejected, implemented, withdrawn,
    back to new); the others come with their own action."""
    require(actor, "requirement.edit", "change the status of requirements")
    if status not in REQUIREMENT_STATUSES:
        raise RequirementError(f"'{str(status)[:40]}' is not a requirement status.")
    if status == requirement.status:
        raise RequirementError(f"The requirement is already {status}.")
    if status not in manual_targets(requirement.status):
        allowed = ", ".join(manual_targets(requirement.status)) or "none"
        raise RequirementError(
            f"A requirement that is {requirement.status} cannot become {status} here "
            f"(possible: {allowed})."
        )
    note = str(note or "").strip()
    summary = f"Status {requirement.status} → {status}." + (f" {note}" if note else "")
    return write(
        requirement,
        actor,
        {"status": status},
        [("status", summary, {"from": requirement.status, "to": status, "note": note})],
        at=at,
    )


def is_open(requirement: Requirement) -> bool:
    return requirement.status not in FINAL_STATUSES
