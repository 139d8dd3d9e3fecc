"""Metrics: two indexes that let a project year's metrics page read indexes only.

- ``ticket_event_closed_status``: the closed status events, ``(ticket_id, at,
  next_of_kind_at)``, partial (:data:`dmsu.tickets.models.CLOSED_STATUS_EVENT`). "Was the
  ticket closed at instant T" (its status event live at T is a closed one) is then one small
  index: the 3rd-line backlog checks every ticket still at the 3rd line that way
  (:func:`dmsu.metrics.backlog.third_line_backlog`).
- ``ticket_eta_fix``: ``(eta_fix_at, eta_initial_due, eta_final_due, eta_fix_unit_id)`` in
  place of ``(eta_fix_at)`` (it begins with it): ETA accuracy per piece and per product team
  without reading the tickets.

A no-op where the indexes exist.
"""

from __future__ import annotations

from dmsu.tickets.models import CLOSED_STATUS_EVENT

INDEXES = (
    "CREATE INDEX IF NOT EXISTS ticket_event_closed_status ON ticket_event "
    f"(ticket_id, at, next_of_kind_at) WHERE {CLOSED_STATUS_EVENT}",
    "CREATE INDEX IF NOT EXISTS ticket_eta_fix ON ticket "
    "(eta_fix_at, eta_initial_due, eta_final_due, eta_fix_unit_id)",
)
SUPERSEDED = ("ticket_eta_fix_at",)


def up(db, migrator):
    from dmsu.core.schema import replace_indexes

    replace_indexes(SUPERSEDED, INDEXES)
