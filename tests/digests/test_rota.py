"""The shift rota logic: week names, who is on shift, round-robin generation, admin edits."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dmsu.auth.permissions import PermissionDenied
from dmsu.digests import rota
from dmsu.digests.models import Shift


@pytest.fixture
def assigners(make_user):
    return [make_user("assigner", name) for name in ("anna", "bert", "cara")]


def test_week_of_is_the_iso_week():
    assert rota.week_of(date(2013, 2, 11)) == "2013-W07"
    assert rota.week_of(date(2013, 2, 17)) == "2013-W07"  # Sunday closes the week
    assert rota.week_of(date(2013, 2, 18)) == "2013-W08"
    assert rota.week_of(date(2012, 12, 31)) == "2013-W01"  # ISO year differs
    assert rota.week_of(datetime(2013, 2, 17, 23, 30, tzinfo=UTC)) == "2013-W07"


def test_week_names_are_checked():
    assert rota.normalise_week(" 2013-W07 ") == "2013-W07"
    assert rota.add_weeks("2012-W52", 1) == "2013-W01"
    assert rota.add_weeks("2015-W52", 1) == "2015-W53"
    for bad in ("2013-W53", "2013-W00", "garbage", "2013-07"):
        with pytest.raises(rota.RotaError):
            rota.normalise_week(bad)


def test_generate_round_robin_among_active_assigners(assigners, make_user):
    make_user("resolver", "rex")  # not an assigner: never on the rota
    gone = make_user("assigner", "zed")
    gone.active = False  # inactive: never on the rota
    gone.save()
    shifts = rota.generate_rota("2013-W05", 5)
    assert [s.week for s in shifts] == ["2013-W05", "2013-W06", "2013-W07", "2013-W08", "2013-W09"]
    assert [s.user.username for s in shifts] == ["anna", "bert", "cara", "anna", "bert"]
    assert rota.on_shift("2013-W07").username == "cara"
    assert rota.on_shift(date(2013, 2, 13)).username == "cara"
    assert rota.on_shift("2013-W20") is None


def test_generation_continues_from_the_last_shift(assigners):
    rota.generate_rota("2013-W05", 2)  # anna, bert
    more = rota.generate_rota("2013-W10", 2)  # after bert comes cara
    assert [s.user.username for s in more] == ["cara", "anna"]


def test_generation_keeps_weeks_already_set_unless_asked(assigners, make_user):
    admin = make_user("admin", "boss")
    rota.generate_rota("2013-W05", 3)  # anna, bert, cara
    rota.set_shift("2013-W06", assigners[2], admin)  # cara takes W06 by hand
    kept = rota.generate_rota("2013-W05", 4)
    assert [s.user.username for s in kept] == ["anna", "cara", "cara", "anna"]
    assert Shift.select().count() == 4
    redone = rota.generate_rota("2013-W05", 4, admin, overwrite=True)
    assert [s.user.username for s in redone] == ["anna", "bert", "cara", "anna"]
    assert redone[0].updated_by_id == admin.id
    assert Shift.select().count() == 4


def test_set_shift_is_for_admins(assigners, make_user):
    with pytest.raises(PermissionDenied):
        rota.set_shift("2013-W07", assigners[0], assigners[1])
    with pytest.raises(PermissionDenied):
        rota.generate_rota("2013-W07", 2, actor=assigners[1])
    admin = make_user("admin", "boss")
    shift = rota.set_shift("2013-W07", "bert", admin)
    assert shift.user.username == "bert"
    assert rota.set_shift("2013-W07", assigners[2].id, admin).user.username == "cara"
    assert Shift.select().where(Shift.week == "2013-W07").count() == 1
    assert rota.on_shift("2013-W07").username == "cara"


def test_set_shift_refuses_bad_input(assigners, make_user):
    admin = make_user("admin", "boss")
    tpm = make_user("tpm", "tom")
    with pytest.raises(rota.RotaError, match="not an ISO week"):
        rota.set_shift("2013-W53", assigners[0], admin)
    with pytest.raises(rota.RotaError, match="not an active assigner"):
        rota.set_shift("2013-W07", tpm, admin)
    with pytest.raises(rota.RotaError, match="no such user"):
        rota.set_shift("2013-W07", "nobody", admin)
    assert Shift.select().count() == 0


def test_generate_without_assigners_is_one_sentence(app):
    with pytest.raises(rota.RotaError, match="no active assigners"):
        rota.generate_rota("2013-W07", 4)


def test_shifts_between_lists_gaps(assigners):
    rota.generate_rota("2013-W06", 1)
    listed = rota.shifts_between("2013-W05", 3)
    assert [week for week, _ in listed] == ["2013-W05", "2013-W06", "2013-W07"]
    assert [s.user.username if s else None for _, s in listed] == [None, "anna", None]
