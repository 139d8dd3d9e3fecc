"""Who a notification goes to: a support unit, DMSU, the person on shift, a ticket's people.

Seed 000: the DMSU shift supervises the operation "in order to provide better coordination
among the assigners, to guarantee faster response to new tickets as well as to stalled tickets
being overlooked by a particular resolver" — so oversight notices go to the person on shift,
and to DMSU's address (or its assigners) when nobody is on the rota.
"""

from __future__ import annotations

from datetime import datetime

from dmsu.auth.models import User
from dmsu.tickets.units import SupportUnit


def unit_addresses(unit: SupportUnit | None) -> list[str]:
    """The unit's contact address (empty when the unit has none: recorded, not mailed)."""
    return [unit.contact_email] if unit is not None and unit.contact_email else []


def dmsu_addresses() -> list[str]:
    """DMSU's contact address, or the active assigners' addresses."""
    unit = SupportUnit.get_or_none(SupportUnit.kind == "dmsu")
    if unit is not None and unit.contact_email:
        return [unit.contact_email]
    return [u.email for u in User.active_with_role("assigner") if u.email]


def person_on_shift(now: datetime):
    """The person on shift this week, from the digests' rota (None when nobody is on shift)."""
    from dmsu.digests.rota import on_shift

    return on_shift(now)


def duty_addresses(now: datetime) -> list[str]:
    """The person on shift this week, else DMSU."""
    person = person_on_shift(now)
    if person is not None and person.email and person.active:
        return [person.email]
    return dmsu_addresses()
