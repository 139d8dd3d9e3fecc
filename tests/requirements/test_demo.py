"""The demo's requirements: about 15 from change-request tickets in various states, some with
RT ids, one TCB meeting — and no call to RT."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from dmsu.demo import DemoContext
from dmsu.requirements import demo
from dmsu.requirements.models import Requirement, RequirementTicket, TcbReport

END = datetime(2013, 5, 1, tzinfo=UTC)


def test_demo_requirements_come_from_change_requests_in_many_states(
    app, make_user, make_ticket, monkeypatch
):
    monkeypatch.setattr(
        "dmsu.requirements.rt_client.RtClient.__init__",
        lambda *a, **k: (_ for _ in ()).throw(AssertionError("the demo must not call RT")),
    )
    users = {n: make_user(role, n) for n, role in (("rita", "resolver"), ("alice", "assigner"))}
    start = END - timedelta(days=300)
    for i in range(20):
        make_ticket(
            80000 + i,
            category="change request" if i % 4 else "incident",
            component="CREAM CE",
            created_at=(start + timedelta(days=12 * i)).isoformat(),
        )
    for i in range(3):
        make_ticket(
            90000 + i,
            events=[
                {"at": "2013-01-07T09:00:00+00:00", "type": "assigned", "support_unit": "CREAM"}
            ],
            priority="less urgent",
        )
    ctx = DemoContext(n_tickets=0, rng=random.Random(1), end=END, users=users)
    summary = demo.load(ctx)
    assert summary.startswith("Requirements: 15 demo requirements")
    sources = {link.ticket.category for link in RequirementTicket.select()}
    assert sources == {"change request"}
    statuses = {r.status for r in Requirement.select()}
    assert {"new", "in RT", "reported to TCB", "withdrawn", "rejected"} <= statuses
    assert Requirement.select().where(Requirement.rt_id.is_null(False)).count() >= 5
    assert Requirement.select().where(Requirement.third_line_ticket.is_null(False)).count() >= 1
    assert TcbReport.select().count() >= 1
    assert demo.load(ctx) == "Requirements: already there."
