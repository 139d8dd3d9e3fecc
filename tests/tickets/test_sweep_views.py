"""The sweep page (plain POST and htmx), the duty page and the admin's outbox."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dmsu.core import clock
from dmsu.notify import mail
from dmsu.tickets.models import Ticket, TicketEvent

NOW = datetime(2013, 2, 21, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_clock():
    clock.set_now(NOW)
    yield
    clock.set_now(None)


@pytest.fixture
def stale(make_ticket):
    return make_ticket(
        91039,
        subject="BDII top drops entries",
        component="BDII top",
        events=[{"at": "2013-02-01T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
    )


def test_the_sweep_groups_tickets_with_counts(assigner_client, stale, make_ticket):
    make_ticket(
        5,
        events=[
            {"at": "2013-01-01T09:00:00+00:00", "type": "assigned", "support_unit": "CREAM"},
            {"at": "2013-01-02T09:00:00+00:00", "type": "eta", "due": "2013-02-10"},
        ],
    )
    html = assigner_client.get("/sweep").get_data(as_text=True)
    assert 'id="needs-reaction"' in html and 'id="row-needs-reaction-91039"' in html
    assert 'id="row-eta-expired-5"' in html
    assert "ETA 2013-02-10 expired" in html
    assert "BDII top drops entries" in html and "BDII top" in html
    assert '<a href="#eta-expired">ETA expired</a> <span class="badge warn">1</span>' in html


@pytest.mark.parametrize(
    "role,code", [("anonymous", 302), ("tpm", 200), ("resolver", 200), ("admin", 200)]
)
def test_who_sees_the_sweep_and_duty_pages(clients, role, code):
    assert clients[role].get("/sweep").status_code == code
    assert clients[role].get("/duty").status_code == code


def test_a_plain_post_records_an_internal_note_and_redirects_to_the_group(assigner_client, stale):
    response = assigner_client.form(
        "/sweep/91039",
        {
            "group": "needs-reaction",
            "note": "Asked Pavel to look",
            "status": "assigned",
            "assignee": "",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sweep#needs-reaction")
    (note,) = TicketEvent.select().where(TicketEvent.kind == "comment")
    assert note.text == "Asked Pavel to look" and not note.public
    assert note.actor_role == "dmsu" and note.at == NOW
    html = assigner_client.get("/sweep").get_data(as_text=True)
    assert "row-needs-reaction-91039" not in html  # reacted: off the list


def test_htmx_returns_the_updated_row_only(assigner_client, stale, make_user):
    bob = make_user("resolver", "bob", display_name="Bob Resolver")
    response = assigner_client.hx(
        "post",
        "/sweep/91039",
        {"group": "needs-reaction", "note": "", "status": "in progress", "assignee": str(bob.id)},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<tr id="row-needs-reaction-91039"')
    assert "<html" not in html
    assert "Bob Resolver" in html and "the ticket has left this group" in html
    ticket = Ticket.get(Ticket.ggus_id == 91039)
    assert ticket.status == "in progress" and ticket.assignee_id == bob.id


def test_a_refused_change_keeps_what_was_typed_and_changes_nothing(assigner_client, stale):
    form = {"group": "needs-reaction", "note": "Solved it", "status": "solved", "assignee": ""}
    response = assigner_client.form("/sweep/91039", form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Write the solution in a public note" in html
    assert 'value="Solved it"' in html
    assert TicketEvent.select().where(TicketEvent.kind == "comment").count() == 0  # rolled back
    htmx = assigner_client.hx("post", "/sweep/91039", form).get_data(as_text=True)
    assert 'role="alert"' in htmx and 'value="Solved it"' in htmx


def row_of(html: str, row_id: str) -> str:
    start = html.index(f'<tr id="{row_id}"')
    return html[start : html.index("</tr>", start)]


def test_each_row_has_one_folded_update_control(assigner_client, stale):
    """Issue 18: "the sweep is 9,300 px long with four controls per row; ages and dates
    wrap". One <details> per row holds the form (open it, no JavaScript needed)."""
    html = assigner_client.get("/sweep").get_data(as_text=True)
    row = row_of(html, "row-needs-reaction-91039")
    assert row.count("<details") == 1 and row.count("<form") == 1
    assert '<details class="sweep-update">' in row  # folded
    assert "<summary>Update" in row
    assert row.index("<details") < row.index("<form") < row.index("</details>")
    assert "20&nbsp;d" in row  # the age never breaks between number and unit
    assert 'class="badge status-waiting-for-us"' in row and ">assigned<" in row
    assert "<br>" not in row  # one line: status and why-now in cells of their own


