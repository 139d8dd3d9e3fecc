"""The published digest by e-mail through the one mail path (real SMTP), the shift's reminder,
and issue 6 item 4: internal comments, internal wiki content and submitters' e-mail addresses
never reach the public page, the feed or the e-mail."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
import pytest

from dmsu.core.publictext import LooksPersonal
from dmsu.digests import rota, schedule
from dmsu.digests.drafting import draft_digest
from dmsu.digests.models import Digest
from dmsu.digests.publishing import publish
from dmsu.notify import mail
from dmsu.notify.models import Notification
from tests.support.digests_history import (
    SECRET_COMMENT,
    SECRET_EMAIL,
    SECRET_PAGE,
    WEEK,
    make_week,
    plant_internal_page,
)

MAILTO = "digests-list@example.org"


@pytest.fixture
def app_config(smtp_app_config):
    return {**smtp_app_config, "DMSU_DIGEST_MAILTO": MAILTO}


def _publish(app, week=WEEK, note="", confirmed=False):
    with app.app_context():
        digest = Digest.get(Digest.week == week)
        return publish(digest, None, config=app.config, note=note, confirmed=confirmed)


def test_published_digest_is_mailed_once_per_revision(app, make_ticket, smtp_server):
    make_week(make_ticket)
    draft_digest(WEEK)
    _publish(app)
    assert mail.deliver_pending(app.config)["sent"] == 1
    assert mail.deliver_pending(app.config)["sent"] == 0
    (received,) = smtp_server.messages
    assert received.rcpt_tos == [MAILTO]
    assert received.message["Subject"] == "DMSU digest 2013-W07 (11–17 February 2013)"
    assert received.message["X-DMSU-Notification"] == "digest:2013-W07:r1"
    body = received.message.get_content()
    assert "GGUS #91001: CREAM CE drops jobs after proxy renewal" in body
    assert "http://localhost/digests/2013-W07" in body
    assert "New in DMSU: 3" in body
    assert "<" not in body.replace("<em>", "")  # plain text, no HTML tags
    # A correction is a new revision, mailed as "updated".
    Digest.update(intro="Corrected.", version=Digest.version + 1).execute()
    _publish(app, note="typo")
    mail.deliver_pending(app.config)
    assert smtp_server.messages[1].message["Subject"].endswith("[updated]")
    assert smtp_server.messages[1].message["X-DMSU-Notification"] == "digest:2013-W07:r2"


def test_nothing_internal_reaches_page_feed_or_mail(app, client, make_ticket, smtp_server):
    tickets = make_week(make_ticket)
    plant_internal_page(tickets["solved"])
    make_ticket(  # open, broad impact: on the operations digest
        91009,
        subject="Open problem of broad impact",
        description=f"Write to {SECRET_EMAIL} for logs.",
        submitter_email=SECRET_EMAIL,
        broad_impact=True,
        impact="Many sites.",
        events=[
            {"at": "2013-02-12T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
            {
                "at": "2013-02-12T10:00:00+00:00",
                "type": "comment",
                "public": False,
                "text": SECRET_COMMENT,
            },
        ],
    )
    draft_digest(WEEK)
    digest = Digest.get(Digest.week == WEEK)
    # The shift even pastes the submitter's address into the intro: publishing asks first,
    # and when the shift insists, the address is taken out all the same.
    Digest.update(intro=f"Thanks to {SECRET_EMAIL.upper()} for the report.").execute()
    with pytest.raises(LooksPersonal) as refused:
        _publish(app)
    assert [f.message for f in refused.value.findings] == [
        f"an e-mail address: '{SECRET_EMAIL.upper()}'"
    ]
    _publish(app, confirmed=True)
    mail.deliver_pending(app.config)
    page = client.get(f"/digests/{WEEK}").get_data(as_text=True)
    feed_xml = client.get("/digests/feed.atom").get_data(as_text=True)
    feed = feedparser.parse(feed_xml)
    assert not feed.bozo
    (message,) = smtp_server.messages
    mailed = message.message.as_string()
    ops = [
        client.get(f"/digests/operations{suffix}").get_data(as_text=True)
        for suffix in ("", ".md", ".txt")
    ]
    for name, text in [("page", page), ("feed", feed_xml), ("mail", mailed)] + [
        (f"operations{i}", t) for i, t in enumerate(ops)
    ]:
        for marker in (SECRET_COMMENT, SECRET_PAGE, SECRET_EMAIL, SECRET_EMAIL.upper()):
            assert marker.lower() not in text.lower(), f"{marker} leaked into the {name}"
    assert "GGUS #91001" in page and "GGUS #91001" in feed.entries[0].content[0].value
    for text in ops:
        assert "Open problem of broad impact" in text and "e-mail address removed" in text
    assert digest.id


def test_reminder_asks_the_shift_to_publish_once(app, make_user, smtp_server):
    anna = make_user("assigner", "anna")
    rota.generate_rota(WEEK, 1)
    monday = datetime(2013, 2, 18, 6, 0, tzinfo=UTC)
    with app.app_context():
        schedule.draft_previous_week(monday)
        summary = schedule.remind_shift(monday)
        assert summary == "reminder for 2013-W07 queued for anna"
        assert schedule.remind_shift(monday).endswith("already recorded")
    mail.deliver_pending(app.config)
    (received,) = smtp_server.messages
    assert received.rcpt_tos == [anna.email]
    assert received.message["X-DMSU-Notification"] == "digest-reminder:2013-W07"
    assert "please publish the digest of 2013-W07" in received.message.get_content()


def test_reminder_replayed_late_is_recorded_not_mailed(app, make_user, smtp_server):
    make_user("assigner", "anna")
    rota.generate_rota(WEEK, 1)
    with app.app_context():
        schedule.remind_shift(datetime(2013, 2, 22, 9, 0, tzinfo=UTC))
    mail.deliver_pending(app.config)
    assert smtp_server.messages == []
    assert Notification.get(Notification.key == "digest-reminder:2013-W07").state == "suppressed"


def test_no_reminder_once_published_or_without_a_shift(app, make_ticket):
    monday = datetime(2013, 2, 18, 6, 0, tzinfo=UTC)
    with app.app_context():
        assert schedule.remind_shift(monday) == "nobody on the rota for 2013-W07"
        make_week(make_ticket)
        draft_digest(WEEK)
        _publish(app)
        assert schedule.remind_shift(monday) == "digest 2013-W07 already published"
    assert not Notification.select().where(Notification.kind == "digest-reminder").exists()


def test_tick_runs_the_digest_jobs(runner, make_ticket, make_user):
    make_week(make_ticket)
    make_user("assigner", "anna")
    rota.generate_rota(WEEK, 1)
    result = runner.invoke(args=["dmsu", "tick", "--now", "2013-02-18T07:00:00+01:00"])
    # Other areas' jobs report for themselves; these are the digests' two lines.
    assert "draft-weekly-digest: drafted digest 2013-W07 with 2 entries" in result.output
    assert "remind-digest-shift: reminder for 2013-W07 queued for anna" in result.output
    assert Digest.select().where(Digest.week == WEEK).exists()
    assert Notification.select().where(Notification.key == "digest-reminder:2013-W07").exists()
