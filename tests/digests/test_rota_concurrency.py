"""Two admins fill the shift rota at the same moment over real HTTP: both answers are clean
and the rota has each week once, one person per week (hardening round 2: concurrent creation
of the rota answered 500 or 503; the shifts were read outside the write)."""

from __future__ import annotations

from functools import partial

from dmsu.digests.models import Shift
from tests.support.live_http import LiveSession, race


def test_two_admins_generating_the_rota_at_once_fill_each_week_once(live_server, make_user):
    for name in ("ann", "bob", "cem"):
        make_user("assigner", name)
    admins = [LiveSession(live_server.url).log_in(make_user("admin", f"root{n}")) for n in range(2)]
    for n in range(4):
        form = {"start": f"2013-W{10 + 8 * n:02d}", "weeks": "8"}
        answers = race(*[partial(a.form, "/digests/rota/generate", form) for a in admins])
        assert [a.status_code for a in answers] == [302, 302], [a.text[:300] for a in answers]
    weeks = [s.week for s in Shift.select().order_by(Shift.week)]
    assert len(weeks) == len(set(weeks)) == 32


def test_two_admins_setting_one_week_at_once_leave_one_shift(live_server, make_user):
    people = [make_user("assigner", name) for name in ("ann", "bob")]
    admins = [LiveSession(live_server.url).log_in(make_user("admin", f"root{n}")) for n in range(2)]
    for n in range(6):
        week = f"2013-W{20 + n:02d}"
        calls = [
            partial(admin.form, f"/digests/rota/{week}", {"user": str(person.id)})
            for admin, person in zip(admins, people, strict=True)
        ]
        assert sorted(a.status_code for a in race(*calls)) == [302, 302]
        assert Shift.select().where(Shift.week == week).count() == 1
