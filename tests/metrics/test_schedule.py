"""The quarterly report mail: sent once, after the quarter ends, through the one mail path."""

from __future__ import annotations

import pytest

from dmsu.core.clock import parse_instant
from dmsu.metrics.schedule import send_quarterly_report
from dmsu.notify import mail
from dmsu.notify.models import Notification


@pytest.fixture
def app_config(smtp_app_config):
    return {**smtp_app_config, "DMSU_REPORT_MAILTO": "tcb@example.org"}


def test_the_report_of_a_finished_quarter_is_mailed_once(app, make_ticket, smtp_server):
    make_ticket(
        1, events=[{"at": "2012-05-02T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}]
    )
    with app.app_context():
        assert "no project quarter" in send_quarterly_report(
            parse_instant("2010-06-01T06:30:00+00:00")
        )
        during = send_quarterly_report(parse_instant("2012-07-31T06:30:00+00:00"))
        assert "PQ8" in during  # PQ9 has not ended: only the quarter before it
        first = send_quarterly_report(parse_instant("2012-08-01T06:30:00+00:00"))
        again = send_quarterly_report(parse_instant("2012-08-02T06:30:00+00:00"))
        assert "PQ9 queued" in first
        assert "already sent" in again
        assert Notification.select().where(Notification.key == "quarterly-report:PQ9").count() == 1
        mail.deliver_pending(app.config)
    subjects = [m.message["Subject"] for m in smtp_server.messages]
    assert "[DMSU desk] Quarterly report PQ9" in subjects
    body = next(m for m in smtp_server.messages if "PQ9" in m.message["Subject"]).message
    text = body.get_content()
    assert "| Number of tickets assigned to DMSU | 1 | 0 | 0 | 1 |" in text
    assert body["To"] == "tcb@example.org"


@pytest.mark.parametrize("app_config", [{"DMSU_REPORT_MAILTO": ""}])
def test_without_an_address_nothing_is_queued(app):
    with app.app_context():
        assert "not set" in send_quarterly_report(parse_instant("2012-08-01T06:30:00+00:00"))
        assert Notification.select().count() == 0


def test_the_job_is_registered_daily():
    from dmsu.jobs import all_jobs

    job = next(j for j in all_jobs() if j.name == "quarterly-report")
    assert job.trigger["trigger"] == "cron"
