"""A ticket's dossier (:mod:`dmsu.tickets.dossier`): its SLA clocks tell the same story as the
stored clock rows the metrics count (another reading of the same events), with the pauses the
rows do not keep; internal ETA text only for who may read internal comments."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from flask_login import AnonymousUserMixin

from dmsu.core import clock
from dmsu.core.calendar import BusinessCalendar
from dmsu.tickets.dossier import dossier_of, sees_internal_comments
from dmsu.tickets.models import SlaClock
from dmsu.tickets.units import SupportUnit

START = datetime(2013, 2, 11, 9, tzinfo=UTC)


def random_history(rng: random.Random) -> list[dict]:
    """Assignments among units of each SLA level, waiting stretches, the team's answers."""
    events, at = [], START
    for _ in range(rng.randint(1, 12)):
        at += timedelta(hours=rng.randint(1, 60))
        kind = rng.choice(["assigned", "assigned", "waiting", "resume", "answer", "close"])
        if kind == "assigned":
            unit = rng.choice(["DMSU", "CREAM", "dCache", "StoRM", "Legacy"])
            events.append({"at": at.isoformat(), "type": "assigned", "support_unit": unit})
        elif kind == "waiting":
            events.append({"at": at.isoformat(), "type": "status", "status": "waiting for reply"})
        elif kind == "resume":
            events.append({"at": at.isoformat(), "type": "status", "status": "in progress",
                           "author_role": "submitter"})  # fmt: skip
        elif kind == "answer":
            events.append({"at": at.isoformat(), "type": "comment", "author_role": "third_line",
                           "text": "On it."})  # fmt: skip
        else:
            events.append({"at": at.isoformat(), "type": "status", "status": "solved"})
    return events


@pytest.fixture
def units(app):
    for name, level in (("CREAM", "level2"), ("dCache", "level3"), ("StoRM", "unspecified"),
                        ("Legacy", "legacy")):  # fmt: skip
        SupportUnit.create(name=name, kind="third_line", sla_level=level)


@pytest.mark.parametrize("seed", range(12))
def test_clocks_agree_with_the_stored_clock_rows(app, units, make_ticket, make_user, seed):
    rng = random.Random(seed)
    priority = rng.choice(["less urgent", "urgent", "very urgent", "top priority"])
    ticket = make_ticket(90000 + seed, events=random_history(rng), priority=priority)
    staff = make_user("tpm")
    found = dossier_of(ticket, staff, BusinessCalendar.from_config(app.config), clock.now())
    rows = list(SlaClock.select().where(SlaClock.ticket == ticket.id).order_by(SlaClock.seq))
    assert len(found.sla_clocks) == len(rows)
    for shown, row in zip(found.sla_clocks, rows, strict=True):
        assert datetime.fromisoformat(shown["started_at"]) == row.started_at
        assert shown["sla_level"] == row.level and shown["response_hours"] == row.hours
        stopped = shown["stopped_at"] and datetime.fromisoformat(shown["stopped_at"])
        assert stopped == (row.stop_at or None)
        if row.outcome != "open":  # finished: the same outcome and deadline
            assert shown["state"] == row.outcome
            assert (shown["due_at"] and datetime.fromisoformat(shown["due_at"])) == (
                row.due_at or None
            )
        for pause in shown["pauses"]:
            assert pause["from"] >= shown["started_at"]


def test_internal_eta_text_only_for_who_reads_internal_comments(app, units, make_ticket, make_user):
    ticket = make_ticket(91039, events=[
        {"at": "2013-02-11T09:00:00+00:00", "type": "assigned", "support_unit": "CREAM"},
        {"at": "2013-02-12T09:00:00+00:00", "type": "eta", "due": "2013-03-01",
         "public": False, "text": "Internal guess."},
    ])  # fmt: skip
    staff, outside = make_user("resolver"), AnonymousUserMixin()
    assert sees_internal_comments(staff) and not sees_internal_comments(outside)
    calendar, now = BusinessCalendar(), clock.now()
    assert dossier_of(ticket, staff, calendar, now).etas["history"][0]["text"] == "Internal guess."
    assert dossier_of(ticket, outside, calendar, now).etas["history"][0]["text"] is None
