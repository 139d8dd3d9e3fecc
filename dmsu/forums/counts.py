"""The forums counted (issue 21, item 7): per list and per project quarter, the threads that
started, and how many of them were seen, answered by DMSU, linked to a ticket, turned into a
ticket, or found not relevant: seed 001's "proactive support" for the metrics page and the
quarterly report.

A thread counts in the quarter its first mail was sent, with the state it has now and its
ticket links (a thread both linked and spawned counts in both). "Seen" is every thread someone
on staff has looked at: every state but ``new``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dmsu.forums.models import ForumList, ForumThread, ForumThreadTicket
from dmsu.metrics.periods import Period, split

COLUMNS = ("threads", "seen", "answered", "linked", "spawned", "not relevant")


@dataclass
class Line:
    label: str
    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))


@dataclass
class Piece:
    period: Period
    lines: list[Line]
    total: Line


def _links(thread_ids: list[int]) -> tuple[set[int], set[int]]:
    linked, spawned = set(), set()
    for start in range(0, len(thread_ids), 500):
        part = thread_ids[start : start + 500]
        for thread_id, was_spawned in (
            ForumThreadTicket.select(ForumThreadTicket.thread, ForumThreadTicket.spawned)
            .where(ForumThreadTicket.thread.in_(part))
            .tuples()
        ):
            (spawned if was_spawned else linked).add(thread_id)
    return linked, spawned


def counts(period: Period, project_start: date) -> list[Piece]:
    """One piece per project quarter of ``period`` (clipped to it), a line per list."""
    threads = list(
        ForumThread.select(
            ForumThread.id, ForumThread.forum_list, ForumThread.state, ForumThread.started_at
        )
        .where(ForumThread.started_at >= period.start, ForumThread.started_at < period.end)
        .tuples()
    )
    linked, spawned = _links([t[0] for t in threads])
    names = {fl.id: fl.address for fl in ForumList.select(ForumList.id, ForumList.address)}
    pieces = []
    for piece in split(period, "quarter", project_start):
        lines: dict[int, Line] = {}
        total = Line("All lists")
        for thread_id, list_id, state, started in threads:
            if started not in piece:
                continue
            line = lines.setdefault(list_id, Line(names.get(list_id, "?")))
            for target in (line, total):
                target.values["threads"] += 1
                target.values["seen"] += state != "new"
                target.values["answered"] += state == "answered"
                target.values["not relevant"] += state == "not relevant"
                target.values["linked"] += thread_id in linked
                target.values["spawned"] += thread_id in spawned
        pieces.append(Piece(piece, sorted(lines.values(), key=lambda line: line.label), total))
    return pieces
