"""Writing imported tickets: upsert by GGUS id, events de-duplicated, in bulk.

The one write path of ``import-tickets``, the demo and ``POST /api/v1/tickets``. Records come
from :mod:`dmsu.tickets.exchange.records` (already checked). A ticket not yet known is inserted with its
events; a known one gets only the events it does not have (compared by their ``dedupe_key``,
a hash of the GGUS id and the normalised event content) and the fields the record gives.
Summary columns (status, support unit, ``updated_at``) and the ``from_unit`` chain are derived
from the ticket's full ordered history by the one projection
(:func:`dmsu.tickets.projection.history.project`). Support units not
seen before become 3rd-line units (``reviewed=False``, SLA level unspecified); unknown
components are created unreviewed; both are listed in the summary.

Callers run :class:`TicketWriter` inside ``database.atomic()``: nothing is half-written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dmsu.tickets.projection.history as history
from dmsu.auth.models import User
from dmsu.cheatsheet.models import Component, ComponentName, name_key
from dmsu.core import clock
from dmsu.core.db import write_transaction
from dmsu.core.markdown import slugify
from dmsu.tickets import search_documents
from dmsu.tickets.exchange.bulk import FIELD_EVENT_COLUMNS, chunks, insert_rows, naive
from dmsu.tickets.exchange.records import EventRecord, TicketRecord, dedupe_key
from dmsu.tickets.exchange.texthtml import ticket_html
from dmsu.tickets.models import Ticket, TicketEvent, TicketInvolvement
from dmsu.tickets.projection import store
from dmsu.tickets.projection.facts import UnitKinds
from dmsu.tickets.sla import stored_clocks as sla_clocks
from dmsu.tickets.sla.clocks import CLOCK_KINDS, EventRow
from dmsu.tickets.sla.rules import units_by_id
from dmsu.tickets.units import SupportUnit

TICKET_COLUMNS = [
    "ggus_id", "subject", "description", "description_html", "submitter", "submitter_email",
    "component", "category", "priority", "status", "support_unit", "assignee", "broad_impact",
    "impact", "workaround", "postponed", "lack_of_expertise", "fixed_version", "eta_due", "unit_since", "created_at",
    "updated_at", "eta_fix_at", "eta_initial_due", "eta_final_due", "eta_fix_unit_id", "last_reaction_at",
    "waiting_since", "submitter_wrote_at", "escalated_at",
]  # fmt: skip
EVENT_COLUMNS = [
    "ticket", "at", "kind", "actor", "actor_role", "support_unit", "from_unit", "status",
    "public", "text", "html", "due", "data", "dedupe_key", "recorded_at", "unit_before_id",
    "unit_before_at", "prev_same_at", "next_of_kind_at", "flow_fact",
]  # fmt: skip
DEFAULTS = {
    "description": "",
    "submitter": "",
    "submitter_email": "",
    "component": None,
    "category": None,
    "priority": "less urgent",
    "assignee": None,
    "broad_impact": False,
    "impact": "",
    "workaround": "",
    "postponed": False,
    "lack_of_expertise": False,
    "fixed_version": "",
}


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events_added: int = 0
    new_units: list[str] = field(default_factory=list)
    new_components: list[str] = field(default_factory=list)
    unknown_users: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"Tickets: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged; {self.events_added} events added."
        ]
        if self.new_units:
            out.append(
                "New 3rd-line support units (to review): " + ", ".join(sorted(self.new_units))
            )
        if self.new_components:
            out.append("New components (to review): " + ", ".join(sorted(self.new_components)))
        if self.unknown_users:
            out.append("Unknown user names (left empty): " + ", ".join(sorted(self.unknown_users)))
        return out


def merge(records: list[TicketRecord]) -> list[TicketRecord]:
    """One record per GGUS id: a later line's fields win, events are added in order."""
    merged: dict[int, TicketRecord] = {}
    for record in records:
        first = merged.get(record.ggus_id)
        if first is None:
            merged[record.ggus_id] = record
            continue
        first.subject, first.created_at = record.subject, record.created_at
        first.fields.update(record.fields)
        first.events = sorted(first.events + record.events, key=lambda e: e.at)
    return list(merged.values())


