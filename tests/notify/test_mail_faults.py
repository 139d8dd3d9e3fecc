"""Mail under faults: queued notifications survive an SMTP outage and are sent once.

bench/faults.py exercises this under load with a real PostgreSQL restart and an SMTP server
that goes away; these tests pin the same rules in the test command.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dmsu.core import clock
from dmsu.notify import mail
from dmsu.notify.models import Notification

T0 = datetime(2013, 2, 11, 9, 0, tzinfo=UTC)


def _keys(smtp_server) -> list[str]:
    return [m.message["X-DMSU-Notification"] for m in smtp_server.messages]


def test_an_smtp_outage_loses_nothing_and_sends_each_key_once(app, smtp_server, smtp_app_config):
    config = {**app.config, "DMSU_SMTP_TIMEOUT": 2}
    with clock.frozen(T0):
        for n in range(5):
            mail.queue(f"outage-{n}", ["ops@example.org"], f"S{n}", "B", kind="test")
        smtp_server.stop()
        for _ in range(mail.MAX_ATTEMPTS + 2):  # many passes while the server is away
            assert mail.deliver_pending(config)["sent"] == 0
        smtp_server.start()
        assert mail.deliver_pending(config)["sent"] == 5
        assert mail.deliver_pending(config)["sent"] == 0
    assert sorted(_keys(smtp_server)) == [f"outage-{n}" for n in range(5)]
    assert {n.state for n in Notification.select()} == {"sent"}


@pytest.fixture
def app_config(smtp_app_config):
    return smtp_app_config


def test_a_mail_being_sent_right_now_is_not_released_as_stuck(app):
    with clock.frozen(T0):
        note = mail.queue("old-but-busy", ["ops@example.org"], "S", "B", kind="test")
    with clock.frozen(T0 + timedelta(minutes=30)):
        assert mail._claim(note)  # another process takes it now (after an SMTP outage)
        mail.release_stuck()
    assert Notification.get_by_id(note.id).state == "sending"
