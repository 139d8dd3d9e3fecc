"""Indexes for the oversight lists: "the latest event of kind X of this ticket" and "the
latest reaction by a DMSU supporter" are correlated subqueries served by
``ticket_event (ticket_id, kind, at)`` and ``ticket_event (ticket_id, actor_role, at)``."""


def up(db, migrator):
    db.execute_sql(
        "CREATE INDEX IF NOT EXISTS ticket_event_ticket_kind_at "
        "ON ticket_event (ticket_id, kind, at)"
    )
    db.execute_sql(
        "CREATE INDEX IF NOT EXISTS ticket_event_ticket_role_at "
        "ON ticket_event (ticket_id, actor_role, at)"
    )
