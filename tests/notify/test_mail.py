"""The one mail path: recorded once per key, delivered by real SMTP, kept when SMTP fails."""

from __future__ import annotations

import pytest

from dmsu.notify import mail
from dmsu.notify.models import Notification


@pytest.fixture
def app_config(smtp_app_config):
    return smtp_app_config


def test_a_key_is_recorded_once(app):
    first = mail.queue("k1", ["a@example.org"], "Subject", "Body", kind="test")
    assert first is not None
    assert mail.queue("k1", ["a@example.org"], "Subject", "Body", kind="test") is None
    assert Notification.select().count() == 1


def test_delivery_through_real_smtp(app, smtp_server):
    mail.queue("k2", ["a@example.org", "b@example.org"], "Hello", "Body text", kind="test")
    assert mail.deliver_pending(app.config)["sent"] == 1
    assert mail.deliver_pending(app.config)["sent"] == 0  # nothing sent twice
    (received,) = smtp_server.messages
    assert received.rcpt_tos == ["a@example.org", "b@example.org"]
    assert received.message["Subject"] == "Hello"
    assert received.message["X-DMSU-Notification"] == "k2"
    assert Notification.get(Notification.key == "k2").state == "sent"


def test_smtp_down_keeps_the_mail_queued_for_retry(app, smtp_server):
    smtp_server.stop()
    mail.queue("k3", "a@example.org", "Hi", "Body", kind="test")
    assert mail.deliver_pending(app.config)["failed"] == 1
    note = Notification.get(Notification.key == "k3")
    assert note.state == "failed" and "cannot connect" in note.last_error
    smtp_server.start()
    assert mail.deliver_pending(app.config)["sent"] == 1
    assert len(smtp_server.messages) == 1


def test_suppressed_notifications_are_never_mailed(app, smtp_server):
    mail.queue("k4", "a@example.org", "Late", "Body", kind="test", suppress=True)
    mail.deliver_pending(app.config)
    assert smtp_server.messages == []
    assert Notification.get(Notification.key == "k4").state == "suppressed"


@pytest.mark.parametrize("app_config", [{"DMSU_SMTP_HOST": ""}])
def test_without_smtp_mail_goes_to_the_outbox(app):
    mail.queue("k5", "a@example.org", "Hi", "Body", kind="test")
    assert mail.deliver_pending(app.config) == {"sent": 0, "failed": 0, "outbox": 1}
    assert Notification.get(Notification.key == "k5").state == "outbox"
