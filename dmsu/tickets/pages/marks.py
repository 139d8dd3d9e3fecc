"""How a ticket's status and priority are marked in the lists: by meaning, not by open or
closed. The words always stay; the class adds colour, so nothing is told by colour alone.

A status is read with the kind of unit the ticket is in, because the same word means a
different wait: "assigned" in DMSU waits for us, "assigned" at a product team waits for the
3rd line. Seed 000 ("Ticket processing"): "If the issue is a symptom of a known problem, with a
fix scheduled for a new software release, but not a straightforward duplicate of another
ticket, the ticket is put into the 'on hold' state." Seed 001 on the UMD release stage: "it is
not feasible to close the tickets on delivery of the component". Both wait for a release.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mark:
    key: str  # the CSS class suffix: status-<key>, priority-<key>
    meaning: str  # what the mark says, for the title attribute


WAITING_FOR_US = Mark("waiting-for-us", "waiting for DMSU or the 1st line")
WAITING_FOR_SUBMITTER = Mark("waiting-for-submitter", "waiting for the submitter's reply")
WITH_THIRD_LINE = Mark("with-third-line", "with a 3rd-line unit")
IN_RELEASE = Mark("in-release", "waiting for a release")
SOLVED = Mark("solved", "finished with a solution")
CLOSED_UNSOLVED = Mark("closed-unsolved", "finished without a solution")

STATUS_GROUPS = (
    WAITING_FOR_US,
    WAITING_FOR_SUBMITTER,
    WITH_THIRD_LINE,
    IN_RELEASE,
    SOLVED,
    CLOSED_UNSOLVED,
)


def status_mark(status: str, unit_kind: str | None = None) -> Mark:
    """The group of ``status`` for a ticket in a unit of ``unit_kind``."""
    if status in ("solved", "verified"):
        return SOLVED
    if status in ("unsolved", "closed"):
        return CLOSED_UNSOLVED
    if status == "on hold" or unit_kind == "umd_release":
        return IN_RELEASE
    if status == "waiting for reply":
        return WAITING_FOR_SUBMITTER
    if unit_kind == "third_line":
        return WITH_THIRD_LINE
    return WAITING_FOR_US


PRIORITY_MARKS = {
    "top priority": Mark("top", "top priority: react first"),
    "very urgent": Mark("very-urgent", "very urgent"),
    "urgent": Mark("urgent", "urgent"),
    "less urgent": Mark("less-urgent", "less urgent"),
}


def priority_mark(priority: str) -> Mark:
    return PRIORITY_MARKS.get(priority, PRIORITY_MARKS["less urgent"])
