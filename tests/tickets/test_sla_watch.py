"""Watching SLA clocks: the unit is warned at 75 % of its response time, a missed
response is an ``sla_violation`` event by the system plus a notice to DMSU — each once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dmsu.core.calendar import BusinessCalendar
from dmsu.notify import mail
from dmsu.notify.models import Notification
from dmsu.tickets.models import TicketEvent
from dmsu.tickets.oversight.sla_watch import check_sla
from dmsu.tickets.units import SupportUnit

CAL = BusinessCalendar()


@pytest.fixture
def app_config(smtp_app_config):
    return smtp_app_config


@pytest.fixture
def at_dcache(make_ticket):
    """Legacy SLA, "less urgent" = severity 4: "15 working days" from Monday 10:00 local."""
    SupportUnit.create(
        name="dCache", kind="third_line", sla_level="legacy", contact_email="support@dcache.org"
    )
    dmsu = SupportUnit.named("DMSU")
    dmsu.contact_email = "dmsu@example.org"
    dmsu.save()
    return make_ticket(
        91500,
        subject="SRM timeouts",
        events=[{"at": "2013-02-11T09:00:00+00:00", "type": "assigned", "support_unit": "dCache"}],
    )


def check(app, iso):
    with app.app_context():
        return check_sla(datetime.fromisoformat(iso).astimezone(UTC), CAL, app.config)


def test_the_warning_comes_at_75_percent_of_the_response_time(app, at_dcache, smtp_server):
    # 120 working hours from Monday 2013-02-11 10:00 local, due Monday 2013-03-04 10:00; 75 %
    # is 90 working hours: 11 working days and 2 hours, Tuesday 2013-02-26 12:00 local
    assert check(app, "2013-02-26T11:59:00+01:00").endswith("0 reminders, 0 violations")
    assert check(app, "2013-02-26T12:01:00+01:00").endswith("1 reminders, 0 violations")
    assert check(app, "2013-02-26T14:00:00+01:00").endswith("0 reminders, 0 violations")
    mail.deliver_pending(app.config)
    (message,) = smtp_server.messages
    assert message.rcpt_tos == ["support@dcache.org"]
    assert message.message["Subject"] == "[GGUS 91500] response due by 2013-03-04 09:00 UTC"
    assert "http://localhost/tickets/91500" in message.message.get_content()
    (reminder,) = TicketEvent.select().where(TicketEvent.kind == "reminder")
    assert reminder.actor_role == "system" and not reminder.public


def test_a_missed_response_is_recorded_once_and_reported_to_dmsu(app, at_dcache, smtp_server):
    assert check(app, "2013-03-04T10:30:00+01:00").endswith("0 reminders, 1 violations")
    assert check(app, "2013-03-04T11:30:00+01:00").endswith("0 reminders, 0 violations")
    (violation,) = TicketEvent.select().where(TicketEvent.kind == "sla_violation")
    assert violation.at == datetime(2013, 3, 4, 9, 0, tzinfo=UTC)  # when the deadline passed
    assert violation.actor_role == "system" and violation.actor_id is None
    assert violation.support_unit.name == "dCache" and not violation.public
    mail.deliver_pending(app.config)
    (message,) = smtp_server.messages
    assert message.rcpt_tos == ["dmsu@example.org"]
    assert message.message["Subject"] == "[GGUS 91500] SLA violated by dCache"


def test_a_response_stops_the_watch(app, make_ticket):
    SupportUnit.create(name="dCache", kind="third_line", sla_level="legacy")
    make_ticket(
        91501,
        events=[
            {"at": "2013-02-11T09:00:00+00:00", "type": "assigned", "support_unit": "dCache"},
            {"at": "2013-02-12T09:00:00+00:00", "type": "comment", "author_role": "third_line"},
        ],
    )
    assert check(app, "2013-06-01T10:00:00+02:00").endswith("0 reminders, 0 violations")
    assert Notification.select().count() == 0


def test_history_replayed_late_is_recorded_but_never_mailed(app, at_dcache, smtp_server):
    assert check(app, "2013-03-06T10:00:00+01:00").endswith("0 reminders, 1 violations")
    mail.deliver_pending(app.config)
    assert smtp_server.messages == []
    assert Notification.get().state == "suppressed"
    assert TicketEvent.select().where(TicketEvent.kind == "sla_violation").count() == 1


def test_best_effort_units_are_not_watched(app, make_ticket):
    SupportUnit.create(name="Grid-SAFE", kind="third_line", sla_level="unspecified")
    make_ticket(
        91502,
        events=[
            {"at": "2012-01-01T09:00:00+00:00", "type": "assigned", "support_unit": "Grid-SAFE"}
        ],
    )
    assert check(app, "2013-06-01T10:00:00+02:00").startswith("0 tickets with SLA clocks")