def test_a_refused_plain_post_shows_its_row_unfolded(assigner_client, stale):
    form = {"group": "needs-reaction", "note": " ", "status": "assigned", "assignee": ""}
    html = assigner_client.form("/sweep/91039", form).get_data(as_text=True)
    assert '<details class="sweep-update" open>' in row_of(html, "row-needs-reaction-91039")
    htmx = assigner_client.hx("post", "/sweep/91039", form).get_data(as_text=True)
    assert '<details class="sweep-update" open>' in htmx


def test_nothing_to_record_is_one_sentence(assigner_client, stale):
    response = assigner_client.form(
        "/sweep/91039",
        {"group": "needs-reaction", "note": " ", "status": "assigned", "assignee": ""},
    )
    assert response.status_code == 422
    assert "Nothing to record" in response.get_data(as_text=True)


def test_a_tpm_user_cannot_assign_from_the_sweep(tpm_client, stale, make_user):
    bob = make_user("resolver", "bob")
    response = tpm_client.form(
        "/sweep/91039", {"group": "needs-reaction", "status": "assigned", "assignee": str(bob.id)}
    )
    assert response.status_code == 422
    assert Ticket.get(Ticket.ggus_id == 91039).assignee_id is None


def test_bad_requests(assigner_client, stale):
    assert assigner_client.form("/sweep/1", {"group": "needs-reaction"}).status_code == 404
    assert assigner_client.form("/sweep/91039", {"group": "nope"}).status_code == 400
    assert assigner_client.get("/sweep?group=nope").status_code == 404
    response = assigner_client.form("/sweep/91039", {"group": "needs-reaction", "assignee": "x"})
    assert response.status_code == 400


def test_one_group_can_be_paged(assigner_client, make_ticket):
    for i in range(55):
        make_ticket(
            1000 + i,
            events=[
                {"at": "2013-02-01T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}
            ],
        )
    html = assigner_client.get("/sweep").get_data(as_text=True)
    assert "All 55 tickets of this group" in html
    page2 = assigner_client.get("/sweep?group=needs-reaction&page=2").get_data(as_text=True)
    assert page2.count('<tr id="row-needs-reaction-') == 5


def test_the_duty_page(assigner_client, stale, make_user, app):
    from dmsu.digests.rota import set_shift, week_of

    mail.queue("k-today", "x@example.org", "Reminder today", "Body", kind="test")
    html = assigner_client.get("/duty").get_data(as_text=True)
    assert "Nobody is on the rota this week" in html
    assert html.count(">91039</a>") == 2  # new and not taken; needing reaction
    assert "Reminder today" in html
    # each row says its status group and priority in words and colour, as the lists do
    assert html.count('title="waiting for DMSU or the 1st line">') == 2
    assert html.count('class="priority priority-') == 2
    admin = make_user("admin")
    set_shift(week_of(NOW), assigner_client.user, admin)
    assert "that is you" in assigner_client.get("/duty").get_data(as_text=True)


def test_the_outbox_is_for_admins(clients, app):
    for i in range(60):
        mail.queue(f"k{i}", "someone@example.org", f"Subject {i}", "Body", kind="test")
    assert clients["assigner"].get("/admin/outbox").status_code == 403
    html = clients["admin"].get("/admin/outbox").get_data(as_text=True)
    assert "Subject 59" in html and "Subject 9<" not in html  # newest first, 50 a page
    assert "Page 1 of 2" in html
    older = clients["admin"].get("/admin/outbox?page=2").get_data(as_text=True)
    assert "Subject 9<" in older and "Subject 0<" in older
    mail.deliver_pending(app.config)  # no SMTP: to the outbox
    html = clients["admin"].get("/admin/outbox?state=outbox").get_data(as_text=True)
    assert "60 notifications" in html
    assert clients["admin"].get("/admin/outbox?state=bogus").status_code == 404


def test_the_ticket_page_shows_every_running_deadline(assigner_client, make_ticket):
    from dmsu.tickets.units import SupportUnit

    SupportUnit.create(name="ARC", kind="third_line", sla_level="level1")
    make_ticket(
        77,
        events=[
            {"at": "2013-02-20T09:00:00+00:00", "type": "assigned", "support_unit": "ARC"},
            {"at": "2013-02-20T09:30:00+00:00", "type": "involved", "support_unit": "ARC"},
            {"at": "2013-02-20T10:00:00+00:00", "type": "assigned", "support_unit": "CREAM"},
        ],
    )
    html = assigner_client.get("/tickets/77").get_data(as_text=True)
    assert "Running deadlines" in html
    assert "ARC response (Level 1, severity 4)" in html
    assert "CREAM response (Level 2, severity 4)" in html
