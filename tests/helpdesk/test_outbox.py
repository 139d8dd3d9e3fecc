"""DMSU's steps pushed back to the helpdesk through the outbox, against the loopback helpdesk
of ``tests/support/zammad_server.py`` (updates as zammad/zammad-documentation
``api/ticket/index.rst`` "Update" documents them — ``group``, ``state``, an ``article`` — and
notes as ``api/ticket/articles.rst`` "Create"; a refused update answers 422 with Zammad's
``error`` / ``error_human`` body)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from dmsu.core import clock
from dmsu.helpdesk import mapping as mapping_module
from dmsu.helpdesk import outbox
from dmsu.helpdesk.client import ZammadClient, ZammadSettings
from dmsu.helpdesk.connector import run_push
from dmsu.helpdesk.models import HelpdeskConflict, HelpdeskOutbox, HelpdeskReview, HelpdeskTicket
from dmsu.helpdesk.pull import Puller, poll
from dmsu.tickets import workflow
from dmsu.tickets.models import Ticket, TicketEvent
from dmsu.tickets.units import SupportUnit
from tests.support import zammad_server as zs

zammad = zs.zammad
zammad_config = zs.zammad_config


@pytest.fixture
def app_config(zammad_config):
    return zammad_config


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def puller(ctx, zammad):
    SupportUnit.get_or_create(name="ARGUS", defaults={"kind": "third_line", "sla_level": "level1"})
    return Puller(
        ZammadClient(ZammadSettings.from_config(ctx.config)), mapping_module.load(ctx.config)
    )


@pytest.fixture
def linked(zammad, puller):
    """Helpdesk ticket 3 (GGUS 71003) in DMSU, pulled here."""
    zammad.add_ticket(3, number=71003, group="DMSU", state="assigned", created=zs.at(0))
    zammad.add_article(3, zs.at(0), "CREAM fails", sender="Customer", by=7)
    poll(puller)
    return Ticket.get(Ticket.ggus_id == 71003)


def fresh(ticket):
    return Ticket.get_by_id(ticket.id)


def client(ctx):
    return ZammadClient(ZammadSettings.from_config(ctx.config))


def test_each_step_of_a_person_is_recorded_in_its_transaction(ctx, linked, make_user):
    resolver = make_user("resolver")
    workflow.add_comment(linked, resolver, "Internal: looks like CREAM-123", public=False)
    workflow.change_status(fresh(linked), resolver, "in progress")
    rows = list(HelpdeskOutbox.select().order_by(HelpdeskOutbox.id))
    assert [(r.kind, r.method, json.loads(r.body)) for r in rows] == [
        ("note", "POST", {"ticket_id": 3, "type": "note", "content_type": "text/plain",
                          "body": "Internal: looks like CREAM-123", "internal": True}),
        ("status", "PUT", {"state": "in progress"}),
    ]  # fmt: skip
    events = {e.id for e in TicketEvent.select().where(TicketEvent.ticket == linked)}
    assert {r.event_id for r in rows} <= events
    # a step that is refused writes no event and no row
    with pytest.raises(workflow.WorkflowError):
        workflow.add_comment(fresh(linked), resolver, "   ")
    assert HelpdeskOutbox.select().count() == 2


def test_jobs_and_unlinked_tickets_are_not_pushed(ctx, linked, make_user, make_ticket):
    workflow.add_comment(linked, workflow.SYSTEM, "A job's reminder")
    other = make_ticket(55555, events=[{"at": "2025-03-03T09:00:00+00:00", "type": "assigned",
                                        "support_unit": "DMSU"}])  # fmt: skip
    workflow.add_comment(other, make_user("resolver"), "Not a helpdesk ticket")
    assert not HelpdeskOutbox.select().exists()


def test_drain_sends_in_order_exactly_once(ctx, zammad, linked, make_user):
    resolver, assigner = make_user("resolver"), make_user("assigner")
    workflow.change_status(linked, resolver, "in progress")
    workflow.add_comment(fresh(linked), resolver, "Asked ARGUS", public=True)
    workflow.reassign_to_third_line(fresh(linked), assigner, "ARGUS", note="Reproduce with X",
                                    eta=date(2025, 4, 1))  # fmt: skip
    zammad.requests.clear()
    assert "5 sent" in run_push(ctx.config)  # the reassignment is a unit, a status and an ETA
    writes = [(m, p) for m, p in zammad.requests if m != "GET"]
    assert (
        writes
        == [("PUT", "/api/v1/tickets/3"), ("POST", "/api/v1/ticket_articles")]
        + [("PUT", "/api/v1/tickets/3")] * 3
    )
    kinds = [r.kind for r in HelpdeskOutbox.select().order_by(HelpdeskOutbox.id)]
    assert kinds == ["status", "note", "route", "status", "eta"]
    helpdesk = zammad.tickets[3]
    assert (helpdesk["state"], helpdesk["group"], helpdesk["ggus_eta"]) == (
        "assigned", "ARGUS", "2025-04-01",
    )  # fmt: skip
    assert [a["body"] for a in zammad.articles[3]][1:] == ["Asked ARGUS", "Reproduce with X"]
    assert "0 sent" in run_push(ctx.config)  # nothing twice
    assert (
        HelpdeskOutbox.get(HelpdeskOutbox.kind == "note").answer_id == zammad.articles[3][1]["id"]
    )


def test_what_was_pushed_does_not_come_back(ctx, zammad, linked, make_user, puller):
    workflow.add_comment(linked, make_user("resolver"), "Internal note", public=False)
    workflow.change_status(fresh(linked), make_user("resolver"), "on hold")
    run_push(ctx.config)
    before = TicketEvent.select().count()
    assert poll(puller).events_added == 0
    assert TicketEvent.select().count() == before


def test_an_outage_loses_nothing_and_drains_in_order(ctx, zammad, linked, make_user):
    resolver = make_user("resolver")
    for n in range(3):
        workflow.add_comment(fresh(linked), resolver, f"note {n}", public=False)
    zammad.stop()
    now = clock.now()
    assert "1 failed" in run_push(ctx.config, now=now)  # the first row fails, the run ends
    first, *later = HelpdeskOutbox.select().order_by(HelpdeskOutbox.id)
    assert (first.state, first.attempts) == (
        "queued",
        1,
    ) and "could not be reached" in first.last_error
    assert first.next_attempt_at == now + timedelta(minutes=1)
    assert all(r.attempts == 0 for r in later)
    for hours in range(1, 4):  # down for an hour and more: backoff grows, nothing lost
        run_push(ctx.config, now=now + timedelta(hours=hours))
    assert HelpdeskOutbox.select().where(HelpdeskOutbox.state == "queued").count() == 3
    zammad.start()
    assert "3 sent" in run_push(ctx.config, now=now + timedelta(hours=5))
    assert [a["body"] for a in zammad.articles[3][1:]] == ["note 0", "note 1", "note 2"]


def test_a_note_whose_answer_was_lost_is_not_written_twice(ctx, zammad, linked, make_user):
    workflow.add_comment(linked, make_user("resolver"), "Only once", public=False)
    ctx.config["DMSU_ZAMMAD_TIMEOUT"] = 0.3
    zammad.late["/api/v1/ticket_articles"] = 0.6  # written, but the answer comes too late
    now = clock.now()
    assert "1 failed" in run_push(ctx.config, now=now)
    assert [a["body"] for a in zammad.articles[3]].count("Only once") == 1
    assert "1 sent" in run_push(ctx.config, now=now + timedelta(minutes=5))
    assert [a["body"] for a in zammad.articles[3]].count("Only once") == 1
    assert HelpdeskOutbox.get().answer_id == zammad.articles[3][-1]["id"]


def test_a_5xx_holds_the_later_rows_of_its_ticket(ctx, zammad, linked, make_user):
    resolver = make_user("resolver")
    workflow.add_comment(linked, resolver, "first", public=False)
    workflow.add_comment(fresh(linked), resolver, "second", public=False)
    zammad.fail_next(503)
    now = clock.now()
    text = run_push(ctx.config, now=now)
    assert "1 failed" in text and "1 waiting" in text
    assert zammad.articles[3][1:] == []
    assert "2 sent" in run_push(ctx.config, now=now + timedelta(minutes=2))
    assert [a["body"] for a in zammad.articles[3][1:]] == ["first", "second"]


def test_a_refused_step_is_a_conflict_for_a_person(app, zammad, make_user, admin_client):
    with app.app_context():  # the requests below must not share this context's ``g``
        SupportUnit.get_or_create(name="ARGUS", defaults={"kind": "third_line"})
        zammad.add_ticket(3, number=71003, group="DMSU", state="assigned", created=zs.at(0))
        poll(Puller(client(app), mapping_module.load(app.config)))
        zammad.refuse.add(3)
        ticket = Ticket.get(Ticket.ggus_id == 71003)
        workflow.change_status(ticket, make_user("resolver"), "in progress")
        assert "1 refused" in run_push(app.config)
        row = HelpdeskOutbox.get()
        assert row.state == "conflict" and "cannot be changed from closed" in row.last_error
        conflict = HelpdeskConflict.get()
        assert conflict.outbox_id == row.id and "site keeps its own state" in conflict.resolution
        assert fresh(ticket).status == "in progress"  # the site's state is unchanged, and shown:
    page = admin_client.get("/tickets/71003").get_data(as_text=True)
    assert "Helpdesk conflicts" in page and "refused this step" in page
    assert "cannot be changed from closed" in admin_client.get("/helpdesk/").get_data(as_text=True)
    response = admin_client.form(
        f"/helpdesk/conflicts/{conflict.id}/resolve", {"next": "/tickets/71003"}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/tickets/71003")
    assert "Helpdesk conflicts" not in admin_client.get("/tickets/71003").get_data(as_text=True)


def test_a_ticket_deleted_on_the_helpdesk(ctx, zammad, linked, make_user):
    resolver = make_user("resolver")
    zammad.delete(3)
    workflow.change_status(linked, resolver, "in progress")
    assert "1 refused" in run_push(ctx.config)
    assert HelpdeskReview.get().reason == "deleted"
    assert HelpdeskTicket.get().deleted_at is not None
    workflow.add_comment(fresh(linked), resolver, "still ours")  # the site keeps working on it
    assert HelpdeskOutbox.select().count() == 1  # and records nothing more for the helpdesk


def test_changed_on_both_sides_the_helpdesk_wins_for_its_fields(
    ctx, zammad, linked, make_user, puller
):
    workflow.change_status(linked, make_user("resolver"), "on hold")
    zammad.change(3, clock.now() + timedelta(seconds=5), state="waiting for reply")
    result = poll(puller)
    assert result.conflicts == 1
    assert HelpdeskOutbox.get().state == "superseded"
    assert fresh(linked).status == "waiting for reply"  # the helpdesk's value, here too
    conflict = HelpdeskConflict.get()
    assert (conflict.helpdesk_value, conflict.field) == ("waiting for reply", "status")
    assert "0 sent" in run_push(ctx.config)


def test_changed_on_both_sides_the_site_wins_for_the_eta(ctx, zammad, linked, make_user, puller):
    workflow.reassign_to_third_line(linked, make_user("assigner"), "ARGUS", note="over to you")
    run_push(ctx.config)
    workflow.record_eta(fresh(linked), make_user("resolver"), date(2025, 5, 1))
    zammad.change(3, clock.now() + timedelta(seconds=5), ggus_eta="2025-06-01")
    poll(puller)
    assert HelpdeskConflict.get().resolution.endswith("this site's ETA is sent to the helpdesk.")
    assert "1 sent" in run_push(ctx.config)
    assert zammad.tickets[3]["ggus_eta"] == "2025-05-01"


def test_a_flag_is_a_tag_on_the_helpdesk(ctx, zammad, linked, make_user):
    assigner = make_user("assigner")
    workflow.update_fields(linked, assigner, broad_impact=True)
    run_push(ctx.config)
    assert zammad.tickets[3]["tags"] == ["broad impact"]
    workflow.update_fields(fresh(linked), assigner, broad_impact=False)
    assert "1 sent" in run_push(ctx.config)
    assert zammad.tickets[3]["tags"] == []
    assert [(r.method, r.path) for r in HelpdeskOutbox.select().order_by(HelpdeskOutbox.id)] == [
        ("POST", "/api/v1/tags/add"), ("DELETE", "/api/v1/tags/remove"),
    ]  # fmt: skip


def test_dry_run_records_what_would_be_sent_and_sends_nothing(ctx, zammad, linked, make_user):
    ctx.config["DMSU_ZAMMAD_DRY_RUN"] = True
    workflow.add_comment(linked, make_user("resolver"), "Would be sent", public=True)
    zammad.requests.clear()
    assert "1 dry-run" in run_push(ctx.config)
    assert zammad.requests == [] and len(zammad.articles[3]) == 1
    row = HelpdeskOutbox.get()
    assert row.state == "dry-run" and json.loads(row.body)["body"] == "Would be sent"


def test_backoff_grows_to_an_hour():
    assert [outbox.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 7, 12)] == [1, 2, 4, 60, 60]
