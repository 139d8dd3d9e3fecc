"""Follow-up notices from the due lists: a missing ETA is asked of the unit, an expired ETA is
reported to the shift, a ticket without reaction to its assignee — each once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dmsu.core.calendar import BusinessCalendar
from dmsu.notify.models import Notification
from dmsu.tickets.oversight.due_notices import check_etas, remind_reaction
from dmsu.tickets.oversight.groups import Settings
from dmsu.tickets.units import SupportUnit

NOW = datetime(2013, 2, 21, 12, 0, tzinfo=UTC)  # Thursday


def settings(now=NOW) -> Settings:
    return Settings(now=now, calendar=BusinessCalendar())


@pytest.fixture
def units():
    SupportUnit.create(
        name="CREAM", kind="third_line", sla_level="level2", contact_email="cream@example.org"
    )
    dmsu = SupportUnit.named("DMSU")
    dmsu.contact_email = "dmsu@example.org"
    dmsu.save()


def notes():
    return {(n.kind, n.recipient, n.state) for n in Notification.select()}


def test_a_missing_eta_is_asked_of_the_unit_once(app, units, make_ticket):
    # assigned Thursday 2013-02-14 10:00 local: 5 working days ran out at 10:00 today
    make_ticket(
        1, events=[{"at": "2013-02-14T09:00:00+00:00", "type": "assigned", "support_unit": "CREAM"}]
    )
    assert check_etas(settings(), app.config) == "1 ETA requests, 0 expired ETAs reported"
    assert check_etas(settings(), app.config) == "0 ETA requests, 0 expired ETAs reported"
    assert notes() == {("eta_missing", "cream@example.org", "queued")}


def test_an_expired_eta_goes_to_the_person_on_shift(app, units, make_ticket, make_user):
    from dmsu.digests.rota import set_shift, week_of

    carol = make_user("assigner", "carol", email="carol@example.org")
    set_shift(week_of(NOW), carol, make_user("admin"))
    make_ticket(
        2,
        events=[
            {"at": "2013-02-01T09:00:00+00:00", "type": "assigned", "support_unit": "CREAM"},
            {"at": "2013-02-01T10:00:00+00:00", "type": "eta", "due": "2013-02-20"},
        ],
    )
    assert check_etas(settings(), app.config) == "0 ETA requests, 1 expired ETAs reported"
    assert notes() == {("eta_expired", "carol@example.org", "queued")}
    (note,) = Notification.select()
    assert note.subject == "[GGUS 2] ETA 2013-02-20 expired" and note.ticket_ggus_id == 2


def test_an_eta_that_expired_long_ago_is_recorded_not_mailed(app, units, make_ticket):
    make_ticket(
        3,
        events=[
            {"at": "2013-01-01T09:00:00+00:00", "type": "assigned", "support_unit": "CREAM"},
            {"at": "2013-01-01T10:00:00+00:00", "type": "eta", "due": "2013-01-15"},
        ],
    )
    check_etas(settings(), app.config)
    assert notes() == {("eta_expired", "dmsu@example.org", "suppressed")}


def test_no_reaction_reminds_the_assignee_else_dmsu(app, units, make_ticket, make_user):
    dora = make_user("resolver", "dora", email="dora@example.org")
    # assigned to DMSU Monday 2013-02-18 09:00 local: three working days ran out at 09:00 today
    make_ticket(
        4,
        assignee=dora,
        events=[{"at": "2013-02-18T08:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
    )
    make_ticket(
        5, events=[{"at": "2013-02-18T08:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}]
    )
    assert remind_reaction(settings(), app.config) == "2 reaction reminders"
    assert remind_reaction(settings(), app.config) == "0 reaction reminders"
    assert notes() == {
        ("reaction_reminder", "dora@example.org", "queued"),
        ("reaction_reminder", "dmsu@example.org", "queued"),
    }
