"""Pulling helpdesk tickets through the one import path, against the loopback helpdesk of
``tests/support/zammad_server.py`` (bodies of zammad/zammad-documentation ``api/intro.rst``,
``api/ticket/index.rst``, ``api/ticket/articles.rst`` and zammad/zammad
``app/controllers/tickets_controller.rb`` ``ticket_history``)."""

from __future__ import annotations

from datetime import date

import pytest

from dmsu.helpdesk import mapping as mapping_module
from dmsu.helpdesk.client import HelpdeskError, ZammadClient, ZammadSettings
from dmsu.helpdesk.models import HelpdeskCursor, HelpdeskReview, HelpdeskTicket
from dmsu.helpdesk.pull import Puller, cursor_at, poll
from dmsu.tickets.models import SlaClock, Ticket, TicketEvent
from dmsu.tickets.units import SupportUnit
from tests.support import zammad_server as zs

zammad = zs.zammad
zammad_config = zs.zammad_config


@pytest.fixture
def app_config(zammad_config):
    return zammad_config


@pytest.fixture
def puller(app, zammad):
    with app.app_context():
        SupportUnit.get_or_create(
            name="ARGUS", defaults={"kind": "third_line", "sla_level": "level1"}
        )
        client = ZammadClient(ZammadSettings.from_config(app.config))
        yield Puller(client, mapping_module.load(app.config))


def dmsu_ticket(zammad, ticket_id=3, number=71003):
    """A ticket that went TPM → DMSU → ARGUS with a public and an internal article."""
    zammad.add_ticket(ticket_id, number=number, group="TPM", created=zs.at(0), title="CREAM down")
    zammad.add_article(ticket_id, zs.at(0), "<p>The CREAM CE<br>fails</p>", sender="Customer", by=7)
    zammad.change(ticket_id, zs.at(30), group="DMSU")
    zammad.change(ticket_id, zs.at(31), state="in progress")
    zammad.add_article(ticket_id, zs.at(40), "Looking at it", internal=True)
    zammad.change(ticket_id, zs.at(60), group="ARGUS", ggus_eta="2025-03-14")
    zammad.add_article(ticket_id, zs.at(70), "A fix is on its way")


def events_of(ggus_id):
    ticket = Ticket.get(Ticket.ggus_id == ggus_id)
    rows = (
        TicketEvent.select()
        .where(TicketEvent.ticket == ticket)
        .order_by(TicketEvent.at, TicketEvent.id)
    )
    return [
        (e.kind, e.support_unit.name if e.support_unit else e.status or e.due or e.text)
        for e in rows
    ]


def test_poll_maps_units_states_articles_and_eta(app, zammad, puller):
    dmsu_ticket(zammad)
    result = poll(puller)
    assert (result.kept, result.created, result.reviews) == (1, 1, 0)
    ticket = Ticket.get(Ticket.ggus_id == 71003)
    assert ticket.subject == "CREAM down" and ticket.description == "The CREAM CE\nfails"
    assert (ticket.status, ticket.support_unit.name, ticket.priority) == (
        "in progress",
        "ARGUS",
        "urgent",
    )
    assert events_of(71003) == [
        ("assigned", "TPM"),
        ("assigned", "DMSU"),
        ("status", "in progress"),
        ("comment", "Looking at it"),
        ("assigned", "ARGUS"),
        ("eta", date(2025, 3, 14)),
        ("comment", "A fix is on its way"),
    ]
    internal = TicketEvent.get(TicketEvent.text == "Looking at it")
    assert internal.public is False and internal.actor_role == "dmsu"
    assert TicketEvent.get(TicketEvent.text == "A fix is on its way").actor_role == "third_line"
    # at the 3rd line: the SLA clocks are there as for an imported ticket
    assert SlaClock.select().where(SlaClock.ticket == ticket).exists()
    assert HelpdeskTicket.get(HelpdeskTicket.ggus_id == 71003).zammad_id == 3
    assert cursor_at() == zs.parse(zammad.tickets[3]["updated_at"])


