"""A helpdesk ticket as the site's import record: the Zammad ticket, its articles and its
history become one :class:`~dmsu.tickets.exchange.records.TicketRecord` whose events the
one import path writes (in order, de-duplicated by content, idempotent), so that SLA clocks,
metrics, reminders and digests read helpdesk tickets exactly as imported ones.

- the group at creation and each change of group → ``assigned`` events (support units);
- each change of state → a ``status`` event; the priority, component, type of issue and
  fixed version → the ticket's fields; each change of the GGUS ETA field → an ``eta`` event;
- the tags the mapping names → the ticket's flags (broad impact, postponed, lack of
  expertise), as the history records them added and removed;
- the first article of the submitter → the description; every other article → a
  ``comment`` (internal stays internal), written by the submitter or by the unit that held
  the ticket then.

Changes and articles made by the connector's own helpdesk account are the site's own steps
coming back, and are left out (they are in the site's log already). A name the mapping does
not know is left out of the events and listed as a :class:`Review` item.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from dmsu.helpdesk.mapping import Mapping
from dmsu.tickets.exchange.records import (
    EVENT_TEXT_LIMIT,
    TEXT_LIMITS,
    EventRecord,
    TicketRecord,
)

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>|</p>|</div>|</li>", re.IGNORECASE)
ROLES_OF_KINDS = {"first_line": "tpm", "dmsu": "dmsu", "third_line": "third_line"}


@dataclass(frozen=True)
class Review:
    reason: str
    value: str


@dataclass
class Translation:
    """What one helpdesk ticket became: a record (None when it is not kept) and what needs
    a person's review."""

    zammad_id: int
    ggus_id: int | None
    record: TicketRecord | None
    reviews: list[Review] = field(default_factory=list)
    updated_at: datetime | None = None
    kept: bool = False
    # the latest change of each attribute by someone else than the connector: (at, value)
    changed: dict = field(default_factory=dict)


def instant(value) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def plain_text(body: str, content_type: str = "text/html") -> str:
    """An article body as plain text (Zammad stores most as HTML)."""
    if "html" not in (content_type or ""):
        return body or ""
    text = _BREAK.sub("\n", body or "")
    return html.unescape(_TAG.sub("", text)).strip()


def clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    note = "\n\n[cut here: the whole text is on the helpdesk]"
    return text[: limit - len(note)] + note


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def translate(
    ticket: dict, articles: list[dict], history: list[dict], mapping: Mapping, own_user_id=None
) -> Translation:
    zammad_id = int(ticket["id"])
    reviews: list[Review] = []
    number = str(ticket.get(mapping.attribute("ggus_id") or "number") or "").strip()
    updated_at = instant(ticket["updated_at"]) if ticket.get("updated_at") else None
    if not number.isdigit() or not 0 < int(number) < 2**31:
        return Translation(zammad_id, None, None, [Review("ticket number", number)], updated_at)
    ggus_id = int(number)
    created = instant(ticket["created_at"])
    every = sorted(
        (
            h
            for h in history
            if h.get("type") == "updated" and h.get("object", "Ticket") == "Ticket"
        ),
        key=lambda h: (instant(h["created_at"]), h.get("id") or 0),
    )
    # what the ticket was at creation is read from every change, the connector's included
    first = {}
    for h in every:
        first.setdefault(h.get("attribute"), h.get("value_from"))
    changes = [h for h in every if own_user_id is None or h.get("created_by_id") != own_user_id]

    # the support units the ticket was in, in order
    group_changes = [h for h in changes if h.get("attribute") == "group"]
    first_group = first["group"] if "group" in first else ticket.get("group")
    timeline = [(created, first_group)] + [
        (instant(h["created_at"]), h.get("value_to")) for h in group_changes
    ]
    events: list[EventRecord] = []
    unit_at: list[tuple[datetime, str | None]] = []
    for at, group in timeline:
        unit = mapping.unit_for_group(group)
        if unit is None:
            reviews.append(Review("unknown group", str(group or "")))
        else:
            events.append(EventRecord(at=at, kind="assigned", support_unit=unit))
        unit_at.append((at, unit))
    kept = any(mapping.of_interest(unit) for _, unit in unit_at)

    # states
    state_changes = [h for h in changes if h.get("attribute") == "state"]
    first_state = first["state"] if "state" in first else ticket.get("state")
    for at, state in [(created, first_state)] + [
        (instant(h["created_at"]), h.get("value_to")) for h in state_changes
    ]:
        status = mapping.status_for_state(state)
        if status is None:
            reviews.append(Review("unknown state", str(state or "")))
        elif status != "new" or at != created:
            events.append(EventRecord(at=at, kind="status", status=status))

    # the ETA field's changes
    eta_field = mapping.attribute("eta")
    for h in changes:
        if eta_field and h.get("attribute") == eta_field:
            due = _date(h.get("value_to"))
            if due:
                events.append(EventRecord(at=instant(h["created_at"]), kind="eta", due=due))

    # articles
    description = ""
    ordered = sorted(articles, key=lambda a: (instant(a["created_at"]), a.get("id") or 0))
    for n, article in enumerate(ordered):
        if own_user_id is not None and article.get("created_by_id") == own_user_id:
            continue
        text = plain_text(article.get("body", ""), article.get("content_type", ""))
        from_customer = article.get("sender") == mapping.customer_sender
        if n == 0 and from_customer and not description:
            description = text
            continue
        at = instant(article["created_at"])
        role = "submitter" if from_customer else _role_at(at, unit_at, mapping)
        events.append(
            EventRecord(
                at=at,
                kind="comment",
                author_role=role,
                public=not article.get("internal", False),
                text=clip(text, EVENT_TEXT_LIMIT),
            )
        )

    fields: dict = {"description": clip(description, TEXT_LIMITS["description"])}
    priority = mapping.priority_for(ticket.get("priority"))
    if priority:
        fields["priority"] = priority
    elif ticket.get("priority"):
        reviews.append(Review("unknown priority", str(ticket["priority"])))
    customer = str(ticket.get("customer") or "")
    if "@" in customer:
        fields["submitter_email"] = customer[: TEXT_LIMITS["submitter_email"]]
    for name in ("component", "fixed_version"):
        attribute = mapping.attribute(name)
        value = str(ticket.get(attribute) or "").strip() if attribute else ""
        if value:
            fields[name] = value[: TEXT_LIMITS[name]]
    # tags, as the history records them being added and removed: the latest says
    for h in sorted(
        (
            h
            for h in history
            if h.get("attribute") == "tag" and h.get("type") in ("added", "removed")
        ),
        key=lambda h: (instant(h["created_at"]), h.get("id") or 0),
    ):
        flag = mapping.flag_for_tag(h.get("value_to"))
        if flag:
            fields[flag] = h.get("type") == "added"
    category = mapping.category_for(ticket.get(mapping.attribute("type_of_issue")))
    if category:
        fields["category"] = category
    events.sort(key=lambda e: e.at)  # stable: a unit before a status at the same instant
    record = TicketRecord(
        ggus_id=ggus_id,
        subject=clip(
            str(ticket.get("title") or f"Helpdesk ticket {number}"), TEXT_LIMITS["subject"]
        ),
        created_at=created,
        events=events,
        fields=fields,
    )
    changed = {h.get("attribute"): (instant(h["created_at"]), h.get("value_to")) for h in changes}
    return Translation(
        zammad_id, ggus_id, record if kept else None, reviews, updated_at, kept, changed
    )


def _role_at(at: datetime, unit_at, mapping: Mapping) -> str:
    """The author role of an agent's article: the kind of the unit holding the ticket."""
    unit = None
    for since, name in unit_at:
        if since <= at:
            unit = name
    return ROLES_OF_KINDS.get(mapping.unit_kind(unit) or "", "system")
