"""Issue 18 point 1: staff land on their work, per role (on shift: the banner and the duty
list; my open tickets; tickets needing a reaction; deadlines of the coming week; the digest
due; TPM: what waits to be routed); anonymous readers keep the public home."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dmsu.auth.models import User
from dmsu.core import clock
from dmsu.digests.drafting import draft_digest
from dmsu.digests.models import Digest, Shift
from dmsu.tickets.models import SlaClock, Ticket

NOW = datetime(2013, 2, 19, 10, 0, tzinfo=UTC)  # Tuesday of 2013-W08


@pytest.fixture(autouse=True)
def pinned_clock():
    clock.set_now(NOW)
    yield
    clock.set_now(None)


def _user(role: str) -> User:
    return User.get(User.username == role)


@pytest.fixture
def world(clients, make_ticket):
    """Tickets of every list, the assigner on shift in 2013-W08."""
    Shift.create(week="2013-W08", user=_user("assigner"))
    to_dmsu = {"type": "assigned", "support_unit": "DMSU"}
    tickets = {
        "new": make_ticket(
            95001,
            subject="New and nobody took it",
            events=[{**to_dmsu, "at": "2013-02-18T10:00:00+00:00"}],
        ),
        "stalled": make_ticket(
            95002,
            subject="Stalled in DMSU",
            assignee=_user("resolver"),
            events=[{**to_dmsu, "at": "2013-02-11T10:00:00+00:00"}],
        ),
        "eta": make_ticket(
            95003,
            subject="Fix promised for Friday",
            assignee=_user("assigner"),
            events=[
                {**to_dmsu, "at": "2013-02-11T10:00:00+00:00"},
                {"at": "2013-02-12T10:00:00+00:00", "type": "assigned", "support_unit": "CREAM"},
                {
                    "at": "2013-02-13T10:00:00+00:00",
                    "type": "eta",
                    "due": "2013-02-22",
                    "support_unit": "CREAM",
                },
            ],
        ),  # fmt: skip
        "tpm": make_ticket(
            95004,
            subject="Waiting at the first line",
            events=[{"at": "2013-02-18T08:00:00+00:00", "type": "assigned", "support_unit": "TPM"}],
        ),
        "closed": make_ticket(
            95005,
            subject="Closed long ago",
            assignee=_user("resolver"),
            events=[
                {**to_dmsu, "at": "2013-02-01T10:00:00+00:00"},
                {"at": "2013-02-04T10:00:00+00:00", "type": "status", "status": "closed"},
            ],
        ),
    }
    return tickets


def _home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_anonymous_readers_keep_the_public_home(clients, world):
    html = _home(clients["anonymous"])
    assert "Second-line software support" in html and "Your work" not in html
    assert "Stalled in DMSU" not in html and "95001" not in html


def test_tpm_sees_what_waits_to_be_routed_and_no_dmsu_lists(clients, world):
    html = _home(clients["tpm"])
    assert "Your work, Tpm" in html and "Second-line software support" not in html
    waiting = _section(html, "home-tpm")
    assert "Waiting at the first line" in waiting and "95001" not in waiting
    assert "No open ticket is assigned to you." in _section(html, "home-mine")
    assert 'id="home-reaction"' not in html and 'id="home-digest"' not in html
    assert (
        'id="home-new"' not in html
        and "On DMSU shift this week (2013-W08): <strong>Assigner" in html
    )


def test_a_resolver_sees_their_open_tickets_and_what_needs_a_reaction(clients, world):
    html = _home(clients["resolver"])
    mine = _section(html, "home-mine")
    assert "Stalled in DMSU" in mine and "Closed long ago" not in mine
    reaction = _section(html, "home-reaction")
    assert "Stalled in DMSU" in reaction and "New and nobody took it" not in reaction
    assert 'id="home-tpm"' not in html and 'id="home-digest"' not in html
    assert "You are on DMSU shift" not in html


def test_the_assigner_on_shift_gets_the_banner_the_duty_list_and_the_digest_due(clients, world):
    html = _home(clients["assigner"])
    assert "You are on DMSU shift this week (2013-W08)" in html and 'href="/duty"' in html
    assert "New and nobody took it" in _section(html, "home-new")
    digest = _section(html, "home-digest")
    assert "(2013-W07) is not drafted yet" in digest
    assert 'href="/digests/2013-W07/edit"' in digest
    deadlines = _section(html, "home-deadlines")
    assert "2013-02-22" in deadlines and "Fix promised for Friday" in deadlines
    assert "ETA" in deadlines and "CREAM" in deadlines
    assert "Fix promised for Friday" in _section(html, "home-mine")


def test_the_digest_due_follows_the_digest(clients, world):
    draft_digest("2013-W07")
    assert "drafted but not published" in _section(_home(clients["assigner"]), "home-digest")
    Digest.update(state="published").where(Digest.week == "2013-W07").execute()
    section = _section(_home(clients["assigner"]), "home-digest")
    assert "The digest of last week (2013-W07) is published." in section
    assert "badge warn" not in section


def test_an_admin_sees_every_list(clients, world):
    html = _home(clients["admin"])
    for heading in ("home-tpm", "home-mine", "home-reaction", "home-deadlines", "home-digest"):
        assert f'id="{heading}"' in html
    assert 'id="home-new"' not in html  # not on shift


def test_each_section_has_an_empty_state_sentence(clients):
    Shift.create(week="2013-W08", user=_user("admin"))
    html = _home(clients["admin"])
    for sentence in (
        "No new ticket waits in DMSU without an assignee.",
        "Nothing waits in TPM for routing.",
        "No open ticket is assigned to you.",
        "Every ticket in DMSU had a supporter&#39;s reaction in time.",
        "No ETA or SLA response falls due in the next seven days.",
        "(2013-W07) is not drafted yet",
    ):
        assert sentence in html, sentence
    assert "You are on DMSU shift this week (2013-W08)" in html


def test_nobody_on_the_rota_is_said(clients):
    assert "On DMSU shift this week (2013-W08): nobody is on the rota." in _home(clients["tpm"])


def test_sla_response_deadlines_of_the_week_are_listed(clients, world):
    ticket = Ticket.get(Ticket.ggus_id == 95003)
    SlaClock.delete().where(SlaClock.ticket == ticket).execute()
    cream = ticket.support_unit_id
    for seq, due in ((1, NOW + timedelta(days=2)), (2, NOW + timedelta(days=9))):
        SlaClock.create(ticket=ticket, seq=seq, unit_id=cream, started_at=NOW - timedelta(days=1),
                        level="level2", priority="urgent", calendar="site", hours=8.0,
                        due_at=due, outcome="open")  # fmt: skip
    deadlines = _section(_home(clients["resolver"]), "home-deadlines")
    assert "2013-02-21 10:00 UTC" in deadlines and "SLA response" in deadlines
    assert "2013-02-28" not in deadlines  # beyond the seven days


def test_the_lists_are_cut_with_a_link_to_the_full_list(clients, make_ticket):
    for i in range(12):
        make_ticket(
            96000 + i,
            assignee=_user("resolver"),
            events=[
                {"at": "2013-02-18T10:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}
            ],
        )
    mine = _section(_home(clients["resolver"]), "home-mine")
    assert mine.count("<tr>") == 10 + 1  # the header row and ten tickets
    assert '<span class="badge">12</span>' in mine
    assert 'href="/tickets/mine?state=open">All 12 of my open tickets' in mine


def test_tpm_sees_the_deadlines_of_their_own_tickets_only(clients, world):
    html = _home(clients["tpm"])
    deadlines = _section(html, "home-deadlines")
    assert "Deadlines of my tickets in the next seven days" in deadlines
    assert "Fix promised for Friday" not in deadlines  # the assigner's ticket
    assert "No ETA or SLA response of a ticket assigned to you falls due" in deadlines
    Ticket.update(assignee=_user("tpm")).where(Ticket.ggus_id == 95003).execute()
    assert "Fix promised for Friday" in _section(_home(clients["tpm"]), "home-deadlines")
