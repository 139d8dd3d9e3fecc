"""The DMSU shift rota: who is on duty each ISO week.

Seed 000: "there is a 'DMSU shift' duty rotated weekly among the assigners", and "Digest of
the tickets handled by DMSU in the previous week is prepared by the DMSU shift on duty person
as his/her final task". And: "a weekly rota among assigners (generated round robin,
editable by admins)".

Weeks are named like ISO weeks, ``2013-W07``; the names sort in time order as strings.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dmsu.auth.models import User
from dmsu.auth.permissions import require
from dmsu.core import clock
from dmsu.core.db import write_transaction
from dmsu.digests.models import Shift
from dmsu.metrics.periods import PeriodError, iso_week_name, week_bounds

ON_SHIFT_ROLES = ("assigner",)
"""Who the round robin picks: the assigners (seed 000)."""

ASSIGNABLE_ROLES = ("assigner", "admin")
"""Who an admin may put on a week by hand."""


class RotaError(ValueError):
    """A rota change that cannot be made; the message is one sentence for the user."""


def week_of(day: date | datetime) -> str:
    """The ISO week holding ``day`` (an aware datetime is taken in UTC), e.g. ``2013-W07``."""
    if isinstance(day, datetime):
        if day.tzinfo is None:
            raise RotaError("week_of needs a timezone-aware datetime or a date.")
        day = day.astimezone(UTC).date()
    return iso_week_name(day)


def normalise_week(week: str) -> str:
    """``week`` checked and written canonically (``2013-w7`` is not accepted, ``2013-W07`` is);
    :class:`RotaError` for a name that is not an existing ISO week."""
    try:
        start, _ = week_bounds(str(week))
    except PeriodError as exc:
        raise RotaError(str(exc)) from None
    return iso_week_name(start.date())


def monday_of(week: str) -> date:
    """The Monday that starts ``week``."""
    start, _ = week_bounds(normalise_week(week))
    return start.date()


def add_weeks(week: str, n: int) -> str:
    """The week ``n`` weeks after (or before, for negative ``n``) ``week``."""
    return iso_week_name(monday_of(week) + timedelta(weeks=n))


def weeks_from(first: str, count: int) -> list[str]:
    """``count`` consecutive week names starting with ``first``."""
    monday = monday_of(first)
    return [iso_week_name(monday + timedelta(weeks=i)) for i in range(count)]


def _as_week(day_or_week: date | datetime | str) -> str:
    if isinstance(day_or_week, str):
        return normalise_week(day_or_week)
    return week_of(day_or_week)


def shift_for(day_or_week: date | datetime | str) -> Shift | None:
    """The shift row of the week holding ``day_or_week`` (with its user), or None."""
    week = _as_week(day_or_week)
    return (
        Shift.select(Shift, User)
        .join(User, on=(Shift.user == User.id))
        .where(Shift.week == week)
        .first()
    )


def on_shift(day_or_week: date | datetime | str) -> User | None:
    """The person on DMSU shift in the week holding ``day_or_week`` (a date, an aware
    datetime, or a week name like ``2013-W07``); None when nobody is on the rota."""
    shift = shift_for(day_or_week)
    return shift.user if shift is not None else None


def shifts_between(first: str, count: int) -> list[tuple[str, Shift | None]]:
    """``count`` weeks from ``first``, each with its shift (or None): one query."""
    weeks = weeks_from(first, count)
    found = {
        shift.week: shift
        for shift in Shift.select(Shift, User)
        .join(User, on=(Shift.user == User.id))
        .where(Shift.week.in_(weeks))
    }
    return [(week, found.get(week)) for week in weeks]


def rotation() -> list[User]:
    """The people the round robin takes turns among, in a stable order (by username)."""
    return list(User.active_with_role(*ON_SHIFT_ROLES))


def _next_after(people: list[User], previous: User | None) -> int:
    """Index in ``people`` of the one who follows ``previous`` in the round robin."""
    if previous is None:
        return 0
    ids = [person.id for person in people]
    if previous.id in ids:
        return (ids.index(previous.id) + 1) % len(people)
    # The previous person left the rotation: continue with whoever sorts after them.
    later = [i for i, person in enumerate(people) if person.username > previous.username]
    return later[0] if later else 0


def generate_rota(
    start_week: str, weeks: int, actor=None, *, overwrite: bool = False
) -> list[Shift]:
    """Fill ``weeks`` weeks from ``start_week`` round robin among the active assigners,
    continuing from the last assigned shift before (or among) them. Weeks already set are
    kept (and the turn continues from whoever holds them) unless ``overwrite``.

    ``actor`` None is the system (a job, the demo, the CLI); a person needs ``rota.edit``.
    Returns the shifts of the range, in week order.
    """
    if actor is not None:
        require(actor, "rota.edit", "generate the shift rota")
    start_week = normalise_week(start_week)
    if not 1 <= int(weeks) <= 520:
        raise RotaError("Generate between 1 and 520 weeks of the rota.")
    people = rotation()
    if not people:
        raise RotaError("There are no active assigners to put on the shift rota.")
    names = weeks_from(start_week, int(weeks))
    result: list[Shift] = []
    now = clock.now()
    updated_by = actor.id if actor is not None else None
    # the reads inside the write: an admin generating the same weeks at the same moment waits,
    # then keeps what the first one set (creating them twice answered 500)
    with write_transaction("digests"):
        previous_shift = (
            Shift.select(Shift, User)
            .join(User, on=(Shift.user == User.id))
            .where(Shift.week < start_week)
            .order_by(Shift.week.desc())
            .first()
        )
        previous = previous_shift.user if previous_shift else None
        existing = {s.week: s for s in Shift.select().where(Shift.week.in_(names))}
        for week in names:
            shift = existing.get(week)
            if shift is not None and not overwrite:
                previous = shift.user
                result.append(shift)
                continue
            person = people[_next_after(people, previous)]
            if shift is None:
                shift = Shift.create(week=week, user=person, updated_by=updated_by, updated_at=now)
            else:
                shift.user = person
                shift.updated_by = updated_by
                shift.updated_at = now
                shift.save()
            previous = person
            result.append(shift)
    return result


def set_shift(week: str, user: User | int | str, actor) -> Shift:
    """Put ``user`` (a User, id or username) on shift for ``week``; admins only (rota.edit)."""
    require(actor, "rota.edit", "change the shift rota")
    week = normalise_week(week)
    person = _person(user)
    with write_transaction("digests"):
        shift = Shift.get_or_none(Shift.week == week)
        if shift is None:
            return Shift.create(week=week, user=person, updated_by=actor.id, updated_at=clock.now())
        shift.user = person
        shift.updated_by = actor.id
        shift.updated_at = clock.now()
        shift.save()
        return shift


def clear_shift(week: str, actor) -> bool:
    """Take ``week`` off the rota; True when there was a shift."""
    require(actor, "rota.edit", "change the shift rota")
    return Shift.delete().where(Shift.week == normalise_week(week)).execute() > 0


def _person(user: User | int | str) -> User:
    if isinstance(user, User):
        person = user
    elif isinstance(user, int) or (isinstance(user, str) and user.isdigit()):
        person = User.get_or_none(User.id == int(user))
    else:
        person = User.get_or_none(User.username == str(user).strip())
    if person is None:
        raise RotaError("There is no such user to put on shift.")
    if not person.active or person.role not in ASSIGNABLE_ROLES:
        raise RotaError(f"{person.name} is not an active assigner, so cannot take a shift.")
    return person