def test_poll_twice_adds_nothing_and_reads_only_what_changed(app, zammad, puller):
    dmsu_ticket(zammad)
    poll(puller)
    before = TicketEvent.select().count()
    again = poll(puller)
    assert (again.kept, again.events_added) == (0, 0) and again.skipped == 1
    assert TicketEvent.select().count() == before
    zammad.change(3, zs.at(90), state="solved")
    third = poll(puller)
    assert (third.updated, third.events_added) == (1, 1)
    assert Ticket.get(Ticket.ggus_id == 71003).status == "solved"


def test_only_tickets_that_touched_units_of_interest_are_kept(app, zammad, puller):
    zammad.add_ticket(5, number=80005, group="NGI_DE", created=zs.at(0))
    zammad.add_ticket(6, number=80006, group="NGI_DE", created=zs.at(1))
    zammad.change(6, zs.at(5), group="DMSU")
    result = poll(puller)
    assert (result.kept, result.skipped) == (1, 1)
    assert not Ticket.select().where(Ticket.ggus_id == 80005).exists()
    # the kept one was in an unknown group first: kept, that part listed for review
    assert events_of(80006) == [("assigned", "DMSU")]
    review = HelpdeskReview.get(HelpdeskReview.ggus_id == 80006)
    assert (review.reason, review.value) == ("unknown group", "NGI_DE")


def test_unknown_state_is_kept_for_review(app, zammad, puller):
    zammad.add_ticket(7, number=80007, group="DMSU", created=zs.at(0))
    zammad.change(7, zs.at(5), state="escalated to vendor")
    poll(puller)
    assert Ticket.get(Ticket.ggus_id == 80007).status == "assigned"  # as its assignment says
    assert HelpdeskReview.get(HelpdeskReview.ggus_id == 80007).value == "escalated to vendor"


def test_the_connectors_own_changes_are_not_pulled_back(app, zammad, puller):
    dmsu_ticket(zammad)
    poll(puller)
    before = TicketEvent.select().count()
    puller.client.update_ticket(
        3, {"state": "on hold", "article": {"body": "ours", "internal": True}}
    )
    result = poll(puller)
    assert result.events_added == 0 and TicketEvent.select().count() == before


def test_a_helpdesk_failing_mid_read_records_nothing(app, zammad, puller):
    dmsu_ticket(zammad, 3, 71003)
    dmsu_ticket(zammad, 4, 71004)
    zammad.fail_on("/api/v1/ticket_history/4", 502)  # the second ticket of the page
    with pytest.raises(HelpdeskError, match="HTTP 502"):
        poll(puller)
    assert not Ticket.select().exists()  # not the first ticket either
    assert not HelpdeskCursor.select().exists() and not HelpdeskTicket.select().exists()
    assert poll(puller).kept == 2  # the next run reads it all again


def test_pages_are_recorded_one_by_one(app, zammad, puller):
    for n in range(5):
        zammad.add_ticket(20 + n, number=90020 + n, group="DMSU", created=zs.at(n))
    result = poll(puller)  # two per page (zammad_config)
    assert result.kept == 5
    assert Ticket.select().count() == 5


def test_tags_are_the_tickets_flags(app, zammad, puller):
    """Tags as zammad/zammad app/models/tag.rb records them in the history (added/removed)."""
    zammad.add_ticket(9, number=80009, group="DMSU", created=zs.at(0))
    zammad.tag(9, "broad impact", zs.at(1))
    zammad.tag(9, "postponed", zs.at(2))
    zammad.tag(9, "postponed", zs.at(3), added=False)
    zammad.tag(9, "americano", zs.at(4))  # not in the mapping: nothing
    poll(puller)
    ticket = Ticket.get(Ticket.ggus_id == 80009)
    assert (ticket.broad_impact, ticket.postponed, ticket.lack_of_expertise) == (True, False, False)


def test_text_that_is_not_unicode_arrives_with_a_replacement_character(app, zammad, puller):
    """Zammad's JSON may escape a lone surrogate (``"\\udc80"``, from a mail it could not
    decode); stored as is, it made the database driver refuse the ticket on every poll."""
    dmsu_ticket(zammad)
    zammad.add_article(3, zs.at(80), "Log says caf\udc80 failed", internal=True)
    result = poll(puller)
    assert result.kept == 1
    assert (
        TicketEvent.get(TicketEvent.text.contains("Log says")).text == "Log says caf\ufffd failed"
    )
