"""The digests' demo copes with whatever tickets the ticket demo made, even none."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from types import SimpleNamespace

from dmsu.digests import demo
from dmsu.digests.models import Digest, Shift
from tests.support.digests_history import make_week


def _ctx():
    return SimpleNamespace(
        end=datetime(2013, 2, 20, 12, 0, tzinfo=UTC),
        rng=random.Random(7),
        users={},
        echo=print,
        n_tickets=0,
    )


def test_demo_rota_and_digests_without_tickets(app, make_user):
    for name in ("alice", "bruno", "chiara"):
        make_user("assigner", name)
    with app.app_context():
        summary = demo.load(_ctx())
    assert "8 published" in summary and "2013-W07 left as a draft" in summary
    states = dict(Digest.select(Digest.week, Digest.state).tuples())
    assert states["2013-W07"] == "draft"
    assert states["2012-W51"] == "published" and len(states) == 9
    weeks = [s.week for s in Shift.select().order_by(Shift.week)]
    assert weeks[0] == "2012-W08" and weeks[-1] == "2013-W20"
    published = Digest.get(Digest.week == "2013-W06")
    assert published.published_at == datetime(2013, 2, 11, 13, 0, tzinfo=UTC)
    assert published.author.username in {"alice", "bruno", "chiara"}


def test_demo_with_tickets_takes_their_entries(app, make_user, make_ticket):
    make_user("assigner", "alice")
    make_week(make_ticket)
    with app.app_context():
        demo.load(_ctx())
    draft = Digest.get(Digest.week == "2013-W07")
    assert sorted(e.ggus_id for e in draft.entries) == [91001, 91002]


def test_demo_without_assigners_says_so(app):
    with app.app_context():
        assert "no assigners" in demo.load(_ctx())
    assert Digest.select().count() == 0
