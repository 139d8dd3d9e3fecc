"""Which status moves are legal: the transition table of a ticket's status.

Seed 000 ("Ticket processing"): "If the issue does not indicate a software defect, and a final
solution can be provided within DMSU, the ticket is closed by the resolver. If the issue is a
symptom of a known problem, with a fix scheduled for a new software release, but not a
straightforward duplicate of another ticket, the ticket is put into the 'on hold' state."

Closed tickets can only be reopened; ``reopened`` comes from ``solved``, ``unsolved``,
``verified`` or ``closed``; ``waiting for reply`` and ``in progress`` go back and forth.
"""

from __future__ import annotations

from dmsu.tickets.models import CLOSED_STATUSES, STATUSES

_WORKING = ("assigned", "in progress", "waiting for reply", "on hold")
_ENDINGS = ("solved", "unsolved", "closed")

TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset(_WORKING + _ENDINGS),
    "assigned": frozenset(_WORKING + _ENDINGS) - {"assigned"},
    "in progress": frozenset(_WORKING + _ENDINGS) - {"in progress"},
    "waiting for reply": frozenset(_WORKING + _ENDINGS) - {"waiting for reply"},
    "on hold": frozenset(_WORKING + _ENDINGS) - {"on hold"},
    "reopened": frozenset(_WORKING + _ENDINGS),
    "solved": frozenset({"verified", "closed", "reopened"}),
    "unsolved": frozenset({"verified", "closed", "reopened"}),
    "verified": frozenset({"closed", "reopened"}),
    "closed": frozenset({"reopened"}),
}
assert set(TRANSITIONS) == set(STATUSES)


def allowed_moves(status: str) -> list[str]:
    """The statuses a ticket in ``status`` may move to, in the order of STATUSES."""
    return [s for s in STATUSES if s in TRANSITIONS.get(status, ())]


def refusal(current: str, target: str) -> str | None:
    """Why ``current`` → ``target`` is illegal, in one sentence; ``None`` when it is legal."""
    if target not in STATUSES:
        return f"'{target}' is not a ticket status."
    if current == target:
        return f"The ticket is already {current}."
    if target in TRANSITIONS[current]:
        return None
    if current == "closed":
        return "A closed ticket can only be reopened."
    if current in CLOSED_STATUSES:
        choices = ", ".join(allowed_moves(current))
        return f"A {current} ticket can only become: {choices}."
    if target == "reopened":
        return "Only a solved, unsolved, verified or closed ticket can be reopened."
    if target == "verified":
        return "Only a solved or unsolved ticket can be verified."
    return f"A ticket cannot move from {current} to {target}."
