"""Waiting for the submitter (seed 001, "Ticket oversight and followup"): reminders after a week,
then weekly; closed by the system after a month; the submitter can reopen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dmsu.notify import mail
from dmsu.notify.models import Notification
from dmsu.tickets import workflow
from dmsu.tickets.models import Ticket, TicketEvent
from dmsu.tickets.oversight.reminders import WaitingRules, remind_waiting

WAITING_AT = datetime(2013, 2, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def app_config(smtp_app_config):
    return smtp_app_config


@pytest.fixture
def waiting_ticket(make_ticket):
    def make(ggus_id=91039, extra=()):
        return make_ticket(
            ggus_id,
            subject="CREAM job submission fails",
            submitter="Jane Site",
            submitter_email="jane@site.example",
            events=[
                {"at": "2013-01-31T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
                {
                    "at": WAITING_AT.isoformat(),
                    "type": "status",
                    "status": "waiting for reply",
                    "author_role": "dmsu",
                },
                *extra,
            ],
        )

    return make


def run(app, now):
    with app.app_context():
        return remind_waiting(now, app.config)


def reminders_of(ticket):
    return list(
        TicketEvent.select()
        .where(TicketEvent.ticket == ticket.id, TicketEvent.kind == "reminder")
        .order_by(TicketEvent.at)
    )


def test_reminder_numbers_follow_the_settings():
    rules = WaitingRules(remind_after_days=7, remind_every_days=7, close_after_days=30)
    assert rules.reminder_number(WAITING_AT, WAITING_AT + timedelta(days=6, hours=23)) == 0
    assert rules.reminder_number(WAITING_AT, WAITING_AT + timedelta(days=7)) == 1
    assert rules.reminder_number(WAITING_AT, WAITING_AT + timedelta(days=13)) == 1
    assert rules.reminder_number(WAITING_AT, WAITING_AT + timedelta(days=14)) == 2
    assert rules.close_at(WAITING_AT) == WAITING_AT + timedelta(days=30)


def test_no_reminder_within_the_first_week(app, waiting_ticket):
    waiting_ticket()
    assert run(app, WAITING_AT + timedelta(days=6)) == "0 reminders to submitters, 0 tickets closed"
    assert Notification.select().count() == 0


def test_weekly_reminders_are_mailed_once_each(app, waiting_ticket, smtp_server):
    ticket = waiting_ticket()
    first = WAITING_AT + timedelta(days=7, hours=1)
    assert run(app, first).startswith("1 reminders")
    assert run(app, first + timedelta(hours=1)).startswith("0 reminders")  # a rerun: nothing
    assert run(app, WAITING_AT + timedelta(days=14, hours=1)).startswith("1 reminders")
    assert mail.deliver_pending(app.config)["sent"] == 2
    assert [m.rcpt_tos for m in smtp_server.messages] == [["jane@site.example"]] * 2
    subjects = [m.message["Subject"] for m in smtp_server.messages]
    assert subjects == [
        "[GGUS 91039] waiting for your reply (reminder 1)",
        "[GGUS 91039] waiting for your reply (reminder 2)",
    ]
    assert "will be closed on 2013-03-03" in smtp_server.messages[0].message.get_content()
    events = reminders_of(ticket)
    assert [e.actor_role for e in events] == ["system", "system"]
    assert all(e.public for e in events)


def test_a_submitter_comment_restarts_the_silence(app, waiting_ticket):
    waiting_ticket(
        extra=[
            {
                "at": "2013-02-06T10:00:00+00:00",
                "type": "comment",
                "author_role": "submitter",
                "text": "here is the log",
            }
        ]
    )
    assert run(app, WAITING_AT + timedelta(days=8)).startswith("0 reminders")
    assert run(app, datetime(2013, 2, 13, 11, 0, tzinfo=UTC)).startswith("1 reminders")


def test_closed_by_the_system_after_a_month_and_the_submitter_can_reopen(
    app, waiting_ticket, make_user, smtp_server
):
    ticket = waiting_ticket()
    now = WAITING_AT + timedelta(days=30, minutes=5)
    assert run(app, now) == "0 reminders to submitters, 1 tickets closed"
    ticket = Ticket.get_by_id(ticket.id)
    assert ticket.status == "closed"
    closing = (
        TicketEvent.select()
        .where(TicketEvent.ticket == ticket.id, TicketEvent.kind == "status")
        .order_by(TicketEvent.at.desc())
        .first()
    )
    assert closing.status == "closed" and closing.actor_role == "system" and closing.public
    assert closing.actor_id is None and closing.at == now
    assert "no reply from the submitter for 30 days" in closing.text
    assert "can reopen" in closing.text
    assert run(app, now + timedelta(hours=1)) == "0 reminders to submitters, 0 tickets closed"
    mail.deliver_pending(app.config)
    assert [m.message["Subject"] for m in smtp_server.messages] == ["[GGUS 91039] closed: no reply"]
    workflow.change_status(ticket, make_user("tpm"), "reopened", note="I am back")
    assert Ticket.get_by_id(ticket.id).status == "reopened"


def test_replaying_old_history_records_but_mails_nothing(app, waiting_ticket, smtp_server):
    waiting_ticket()
    # noticed five days after reminder 1 fell due: recorded, suppressed
    assert run(app, WAITING_AT + timedelta(days=12)).startswith("1 reminders")
    # closed a year later: the close notice is suppressed too
    assert run(app, WAITING_AT + timedelta(days=400)).endswith("1 tickets closed")
    mail.deliver_pending(app.config)
    assert smtp_server.messages == []
    states = {n.kind: n.state for n in Notification.select()}
    assert states == {"waiting_reminder": "suppressed", "waiting_close": "suppressed"}


@pytest.mark.parametrize(
    "app_config",
    [{"DMSU_REMIND_SUBMITTER_AFTER_DAYS": 2, "DMSU_REMIND_SUBMITTER_EVERY_DAYS": 1}],
)
def test_the_numbers_are_settings(app, waiting_ticket):
    waiting_ticket()
    assert run(app, WAITING_AT + timedelta(days=2, hours=1)).startswith("1 reminders")
    assert run(app, WAITING_AT + timedelta(days=3, hours=1)).startswith("1 reminders")
    keys = sorted(n.key for n in Notification.select())
    assert keys == [
        "waiting-remind:91039:20130201T100000:1",
        "waiting-remind:91039:20130201T100000:2",
    ]


def test_tickets_not_waiting_get_nothing(app, make_ticket):
    make_ticket(
        5, events=[{"at": "2013-01-01T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}]
    )
    assert (
        run(app, datetime(2013, 6, 1, tzinfo=UTC)) == "0 reminders to submitters, 0 tickets closed"
    )
