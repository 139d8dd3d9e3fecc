"""Pulling the status of the linked RT tickets into the requirements log (``flask dmsu rt-sync``
and the hourly job).

Seed 000: "Digests of the requirements gathered in this way, as well as status report on their
processing are provided to TCB" — the processing happens in RT, so its status is pulled here.

The RT status is stored as ``rt_status``. Three RT statuses also move the requirement, when
its own status allows it (:data:`dmsu.requirements.log.TRANSITIONS`):

- ``resolved`` → ``implemented``: RT's requirements queue resolves a ticket when the
  requested change has been delivered; a requirement refused in RT is ``rejected`` there;
- ``rejected`` → ``rejected``;
- ``deleted`` → ``withdrawn``.

``new``, ``open`` and ``stalled`` only update ``rt_status``. Events are written only when
something changed, so running the sync twice writes nothing the second time (idempotent).
A requirement edited while the sync ran is left for the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dmsu.core import clock
from dmsu.requirements.log import StaleRequirement, can_move, write
from dmsu.requirements.models import Requirement
from dmsu.requirements.rt_client import RtClient, RtError, RtSettings

RT_STATUS_MOVES = {"resolved": "implemented", "rejected": "rejected", "deleted": "withdrawn"}


@dataclass
class SyncResult:
    checked: int = 0
    changed: int = 0
    moved: list[tuple[int, str, str]] = field(default_factory=list)  # (id, from, to)
    missing: list[int] = field(default_factory=list)  # RT ids RT does not know
    skipped: int = 0  # edited meanwhile; next run

    def summary(self) -> str:
        text = f"RT sync: {self.checked} linked, {self.changed} changed"
        if self.moved:
            text += ", status moved for " + ", ".join(f"#{i} ({a} → {b})" for i, a, b in self.moved)
        if self.missing:
            text += ", not found in RT: " + ", ".join(f"#{i}" for i in self.missing)
        if self.skipped:
            text += f", {self.skipped} edited meanwhile (next run)"
        return text + "."


def sync_from_rt(settings: RtSettings, *, at=None) -> SyncResult:
    """Read the RT status of every linked requirement; raise RtError when RT fails."""
    at = at or clock.now()
    result = SyncResult()
    linked = list(Requirement.select().where(Requirement.rt_id.is_null(False)))
    result.checked = len(linked)
    if not linked:
        return result
    client = RtClient(settings)
    statuses = client.statuses([r.rt_id for r in linked])
    for rt_id in sorted({r.rt_id for r in linked} - set(statuses)):
        try:
            statuses[rt_id] = client.ticket(rt_id)["status"]
        except RtError as exc:
            if "HTTP 404" not in str(exc):
                raise
            result.missing.append(rt_id)
    for requirement in linked:
        rt_status = statuses.get(requirement.rt_id)
        if rt_status is None or rt_status == requirement.rt_status:
            continue
        previous = requirement.rt_status or "unknown"
        changes = {"rt_status": rt_status, "rt_synced_at": at}
        events = [
            (
                "rt_status",
                f"RT ticket #{requirement.rt_id} is now {rt_status} (was {previous}).",
                {"rt_id": requirement.rt_id, "from": requirement.rt_status, "to": rt_status},
            )
        ]
        moved = None
        target = RT_STATUS_MOVES.get(rt_status)
        if target and target != requirement.status and can_move(requirement.status, target):
            changes["status"] = target
            events.append(
                (
                    "status",
                    f"Status {requirement.status} → {target}, following RT ({rt_status}).",
                    {"from": requirement.status, "to": target, "rt_status": rt_status},
                )
            )
            moved = (requirement.id, requirement.status, target)
        try:
            write(requirement, None, changes, events, at=at)
        except StaleRequirement:
            result.skipped += 1
            continue
        result.changed += 1
        if moved:
            result.moved.append(moved)
    return result
