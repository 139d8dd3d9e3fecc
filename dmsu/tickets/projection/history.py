"""THE definition of everything derived from a ticket's history: one pure function,
:func:`project`, from the ticket's ordered events and the kinds of the support units they name
to every derived value (ARCHITECTURE.md rule 1: "Events are the truth").

Everything else is a way to store what this function says: the workflow brings the tickets a
step touched in step with it (:mod:`dmsu.tickets.projection.store`), the importer writes a new
ticket's rows from it, the migrations' backfill and the tests compare against it. The one
exception is speed: :func:`dmsu.tickets.projection.columns.refresh` computes the oversight
columns of many tickets in one SQL ``UPDATE``; a property test holds that SQL form equal to
this function on random histories, on both databases.

The values, for a ticket whose events are ``steps`` (in the order they happened: by time, ties
in the order they were written):

- ``status``: the last ``status`` event's, else ``assigned`` once a unit beyond the 1st line
  held the ticket, else ``new``;
- ``support_unit_id`` / ``unit_since``: the unit of the last ``assigned`` event and its time
  ("The support unit a ticket is in changes only by ``assigned`` events");
- ``eta_due``: the due date of the last ETA since then (an ETA is the promise of the unit it
  was given to; a new assignment clears it);
- ``last_reaction_at``: the last supporter reaction, an event of a reacting kind by a DMSU
  actor or the assignment to DMSU (seed 001: "no tickets are left without supporter's
  reaction for more than three working days");
- ``waiting_since``, ``submitter_wrote_at``, ``escalated_at``: the last ``waiting for reply``,
  the submitter's last comment, the last escalation;
- ``involved``: the units involved and not uninvolved since, with since when;
- ``fields``: the last ``field`` event's change per field it names;
- ``eta``: the ETA outcome the metrics read (:class:`~dmsu.tickets.projection.facts.EtaFix`);
- ``events``: per event, the unit the ticket was in just before it and since when, the unit it
  came from (``assigned`` events), the previous event of the same flow fact, the next event of
  the same kind and the flow fact it is (:mod:`dmsu.tickets.projection.facts`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

import dmsu.tickets.projection.facts as facts
from dmsu.tickets.sla.clocks import DMSU_REACTIONS, WAITING


class Step(NamedTuple):
    """One event as the projection reads it."""

    kind: str
    at: datetime
    unit_id: int | None = None
    status: str | None = None
    due: date | None = None
    actor_role: str = ""
    data: str = ""


class EventFacts(NamedTuple):
    """What the projection says about one event (stored in its derived columns)."""

    unit_before_id: int | None
    unit_before_at: datetime | None
    from_unit_id: int | None
    prev_same_at: datetime | None
    next_of_kind_at: datetime | None
    flow_fact: int | None


OVERSIGHT = ("unit_since", "eta_due", "last_reaction_at", "waiting_since",
             "submitter_wrote_at", "escalated_at")  # fmt: skip
"""The ticket's oversight columns, in the order :mod:`.columns` computes them."""


@dataclass(frozen=True)
class Projection:
    """Every value derived from one ticket's history (see the module docstring)."""

    status: str = "new"
    support_unit_id: int | None = None
    updated_at: datetime | None = None
    unit_since: datetime | None = None
    eta_due: date | None = None
    last_reaction_at: datetime | None = None
    waiting_since: datetime | None = None
    submitter_wrote_at: datetime | None = None
    escalated_at: datetime | None = None
    involved: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)
    eta: facts.EtaFix = facts.EtaFix()
    events: tuple[EventFacts, ...] = ()

    def oversight(self) -> tuple:
        """The values of :data:`OVERSIGHT`."""
        return tuple(getattr(self, name) for name in OVERSIGHT)

    def ticket_columns(self) -> dict:
        """The derived columns of the ``ticket`` row: the oversight columns and the ETA
        outcome."""
        return {
            **dict(zip(OVERSIGHT, self.oversight(), strict=True)),
            "eta_fix_at": self.eta.at,
            "eta_initial_due": self.eta.initial_due,
            "eta_final_due": self.eta.final_due,
            "eta_fix_unit_id": self.eta.unit,
        }


def field_change(data: str) -> dict:
    """An event's ``data`` as the object it holds (a ``field`` event's change
    ``{"field": name, "before": ..., "after": ...}``, a digest's action); ``{}`` for data that
    is none (imported history may carry any text there)."""
    if not data or not data.lstrip().startswith("{"):
        return {}
    try:
        change = json.loads(data)
    except ValueError:
        return {}
    return change if isinstance(change, dict) else {}


def _later(current, at):
    return at if current is None or at > current else current


def project(steps, kinds: facts.UnitKinds, created_at: datetime | None = None) -> Projection:
    """Every derived value of a ticket whose events are ``steps`` (:class:`Step`, in the order
    they happened); ``kinds`` says which unit ids are DMSU, 1st line, 3rd line and UMD
    release; ``created_at`` is ``updated_at`` of a ticket without events."""
    steps = list(steps)
    status = unit = since = eta_due = None
    reaction = waiting = wrote = escalated = None
    updated_at = created_at
    beyond_first_line = False
    involved: dict[int, datetime] = {}
    fields: dict[str, dict] = {}
    befores: list[tuple[int | None, datetime | None]] = []
    for step in steps:
        kind, at = step.kind, step.at
        befores.append((unit, since))
        if (step.actor_role == "dmsu" and kind in DMSU_REACTIONS) or (
            kind == "assigned" and step.unit_id in kinds.dmsu
        ):
            reaction = _later(reaction, at)
        if kind == "assigned":
            unit, since, eta_due = step.unit_id, at, None
            beyond_first_line = beyond_first_line or step.unit_id not in kinds.first_line
        elif kind == "status":
            status = step.status
            if step.status == WAITING:
                waiting = _later(waiting, at)
        elif kind == "eta":
            eta_due = step.due
        elif kind == "comment" and step.actor_role == "submitter":
            wrote = _later(wrote, at)
        elif kind == "escalated":
            escalated = _later(escalated, at)
        elif kind == "involved" and step.unit_id is not None:
            involved.setdefault(step.unit_id, at)
        elif kind == "uninvolved":
            involved.pop(step.unit_id, None)
        elif kind == "field":
            change = field_change(step.data)
            if change.get("field") and "after" in change:
                fields[change["field"]] = change
        updated_at = at
    if status is None:
        status = "assigned" if beyond_first_line else "new"
    fact_steps = [
        (s.kind, s.unit_id, before[0], s.status, s.at, s.due)
        for s, before in zip(steps, befores, strict=True)
    ]
    events = tuple(
        EventFacts(
            before[0], before[1], before[0] if s.kind == "assigned" else None, same, after, code
        )  # fmt: skip
        for s, before, same, after, code in zip(
            steps,
            befores,
            facts.previous_same(fact_steps, kinds),
            facts.next_of_kind(fact_steps),
            facts.fact_codes(fact_steps, kinds),
            strict=True,
        )
    )
    return Projection(
        status=status,
        support_unit_id=unit,
        updated_at=updated_at,
        unit_since=since,
        eta_due=eta_due,
        last_reaction_at=reaction,
        waiting_since=waiting,
        submitter_wrote_at=wrote,
        escalated_at=escalated,
        involved=involved,
        fields=fields,
        eta=facts.eta_fix(fact_steps, kinds.umd, kinds.third),
        events=events,
    )
