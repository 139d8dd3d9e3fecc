"""Tickets and their events. Events are the truth (ARCHITECTURE.md rule 1): every change goes through
``tickets/workflow.py`` which appends a :class:`TicketEvent`; the columns on :class:`Ticket`
are a summary kept in step for listing and filtering.

Event kinds: ``assigned`` (to ``support_unit``, from ``from_unit``), ``status``, ``comment``
(``public`` or internal diary), ``eta`` (``due``; the ETA negotiation — revisions are new events,
never overwritten), ``field`` (a summary field changed; ``data`` holds before/after),
``involved`` / ``uninvolved`` (other units kept informed), ``escalated``, ``reminder``,
``sla_violation``, ``digest`` (a solution digest linked or dismissed).
"""

from __future__ import annotations

from peewee import (
    JOIN,
    BooleanField,
    CharField,
    DateField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    SmallIntegerField,
    TextField,
)

from dmsu.auth.models import User
from dmsu.cheatsheet.models import Component
from dmsu.core import clock
from dmsu.core.db import BaseModel, UTCDateTimeField
from dmsu.tickets.units import SupportUnit

CATEGORIES = ("incident", "change request", "documentation", "configuration", "usage")
PRIORITIES = ("less urgent", "urgent", "very urgent", "top priority")
STATUSES = (
    "new",
    "assigned",
    "in progress",
    "waiting for reply",
    "on hold",
    "reopened",
    "solved",
    "unsolved",
    "verified",
    "closed",
)
CLOSED_STATUSES = ("solved", "unsolved", "verified", "closed")
OPEN_STATUSES = tuple(s for s in STATUSES if s not in CLOSED_STATUSES)
# The closed status events, as the partial index ticket_event_closed_status (migration m0906)
# is defined: a query must repeat it literally (not as bound values) for SQLite to use it.
CLOSED_STATUS_EVENT = "kind = 'status' AND status IN ({})".format(
    ", ".join(f"'{status}'" for status in CLOSED_STATUSES)
)
EVENT_KINDS = (
    "assigned",
    "status",
    "comment",
    "eta",
    "field",
    "involved",
    "uninvolved",
    "escalated",
    "reminder",
    "sla_violation",
    "digest",
)
ACTOR_ROLES = ("submitter", "dmsu", "third_line", "tpm", "system")


class Ticket(BaseModel):
    ggus_id = IntegerField(unique=True)
    subject = CharField(max_length=500)
    description = TextField(default="")
    description_html = TextField(default="")
    submitter = CharField(max_length=200, default="")
    submitter_email = CharField(max_length=254, default="")
    component = ForeignKeyField(Component, null=True, backref="tickets", on_delete="SET NULL")
    category = CharField(max_length=32, null=True, index=True)
    priority = CharField(max_length=16, default="less urgent", index=True)
    status = CharField(max_length=20, default="new", index=True)
    support_unit = ForeignKeyField(SupportUnit, null=True, backref="tickets", on_delete="SET NULL")
    assignee = ForeignKeyField(User, null=True, backref="tickets", on_delete="SET NULL")
    broad_impact = BooleanField(default=False, index=True)
    impact = TextField(default="")
    workaround = TextField(default="")
    postponed = BooleanField(default=False)
    lack_of_expertise = BooleanField(default=False)
    fixed_version = CharField(max_length=64, default="")
    # Summaries of the event log kept for the sweep lists: the latest ETA of the current
    # 3rd-line unit, and when the ticket entered its current support unit.
    eta_due = DateField(null=True, index=True)
    unit_since = UTCDateTimeField(null=True, index=True)
    # The latest event of a kind the oversight lists ask about (dmsu.tickets.projection.columns keeps
    # them in step with every event written, in the same transaction).
    last_reaction_at = UTCDateTimeField(null=True)
    waiting_since = UTCDateTimeField(null=True)
    submitter_wrote_at = UTCDateTimeField(null=True)
    escalated_at = UTCDateTimeField(null=True)
    # The ticket's ETA outcome for the metrics (dmsu.tickets.projection.facts.eta_fix, kept in step by
    # dmsu.tickets.projection.facts): when its fix came, its initial and final ETA due dates, and the
    # unit it was fixed from (a plain id, as for the events' derived columns).
    eta_fix_at = UTCDateTimeField(null=True)  # indexed with the ETA columns (m0906)
    eta_initial_due = DateField(null=True)
    eta_final_due = DateField(null=True)
    eta_fix_unit_id = IntegerField(null=True)
    created_at = UTCDateTimeField(default=clock.now, index=True)
    updated_at = UTCDateTimeField(default=clock.now, index=True)

    class Meta:
        # save() writes only the columns a caller changed: the derived columns belong to the
        # projection (dmsu.tickets.projection.store), and a workflow step's save must never
        # put back the values the object was loaded with.
        only_save_dirty = True
        indexes = (
            (("support_unit", "status"), False),
            (("component", "created_at"), False),
            (("assignee", "updated_at"), False),
            # the list's filters, each in the newest-change-first order
            (("status", "updated_at"), False),
            (("status", "priority", "updated_at"), False),
            (("priority", "updated_at"), False),
            (("category", "updated_at"), False),
            (("support_unit", "updated_at"), False),
            (("component", "updated_at"), False),
            # the sweep's groups: open tickets of a unit by age or by ETA, flagged ones
            (("support_unit", "status", "unit_since"), False),
            (("support_unit", "status", "eta_due"), False),
            (("lack_of_expertise", "status"), False),
            (("postponed", "status"), False),
        )

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @classmethod
    def open(cls):
        return cls.select().where(cls.status.not_in(CLOSED_STATUSES))

    @classmethod
    def with_names(cls, query):
        """``query`` (tickets, with the columns it selects) joined to what a row names: its
        support unit, component and assignee, each left outer (a ticket may have none)."""
        return (
            query.join(SupportUnit, JOIN.LEFT_OUTER, on=(cls.support_unit == SupportUnit.id))
            .switch(cls)
            .join(Component, JOIN.LEFT_OUTER, on=(cls.component == Component.id))
            .switch(cls)
            .join(User, JOIN.LEFT_OUTER, on=(cls.assignee == User.id))
        )


