"""The helpdesk connector when the helpdesk fails mid-conversation, against the loopback
helpdesk of ``tests/support/zammad_server.py`` in its fault mode (:data:`FAULT_KINDS`): the
answer cut after half its body, a slow answer past the client's timeout, garbage with status
200, 5xx and 429, a write done but its answer lost. Bodies are Zammad's documented ones
(zammad/zammad-documentation ``api/ticket/index.rst``, ``api/ticket/articles.rst``,
``api/intro.rst``; the history of ``app/controllers/tickets_controller.rb``). What each test
pins was found by ``bench/faults_helpdesk.py`` (bench/FAULTS.md, "Through the helpdesk
connector"): nothing of a failed read recorded, nothing written twice, nothing lost."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from dmsu.core import clock
from dmsu.helpdesk.connector import run_pull, run_push
from dmsu.helpdesk.models import HelpdeskCursor, HelpdeskOutbox, HelpdeskTicket
from dmsu.helpdesk.pull import cursor_at
from dmsu.tickets import workflow
from dmsu.tickets.models import Ticket, TicketEvent
from dmsu.tickets.units import SupportUnit
from tests.support import zammad_server as zs

zammad = zs.zammad
zammad_config = zs.zammad_config

GARBAGE = ("garbage-truncated", "garbage-html", "garbage-shape")


@pytest.fixture
def app_config(zammad_config):
    return {**zammad_config, "DMSU_ZAMMAD_TIMEOUT": 0.5}


@pytest.fixture
def ctx(app, zammad):
    zammad.slow_for = 1.0  # past the client's 0.5 s
    with app.app_context():
        SupportUnit.get_or_create(
            name="ARGUS", defaults={"kind": "third_line", "sla_level": "level1"}
        )
        yield app


def two_tickets(zammad):
    """Helpdesk tickets 3 and 4 in DMSU: one page of the poll (two per page)."""
    for ticket_id in (3, 4):
        zammad.add_ticket(ticket_id, number=71000 + ticket_id, group="DMSU", state="assigned",
                          created=zs.at(ticket_id))  # fmt: skip
        zammad.add_article(ticket_id, zs.at(ticket_id), "It fails", sender="Customer", by=7)
        zammad.add_article(ticket_id, zs.at(ticket_id + 1), "Looking at it", internal=True)


def recorded() -> list[tuple[int, int]]:
    return sorted(
        (t.ggus_id, TicketEvent.select().where(TicketEvent.ticket == t).count())
        for t in Ticket.select()
    )


@pytest.fixture
def linked(ctx, zammad):
    two_tickets(zammad)
    assert "2 kept" in run_pull(ctx.config)
    return Ticket.get(Ticket.ggus_id == 71003)


def later(minutes: int):
    return clock.now() + timedelta(minutes=minutes)


# --- reading ---


def test_an_answer_cut_mid_transfer_records_nothing_of_that_page(ctx, zammad):
    two_tickets(zammad)
    zammad.inject("cut", "/api/v1/ticket_history/4")
    text = run_pull(ctx.config)
    assert text.startswith(
        "Helpdesk pull failed: The helpdesk's answer to read the history of ticket 4 broke off "
        "before its end; "
    ), text
    assert zammad.faults_done["cut"] == 1
    assert recorded() == [] and cursor_at() is None and not HelpdeskTicket.select().exists()
    assert "2 kept" in run_pull(ctx.config)
    once = recorded()
    assert [ggus for ggus, _ in once] == [71003, 71004] and all(n > 0 for _, n in once)
    zammad.change(3, zs.at(20), state="in progress")
    run_pull(ctx.config)
    assert recorded() == [(71003, once[0][1] + 1), (71004, once[1][1])]  # nothing twice


@pytest.mark.parametrize("garbage", GARBAGE)
@pytest.mark.parametrize(
    "path",
    ["/api/v1/users/me", "/api/v1/tickets/search", "/api/v1/ticket_articles/by_ticket/4",
     "/api/v1/ticket_history/3"],
)  # fmt: skip
def test_a_garbage_answer_is_one_sentence_in_the_job_result(ctx, zammad, garbage, path):
    two_tickets(zammad)
    zammad.inject(garbage, path)
    text = run_pull(ctx.config)
    assert zammad.faults_done[garbage] == 1
    assert text.startswith("Helpdesk pull failed: The helpdesk's answer to "), text
    assert "\n" not in text and "Traceback" not in text
    assert recorded() == [] and not HelpdeskCursor.select().exists()
    assert "2 kept" in run_pull(ctx.config)


@pytest.mark.parametrize("garbage", GARBAGE)
def test_a_garbage_ticket_in_the_webhook_queue_is_one_sentence_and_stays_queued(
    ctx, zammad, garbage
):
    from dmsu.helpdesk.models import HelpdeskInbox

    two_tickets(zammad)
    HelpdeskInbox.create(zammad_id=3)
    zammad.inject(garbage, "/api/v1/tickets/3")
    text = run_pull(ctx.config, poll=False)
    assert text.startswith("Helpdesk pull failed: The helpdesk's answer to "), text
    row = HelpdeskInbox.get()
    assert (row.state, row.attempts) == ("queued", 1) and recorded() == []
    assert "1 kept" in run_pull(ctx.config, poll=False)


def test_a_ticket_changed_between_two_pages_is_not_passed_over(ctx, zammad):
    """Zammad pages a search by offset; a ticket changed while the poll reads moves to the
    end, and the ticket after the page boundary would slide into the page already read."""
    for ticket_id in (3, 4, 5, 6):
        zammad.add_ticket(ticket_id, number=71000 + ticket_id, group="DMSU", state="assigned",
                          created=zs.at(ticket_id))  # fmt: skip

    def change_ticket_3(method, path):
        if path == "/api/v1/ticket_history/4" and zammad.schedule:  # the end of page 1
            zammad.schedule = None
            zammad._add_article(3, zs.at(10), "A reply meanwhile", False, "Customer", 7)
        return None

    zammad.schedule = change_ticket_3
    run_pull(ctx.config)
    assert [ggus for ggus, _ in recorded()] == [71003, 71004, 71005, 71006]
    link = HelpdeskTicket.get(HelpdeskTicket.zammad_id == 3)
    assert zs.iso(link.helpdesk_updated_at) == zammad.tickets[3]["updated_at"]


# --- writing ---


def writes_to(zammad, ticket_id: int) -> list:
    return [
        (method, path, body)
        for method, path, body in zammad.writes
        if path == f"/api/v1/tickets/{ticket_id}" or (body or {}).get("ticket_id") == ticket_id
    ]


def test_a_lost_answer_of_a_pushed_note_is_not_written_twice(ctx, zammad, linked, make_user):
    workflow.add_comment(linked, make_user("resolver"), "Asked ARGUS", public=False)
    zammad.inject("lost", "/api/v1/ticket_articles")
    text = run_push(ctx.config)
    assert "1 failed" in text and "closed the connection without answering (write note" in text
    assert len(writes_to(zammad, 3)) == 1  # done on the helpdesk
    assert "1 sent" in run_push(ctx.config, now=later(5))
    assert [b["body"] for _, _, b in writes_to(zammad, 3)] == ["Asked ARGUS"]
    row = HelpdeskOutbox.get()
    assert (row.state, row.attempts) == ("sent", 2)
    assert row.answer_id == zammad.articles[3][-1]["id"]


def test_a_lost_answer_of_a_status_with_its_note_is_not_written_twice(
    ctx, zammad, linked, make_user
):
    workflow.change_status(linked, make_user("resolver"), "on hold", note="Waiting for ARGUS",
                           public=False)  # fmt: skip
    zammad.inject("cut", "/api/v1/tickets/3")
    assert "1 failed" in run_push(ctx.config)
    assert "1 sent" in run_push(ctx.config, now=later(5))
    assert [a["body"] for a in zammad.articles[3]].count("Waiting for ARGUS") == 1
    assert len(writes_to(zammad, 3)) == 1 and zammad.tickets[3]["state"] == "on hold"


def test_a_note_like_an_earlier_one_is_sent_after_a_refused_attempt(ctx, zammad, linked, make_user):
    resolver = make_user("resolver")
    workflow.add_comment(linked, resolver, "Pinged the product team again.", public=False)
    assert "1 sent" in run_push(ctx.config)
    workflow.add_comment(Ticket.get_by_id(linked.id), resolver, "Pinged the product team again.",
                         public=False)  # fmt: skip
    zammad.inject("5xx", "/api/v1/ticket_articles")
    assert "1 failed" in run_push(ctx.config)
    assert "1 sent" in run_push(ctx.config, now=later(5))
    bodies = [b["body"] for _, _, b in writes_to(zammad, 3)]
    assert bodies == ["Pinged the product team again."] * 2  # the second was not taken as sent
    first, second = HelpdeskOutbox.select().order_by(HelpdeskOutbox.id)
    assert first.answer_id != second.answer_id


def test_a_slow_answer_times_out_and_the_row_retries_once_done(ctx, zammad, linked, make_user):
    workflow.change_status(linked, make_user("resolver"), "in progress")
    zammad.inject("slow", "/api/v1/tickets/3")
    text = run_push(ctx.config)
    assert "1 failed" in text and "did not answer within 0.5 s" in text
    row = HelpdeskOutbox.get()
    assert (row.state, row.attempts) == ("queued", 1) and row.next_attempt_at > clock.now()
    assert "0 sent" in run_push(ctx.config)  # not before its time
    assert "1 sent" in run_push(ctx.config, now=later(5))
    assert writes_to(zammad, 3) == [("PUT", "/api/v1/tickets/3", {"state": "in progress"})]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_a_garbage_answer_to_a_write_is_retried_not_a_conflict(
    ctx, zammad, linked, make_user, garbage
):
    workflow.add_comment(linked, make_user("resolver"), "Asked ARGUS", public=True)
    zammad.inject(garbage, "/api/v1/ticket_articles")
    run_push(ctx.config)
    row = HelpdeskOutbox.get()
    if row.state == "queued":  # unreadable: tried again later, found there
        assert "1 sent" in run_push(ctx.config, now=later(5))
    assert HelpdeskOutbox.get().state == "sent"
    assert [b["body"] for _, _, b in writes_to(zammad, 3)] == ["Asked ARGUS"]


@pytest.mark.parametrize("kind", ["5xx", "429"])
def test_a_burst_of_refusals_holds_the_ticket_and_loses_nothing(
    ctx, zammad, linked, make_user, kind
):
    resolver = make_user("resolver")
    for n in range(3):
        workflow.add_comment(Ticket.get_by_id(linked.id), resolver, f"note {n}", public=False)
    zammad.inject(kind, "/api/v1/ticket_articles", times=4)
    minute = 0
    while HelpdeskOutbox.select().where(HelpdeskOutbox.state != "sent").exists():
        minute += 90
        run_push(ctx.config, now=later(minute))
        assert minute < 60 * 24
    assert [b["body"] for _, _, b in writes_to(zammad, 3)] == ["note 0", "note 1", "note 2"]
    assert json.loads(HelpdeskOutbox.get().body)["body"] == "note 0"


def test_the_webhook_queue_keeps_the_tickets_read_whole_when_another_fails(ctx, zammad):
    from dmsu.helpdesk.models import HelpdeskInbox
    from dmsu.helpdesk.pull import MAX_INBOX_ATTEMPTS

    two_tickets(zammad)
    zammad.add_ticket(5, number=71005, group="DMSU", state="assigned", created=zs.at(5))
    for zammad_id in (3, 4, 4, 5):
        HelpdeskInbox.create(zammad_id=zammad_id)
    zammad.inject("cut", "/api/v1/ticket_articles/by_ticket/4")
    text = run_pull(ctx.config, poll=False)
    assert "read the articles of ticket 4 broke off" in text
    assert [ggus for ggus, _ in recorded()] == [71003, 71005]  # ticket 4: nothing of it
    states = [
        (r.zammad_id, r.state, r.attempts)
        for r in HelpdeskInbox.select().order_by(HelpdeskInbox.id)
    ]
    assert states == [(3, "done", 0), (4, "queued", 1), (4, "queued", 1), (5, "done", 0)]
    # a ticket that never reads through is given up, and says so, after the last attempt
    zammad.inject("5xx", "/api/v1/ticket_history/4", times=MAX_INBOX_ATTEMPTS - 1)
    for _ in range(MAX_INBOX_ATTEMPTS - 1):
        run_pull(ctx.config, poll=False)
    assert {r.state for r in HelpdeskInbox.select().where(HelpdeskInbox.zammad_id == 4)} == {
        "failed"
    }
    assert "1 kept" in run_pull(ctx.config)  # the poll repairs it (3 and 5: unchanged)
    assert [ggus for ggus, _ in recorded()] == [71003, 71004, 71005]