class TicketWriter:
    """Upserts batches of records; keeps name look-ups for the whole run."""

    def __init__(self) -> None:
        self.summary = ImportSummary()
        self.outcomes: dict[int, str] = {}  # ggus_id -> created/updated/unchanged (last batch)
        self._units = {u.name.lower(): u.id for u in SupportUnit.select()}
        self._unit_names = {u.id: u.name for u in SupportUnit.select()}
        # Components are found by name or alias, case- and spacing-insensitively (the
        # cheat sheet's ComponentName keys), so "top BDII" lands on "BDII top".
        self._components = {name_key(c.name): c.id for c in Component.select()}
        self._components.update(
            dict(ComponentName.select(ComponentName.key, ComponentName.component).tuples())
        )
        self._users = {u.username: u.id for u in User.select(User.id, User.username)}
        kinds = dict(SupportUnit.select(SupportUnit.id, SupportUnit.kind).tuples())
        self._first_line = frozenset(u for u, kind in kinds.items() if kind == "first_line")
        self._dmsu = frozenset(u for u, kind in kinds.items() if kind == "dmsu")
        self._umd = frozenset(u for u, kind in kinds.items() if kind == "umd_release")
        self._third = {u for u, kind in kinds.items() if kind == "third_line"}
        self.now = clock.now()
        self._now = naive(self.now)
        self._calendar = sla_clocks.site_calendar()

    # --- names -------------------------------------------------------------------------
    def unit_id(self, name: str | None) -> int | None:
        if not name:
            return None
        key = name.lower()
        if key not in self._units:
            unit = SupportUnit.create(
                name=name, kind="third_line", sla_level="unspecified", reviewed=False
            )
            self._units[key] = unit.id
            self._unit_names[unit.id] = unit.name
            self._third.add(unit.id)
            self.summary.new_units.append(name)
        return self._units[key]

    def component_id(self, name: str | None) -> int | None:
        if not name:
            return None
        key = name_key(name)
        if key not in self._components:
            base = slugify(name) or "component"
            slug, n = base, 1
            while Component.select().where(Component.slug == slug).exists():
                n += 1
                slug = f"{base}-{n}"
            component = Component.create(name=name, slug=slug, reviewed=False)
            ComponentName.create(component=component, key=key, label=name, is_alias=False)
            self._components[key] = component.id
            self.summary.new_components.append(name)
        return self._components[key]

    def user_id(self, username: str | None) -> int | None:
        if not username:
            return None
        if username not in self._users:
            if username not in self.summary.unknown_users:
                self.summary.unknown_users.append(username)
            return None
        return self._users[username]

    # --- writing -----------------------------------------------------------------------
    def write(self, records: list[TicketRecord]) -> None:
        """Upsert one batch (call inside ``database.atomic()``)."""
        records = merge(records)
        self.outcomes = {}
        self._stale_facts: list[int] = []
        self._stale_clocks: list[int] = []
        self._created_ids: list[int] = []
        self._written: dict[int, tuple] = {}  # the new tickets as inserted, for the index
        existing: dict[int, Ticket] = {}
        for part in chunks([r.ggus_id for r in records]):
            for ticket in Ticket.select().where(Ticket.ggus_id.in_(part)):
                existing[ticket.ggus_id] = ticket
        fresh = [r for r in records if r.ggus_id not in existing]
        self._insert_new(fresh)
        if existing:
            self._update_existing([r for r in records if r.ggus_id in existing], existing)
        # every ticket written got its derived columns from the projection of its whole
        # history here; the stored events of tickets that got earlier ones are brought in step
        store.refresh_tickets(self._stale_facts, clocks=False)  # in chunks
        sla_clocks.refresh(self._stale_clocks, self._calendar)
        # the search index: every ticket created or changed (the updated ones are exactly
        # those whose clocks are refreshed), in the batch's transaction
        search_documents.reindex(self._created_ids + self._stale_clocks, self._written)

    def _ticket_values(self, record: TicketRecord, base: dict) -> dict:
        values = dict(base)
        for name, value in record.fields.items():
            if name == "component":
                values["component"] = self.component_id(value)
            elif name == "assignee":
                values["assignee"] = self.user_id(value)
            else:
                values[name] = value
        if values.get("priority") is None:
            values["priority"] = "less urgent"
        if "description" in record.fields or "description_html" not in values:
            values["description_html"] = ticket_html(values["description"])
        values["ggus_id"] = record.ggus_id
        values["subject"] = record.subject
        values["created_at"] = record.created_at
        return values

    def _derive(self, record: TicketRecord, events) -> history.Projection:
        """``events``: ordered ``(at, EventRecord or stored row tuple)``."""
        steps = []
        for at, item in events:
            if isinstance(item, EventRecord):
                unit = self.unit_id(item.support_unit)
                steps.append(
                    history.Step(
                        item.kind, at, unit, item.status, item.due, item.author_role, item.data
                    )  # fmt: skip
                )
            else:
                steps.append(history.Step(item[3], at, item[4], item[6], item[10], item[7] or "",
                                          item[11] or ""))  # fmt: skip
        kinds = UnitKinds(self._dmsu, self._first_line, frozenset(self._third), self._umd)
        return history.project(steps, kinds, record.created_at)

    def _apply(self, values: dict, record: TicketRecord, info: history.Projection) -> None:
        """Summary and derived columns from the events; fields named by ``field`` events
        unless the record gives them itself."""
        values.update(
            status=info.status,
            support_unit=info.support_unit_id,
            updated_at=info.updated_at,
            **info.ticket_columns(),
        )
        for name, change in info.fields.items():
            if name in record.fields or name not in FIELD_EVENT_COLUMNS:
                continue
            after = change["after"]
            if name == "assignee":
                values[name] = self.user_id(after) if isinstance(after, str) else None
            elif name in ("fixed_version", "impact", "workaround"):
                values[name] = str(after or "")
            else:
                values[name] = bool(after)

    def _event_row(
        self, ticket_id, ggus_id, event: EventRecord, derived: history.EventFacts, key=None
    ) -> tuple:
        return (
            ticket_id,
            naive(event.at),
            event.kind,
            self.user_id(event.actor),
            event.author_role,
            self.unit_id(event.support_unit),
            derived.from_unit_id,
            event.status,
            event.public,
            event.text,
            ticket_html(event.text),
            event.due,
            event.data,
            key or event.content_key(ggus_id),
            self._now,
            derived.unit_before_id,
            naive(derived.unit_before_at),
            naive(derived.prev_same_at),
            naive(derived.next_of_kind_at),
            derived.flow_fact,
        )

    def _insert_new(self, records: list[TicketRecord]) -> None:
        if not records:
            return
        rows, derived, priorities, columns = [], {}, {}, {}
        for record in records:
            values = self._ticket_values(record, DEFAULTS)
            priorities[record.ggus_id] = values["priority"]
            # the same event twice in one ticket: keep the first (before anything is derived)
            seen, events = set(), []
            for event in record.events:
                key = event.content_key(record.ggus_id)
                if key not in seen:
                    seen.add(key)
                    events.append((key, event))
            info = self._derive(record, [(e.at, e) for _, e in events])
            derived[record.ggus_id] = (info, events)
            self._apply(values, record, info)
            for name in (
                "created_at",
                "updated_at",
                "unit_since",
                "eta_fix_at",
                "last_reaction_at",
                "waiting_since",
                "submitter_wrote_at",
                "escalated_at",
            ):
                values[name] = naive(values[name])
            rows.append(tuple(values[name] for name in TICKET_COLUMNS))
            columns[record.ggus_id] = values
        insert_rows(Ticket, TICKET_COLUMNS, rows, converted=True)
        ids = {}
        for part in chunks([r.ggus_id for r in records]):
            query = Ticket.select(Ticket.id, Ticket.ggus_id).where(Ticket.ggus_id.in_(part))
            ids.update({g: i for i, g in query.tuples()})
        event_rows, involvement_rows = [], []
        for record in records:
            ticket_id, (info, events) = ids[record.ggus_id], derived[record.ggus_id]
            for (key, event), event_facts in zip(events, info.events, strict=True):
                event_rows.append(
                    self._event_row(ticket_id, record.ggus_id, event, event_facts, key)
                )
            involvement_rows += [(ticket_id, u, naive(t)) for u, t in info.involved.items()]
            self._written[ticket_id] = (columns[record.ggus_id], [e for _, e in events])
        insert_rows(TicketEvent, EVENT_COLUMNS, event_rows, converted=True)
        insert_rows(
            TicketInvolvement, ["ticket", "support_unit", "since"], involvement_rows, converted=True
        )
        sla_clocks.write(self._new_clocks(records, ids, derived, priorities))
        self.summary.created += len(records)
        self.summary.events_added += len(event_rows)
        self.outcomes.update(dict.fromkeys(ids, "created"))
        self._created_ids += list(ids.values())

    def _new_clocks(self, records, ids: dict, derived: dict, priorities: dict) -> list[tuple]:
        """The SLA clocks of created tickets, from the events just written (in the order the
        database keeps them: by time, then as written)."""
        units = units_by_id()
        key = sla_clocks.calendar_key(self._calendar)
        rows = []
        for record in records:
            events, ticket_id = derived[record.ggus_id][1], ids[record.ggus_id]
            third = self._third
            if not any(e.kind == "assigned" and self.unit_id(e.support_unit) in third
                       for _, e in events):  # fmt: skip
                continue  # never at the 3rd line: no clocks
            steps = [
                EventRow(n, ticket_id, e.at, e.kind, self.user_id(e.actor), e.author_role,
                         self.unit_id(e.support_unit), e.status)
                for n, (_, e) in enumerate(events)
                if e.kind in CLOCK_KINDS
            ]  # fmt: skip
            steps.sort(key=lambda e: (e.at, e.id))
            rows += sla_clocks.clock_rows(
                ticket_id, priorities[record.ggus_id], steps, units, self._calendar, key
            )
        return rows

    def _update_existing(self, records: list[TicketRecord], existing: dict[int, Ticket]) -> None:
        """Known tickets: compare keys first (cheap), load the full history only of the
        tickets that get new events or a new creation time."""
        ids = [existing[r.ggus_id].id for r in records]
        keys: dict[int, set] = {i: set() for i in ids}
        unkeyed: set[int] = set()
        for part in chunks(ids):
            query = TicketEvent.select(TicketEvent.ticket, TicketEvent.dedupe_key).where(
                TicketEvent.ticket.in_(part)
            )
            for ticket_id, key in query.tuples():
                if key is None:
                    unkeyed.add(ticket_id)
                else:
                    keys[ticket_id].add(key)
        rows = self._history_rows(unkeyed)
        ggus_of = {t.id: g for g, t in existing.items()}
        names = self._unit_names
        for ticket_id, ticket_rows in rows.items():  # rows the workflow wrote: keys computed
            for _, _, at, kind, unit, _, status, role, public, text, due, data, key in ticket_rows:
                if key is None:
                    keys[ticket_id].add(
                        dedupe_key(ggus_of[ticket_id], at, kind, names.get(unit), status, role,
                                   public, text, due, data)
                    )  # fmt: skip
        plans = []
        for record in records:
            ticket = existing[record.ggus_id]
            new_events = []
            for event in record.events:
                key = event.content_key(record.ggus_id)
                if key not in keys[ticket.id]:
                    keys[ticket.id].add(key)
                    new_events.append((event, key))
            plans.append((record, ticket, new_events))
        wanted = {t.id for r, t, new in plans if new or r.created_at != t.created_at}
        rows.update(self._history_rows(wanted - set(rows)))
        for record, ticket, new_events in plans:
            self._update_one(record, ticket, rows.get(ticket.id, []), new_events)

    @staticmethod
    def _history_rows(ticket_ids) -> dict[int, list]:
        rows: dict[int, list] = {i: [] for i in ticket_ids}
        query = (
            TicketEvent.select(
                TicketEvent.id,
                TicketEvent.ticket,
                TicketEvent.at,
                TicketEvent.kind,
                TicketEvent.support_unit,
                TicketEvent.from_unit,
                TicketEvent.status,
                TicketEvent.actor_role,
                TicketEvent.public,
                TicketEvent.text,
                TicketEvent.due,
                TicketEvent.data,
                TicketEvent.dedupe_key,
            )  # fmt: skip
            .order_by(TicketEvent.at, TicketEvent.id)
            .tuples()
        )
        for part in chunks(list(rows)):
            for row in query.where(TicketEvent.ticket.in_(part)):
                rows[row[1]].append(row)
        return rows

    def _update_one(self, record: TicketRecord, ticket: Ticket, rows: list, new_events) -> None:
        current = {name: getattr(ticket, name) for name in DEFAULTS if name != "component"}
        current["component"] = ticket.component_id
        current["assignee"] = ticket.assignee_id
        current["description_html"] = ticket.description_html
        values = self._ticket_values(record, current)
        # The full history: stored rows first at equal times (they have the smaller ids).
        ordered = [(r[2], 0, n, r) for n, r in enumerate(rows)]
        ordered += [(e.at, 1, n, e) for n, (e, _) in enumerate(new_events)]
        ordered.sort(key=lambda h: (h[0], h[1], h[2]))
        info = self._derive(record, [(h[0], h[3]) for h in ordered])
        if new_events or values["created_at"] != ticket.created_at:
            self._apply(values, record, info)
        changes = {}
        for name, value in values.items():
            if name == "ggus_id":
                continue
            attr = name + "_id" if name in ("component", "assignee", "support_unit") else name
            if getattr(ticket, attr) != value:
                changes[name] = value
        if not changes and not new_events:
            self.summary.unchanged += 1
            self.outcomes[record.ggus_id] = "unchanged"
            return
        self._stale_clocks.append(ticket.id)
        if changes:
            Ticket.update(**changes).where(Ticket.id == ticket.id).execute()
        event_rows = []
        for (_, new, n, item), derived in zip(ordered, info.events, strict=True):
            if new:
                event, key = new_events[n]
                event_rows.append(self._event_row(ticket.id, record.ggus_id, event, derived, key))
            elif item[3] == "assigned" and item[5] != derived.from_unit_id:
                TicketEvent.update(from_unit=derived.from_unit_id).where(
                    TicketEvent.id == item[0]
                ).execute()
        insert_rows(TicketEvent, EVENT_COLUMNS, event_rows, converted=True)
        if rows:  # stored events may now have earlier ones before them: see write()
            self._stale_facts.append(ticket.id)
        if any(e.kind in ("involved", "uninvolved") for e, _ in new_events):
            self._sync_involvement(ticket.id, info.involved)
        self.summary.updated += 1
        self.summary.events_added += len(event_rows)
        self.outcomes[record.ggus_id] = "updated"

    @staticmethod
    def _sync_involvement(ticket_id: int, wanted: dict) -> None:
        have = {
            row.support_unit_id
            for row in TicketInvolvement.select().where(TicketInvolvement.ticket == ticket_id)
        }
        TicketInvolvement.delete().where(
            (TicketInvolvement.ticket == ticket_id)
            & TicketInvolvement.support_unit.not_in(list(wanted) or [0])
        ).execute()
        insert_rows(
            TicketInvolvement,
            ["ticket", "support_unit", "since"],
            [(ticket_id, u, since) for u, since in wanted.items() if u not in have],
        )


def import_records(records: list[TicketRecord], *, batch_size: int = 1000) -> ImportSummary:
    """Upsert ``records`` in one write transaction (it reads which tickets exist, then writes:
    on SQLite it holds the write lock from the start); return what was done."""
    with write_transaction():
        writer = TicketWriter()
        for part in chunks(records, batch_size):
            writer.write(part)
    return writer.summary