class TicketEvent(BaseModel):
    """An append-only record of one change to a ticket."""

    # no index of its own: the indexes below that begin with ticket_id serve it
    ticket = ForeignKeyField(Ticket, backref="events", on_delete="CASCADE", index=False)
    at = UTCDateTimeField(index=True)
    kind = CharField(max_length=16)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    actor_role = CharField(max_length=16, default="dmsu")
    support_unit = ForeignKeyField(SupportUnit, null=True, on_delete="SET NULL")
    from_unit = ForeignKeyField(SupportUnit, null=True, on_delete="SET NULL", backref="+")
    status = CharField(max_length=20, null=True)
    public = BooleanField(default=True)
    text = TextField(default="")
    html = TextField(default="")
    due = DateField(null=True)
    data = TextField(default="")
    dedupe_key = CharField(max_length=64, null=True, unique=True)
    recorded_at = UTCDateTimeField(default=clock.now)
    # Derived, kept in step by dmsu.tickets.projection.facts: the support unit the ticket is in just
    # before this event (its latest ``assigned`` event before it, by time then id) and when
    # it entered that unit. A plain id, not a foreign key: derived data needs no index of its
    # own, and a deleted unit's id is in no list the metrics count.
    unit_before_id = IntegerField(null=True)
    unit_before_at = UTCDateTimeField(null=True)
    # Derived too: when the ticket's previous event of the same flow fact came (see
    # dmsu.tickets.projection.facts.previous_same), so a period piece counts each ticket once cheaply.
    prev_same_at = UTCDateTimeField(null=True)
    # ... and when its next event of the same kind came (dmsu.tickets.projection.facts.next_of_kind).
    next_of_kind_at = UTCDateTimeField(null=True)
    # ... and which flow fact it is (dmsu.tickets.projection.facts.FACT_CODES; None for no fact).
    flow_fact = SmallIntegerField(null=True)

    @property
    def change(self) -> dict:
        """``data`` read back: a field event's {"field", "before", "after"}, a digest's action;
        ``{}`` for data that is no JSON object (an import may carry any text there, and a page
        showing the event must not fail on it)."""
        from dmsu.tickets.projection.history import field_change

        return field_change(self.data)

    class Meta:
        # (kind, at, ...), (kind, status, at, ...) and (kind, support_unit_id, at, ...) are
        # made by migrations m0900-m0903 with the derived columns, so the metrics read a
        # period's events from the index alone.
        indexes = ((("ticket", "at"), False),)


class TicketInvolvement(BaseModel):
    """Other support units kept informed about a ticket (several product teams can be)."""

    ticket = ForeignKeyField(Ticket, backref="involvements", on_delete="CASCADE")
    support_unit = ForeignKeyField(SupportUnit, backref="involvements", on_delete="CASCADE")
    since = UTCDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("ticket", "support_unit"), True),)


class SlaClock(BaseModel):
    """Derived, kept in step by :mod:`dmsu.tickets.sla.stored_clocks`: one SLA clock of a ticket, per
    assignment to a 3rd-line unit (``seq`` numbers them in the ticket's order), with what the
    metrics need to tell its outcome as of any instant. ``level``, ``priority`` and
    ``calendar`` are the inputs it was worked out from that are not events."""

    ticket = ForeignKeyField(Ticket, on_delete="CASCADE", index=False)
    seq = IntegerField()
    unit_id = IntegerField()  # a plain id, as for the events' derived columns
    started_at = UTCDateTimeField()
    level = CharField(max_length=16)
    priority = CharField(max_length=20)
    calendar = CharField(max_length=16)
    hours = FloatField(null=True)  # None: best effort
    due_at = UTCDateTimeField(null=True)  # None: best effort, or paused by an open pause
    stop_at = UTCDateTimeField(null=True)  # the unit's response, or the clock's end
    outcome = CharField(max_length=12)  # met, violated, withdrawn, best_effort or open

    class Meta:
        table_name = "sla_clock"
        indexes = ((("ticket", "seq"), True), (("started_at", "unit_id"), False))


class Release(BaseModel):
    """A component release as seen by UMD: delivered, then verified or rejected.

    Seed 001: "When the new component release passes the UMD verification and stage rollout,
    all the tickets referring to this or older versions of the component are closed."
    """

    component = ForeignKeyField(Component, backref="releases", on_delete="CASCADE")
    version = CharField(max_length=64)
    status = CharField(max_length=16, default="delivered")  # delivered, verified, rejected
    note = TextField(default="")
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    recorded_at = UTCDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("component", "version"), True),)
