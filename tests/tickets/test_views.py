"""The ticket pages: list with filters, search, paging and the htmx partial; the ticket page
and its forms; recording a ticket; releases page and the record-release command."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dmsu.cheatsheet.models import Component
from dmsu.core import clock
from dmsu.tickets import workflow
from dmsu.tickets.models import Release, Ticket, TicketEvent
from dmsu.tickets.units import SupportUnit

T0 = datetime(2013, 2, 11, 9, 0, tzinfo=UTC)


@pytest.fixture
def cream(app):
    unit = SupportUnit.create(name="CREAM", kind="third_line")
    SupportUnit.create(name="dCache", kind="third_line")
    return Component.create(name="CREAM CE", slug="cream-ce", support_unit=unit)


def html(response) -> str:
    return response.get_data(as_text=True)


def record(client, ggus_id=91039, **fields):
    fields.setdefault("subject", "Jobs stuck in REALLY-RUNNING")
    return workflow.create_ticket(client.user, ggus_id=ggus_id, **fields)


def fresh(ticket):
    return Ticket.get_by_id(ticket.id)


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/tickets/", "/tickets/mine", "/tickets/new", "/tickets/5", "/tickets/releases"]
)
def test_anonymous_readers_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_anonymous_posts_change_nothing(client, tpm_client):
    ticket = record(tpm_client)
    response = client.form(f"/tickets/{ticket.ggus_id}/route", {"note": "x"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert fresh(ticket).support_unit.name == "TPM"


def test_an_unknown_ticket_is_404(resolver_client):
    assert resolver_client.get("/tickets/424242").status_code == 404
    record(resolver_client, 1)
    assert resolver_client.form("/tickets/1/frobnicate", {}).status_code == 404


# --- the list --------------------------------------------------------------------------------


def test_list_filters_by_status_unit_component_priority_category_and_assignee(
    resolver_client, assigner_client, cream
):
    a = record(
        resolver_client,
        1,
        subject="alpha",
        component="CREAM CE",
        priority="urgent",
        category="incident",
    )
    b = record(resolver_client, 2, subject="beta")
    workflow.route_to_dmsu(b, resolver_client.user)
    workflow.set_assignee(b, resolver_client.user, resolver_client.user)
    c = record(resolver_client, 3, subject="gamma")
    workflow.change_status(c, resolver_client.user, "solved", note="done")

    def ids(query):
        page = html(resolver_client.get(f"/tickets/?{query}"))
        return sorted(t for t in (1, 2, 3) if f'href="/tickets/{t}"' in page)

    dmsu = SupportUnit.named("DMSU").id
    assert ids("") == [1, 2]  # open tickets unless asked otherwise
    assert ids("state=all") == [1, 2, 3]
    assert ids("status=new") == [1]
    assert ids("status=solved") == [3]  # a chosen status is shown whether open or not
    assert ids("state=open") == [1, 2]
    assert ids("state=closed") == [3]
    assert ids(f"support_unit={dmsu}") == [2]
    assert ids(f"component={cream.id}") == [1]
    assert ids("priority=urgent") == [1]
    assert ids("category=incident") == [1]
    assert ids(f"assignee={resolver_client.user.id}") == [2]
    assert ids("assignee=none") == [1]
    assert ids("assignee=none&state=all") == [1, 3]
    assert a and c


def test_search_finds_subject_description_and_ggus_id(resolver_client):
    record(resolver_client, 11, subject="BDII top crashes", description="slapd dies at midnight")
    record(resolver_client, 12, subject="VOMS proxy", description="nothing to see")
    for query, expected in [
        ("bdii", [11]),
        ("SLAPD", [11]),
        ("12", [12]),
        ("proxy", [12]),
        ("zzz", []),
    ]:
        page = html(resolver_client.get("/tickets/", query_string={"q": query}))
        assert sorted(t for t in (11, 12) if f'href="/tickets/{t}"' in page) == expected, query


def test_a_bad_filter_value_is_named_and_left_out(resolver_client):
    record(resolver_client, 1)
    page = html(resolver_client.get("/tickets/?status=pending"))
    assert "&#39;pending&#39; is not a status" in page
    assert 'href="/tickets/1"' in page


def test_list_pages_by_fifty_newest_change_first(resolver_client):
    for n in range(1, 121):
        Ticket.create(
            ggus_id=n, subject=f"t{n}", created_at=T0, updated_at=T0 + timedelta(minutes=n)
        )
    first = html(resolver_client.get("/tickets/"))
    assert "120 open tickets, page 1 of 3" in first
    rows = first[first.index("<tbody>") : first.index("</tbody>")]
    assert rows.count("<tr>") == 50
    assert 'href="/tickets/120"' in first and 'href="/tickets/70"' not in first
    assert first.index('href="/tickets/120"') < first.index('href="/tickets/119"')
    last = html(resolver_client.get("/tickets/?page=3"))
    assert 'href="/tickets/20"' in last and 'href="/tickets/21"' not in last
    assert 'rel="prev"' in last and 'rel="next"' not in last
    beyond = html(resolver_client.get("/tickets/?page=99"))
    assert "page 3 of 3" in beyond


def links_of(page: str, text: str) -> list[tuple[str, dict]]:
    """Where the links whose text is ``text`` go: path and query arguments (the switch's and
    the column headers' links)."""
    import re
    from urllib.parse import parse_qsl, urlsplit

    found = re.findall(r'<a href="([^"]*)"[^>]*>' + re.escape(text) + "<", page)
    parts = [urlsplit(href.replace("&amp;", "&")) for href in found]
    return [(part.path, dict(parse_qsl(part.query))) for part in parts]


def test_open_tickets_by_default_with_a_switch_that_keeps_the_other_filters(resolver_client):
    """Issue 18: "the default shows all tickets, closed ones included (also 'My tickets')"."""
    me = resolver_client.user
    for n, status in ((1, "new"), (2, "solved"), (3, "in progress")):
        ticket = record(resolver_client, n, subject=f"urgent {n}", priority="urgent")
        workflow.set_assignee(ticket, me, me)
        if status != "new":
            workflow.change_status(ticket, me, status, note="done")
    record(resolver_client, 4, subject="calm", priority="less urgent")

    page = html(resolver_client.get("/tickets/?priority=urgent"))
    assert "2 open tickets." in page
    urgent = {"priority": "urgent"}
    assert links_of(page, "All") == [("/tickets/", {**urgent, "state": "all"})]
    assert links_of(page, "Closed") == [("/tickets/", {**urgent, "state": "closed"})]
    assert links_of(page, "Open") == [("/tickets/", urgent)]
    assert 'aria-current="page" class="current">Open<' in page
    everything = html(resolver_client.get("/tickets/?priority=urgent&state=all"))
    assert "3 tickets, open and closed." in everything and 'href="/tickets/2"' in everything
    assert '<input type="hidden" name="state" value="all">' in everything  # kept by the form
    closed = html(resolver_client.get("/tickets/?state=closed"))
    assert "1 closed ticket." in closed
    assert "1 ticket with status solved." in html(resolver_client.get("/tickets/?status=solved"))

    assert "3 open tickets." in html(resolver_client.get("/tickets/"))
    own = html(resolver_client.get("/tickets/mine"))
    assert "2 open tickets." in own  # its own total, not everyone's
    assert ">Clear</a>" not in own  # "mine" is the page, not a filter to clear
    mine = html(resolver_client.get("/tickets/mine?q=urgent"))
    assert "2 open tickets." in mine and 'href="/tickets/2"' not in mine
    assert links_of(mine, "All") == [("/tickets/mine", {"q": "urgent", "state": "all"})]
    assert 'href="/tickets/2"' in html(resolver_client.get("/tickets/mine?state=all"))


def test_statuses_and_priorities_are_marked_by_meaning(assigner_client, cream):
    """The status word stays; its class says what the ticket waits for."""
    me = assigner_client.user
    waiting = record(assigner_client, 1, priority="top priority")
    workflow.route_to_dmsu(waiting, me)
    third = record(assigner_client, 2, priority="very urgent")
    workflow.route_to_dmsu(third, me)
    workflow.reassign_to_third_line(third, me, "CREAM", note="x")
    solved = record(assigner_client, 3)
    workflow.change_status(solved, me, "solved", note="done")
    page = html(assigner_client.get("/tickets/?state=all"))

    def row(ggus_id):
        start = page.index(f'href="/tickets/{ggus_id}"')
        return page[start : page.index("</tr>", start)]

    assert 'class="badge status-waiting-for-us"' in row(1) and ">assigned<" in row(1)
    assert 'class="priority priority-top">top priority<' in row(1)
    assert 'class="badge status-with-third-line"' in row(2)
    assert 'class="priority priority-very-urgent">very urgent<' in row(2)
    assert 'class="badge status-solved"' in row(3) and ">solved<" in row(3)
    assert 'title="Jobs stuck in REALLY-RUNNING"' in row(3)  # the whole subject, if clipped


def test_columns_sort_by_a_whitelisted_key_and_the_header_turns_the_order(resolver_client):
    for n, priority in enumerate(("urgent", "top priority", "less urgent", "very urgent"), 1):
        Ticket.create(
            ggus_id=n, subject=f"t{n}", priority=priority, updated_at=T0 + timedelta(hours=n)
        )

    def order(query):
        page = html(resolver_client.get(f"/tickets/?{query}"))
        rows = page[page.index("<tbody>") :]
        return sorted(range(1, 5), key=lambda n: rows.index(f'href="/tickets/{n}"'))

    assert order("") == [4, 3, 2, 1]  # newest change first
    assert order("sort=priority") == [2, 4, 1, 3]  # most urgent first
    assert order("sort=priority&dir=asc") == [3, 1, 4, 2]
    assert order("sort=ggus") == [4, 3, 2, 1] and order("sort=ggus&dir=asc") == [1, 2, 3, 4]
    page = html(resolver_client.get("/tickets/?sort=priority&priority="))
    assert 'aria-sort="descending"' in page
    # sorted by it already, the header turns the order; the others start in their own
    assert links_of(page, "Priority") == [("/tickets/", {"sort": "priority", "dir": "asc"})]
    assert links_of(page, "GGUS") == [("/tickets/", {"sort": "ggus"})]
    assert links_of(page, "Status") == [("/tickets/", {"sort": "status"})]
    assert '<input type="hidden" name="sort" value="priority">' in page
    for bad in ("sort=subject%3B+drop", "sort=id", "dir=sideways"):
        response = resolver_client.get(f"/tickets/?{bad}")
        assert response.status_code == 200, bad
        assert "that filter was left out." in html(response)
    assert order("sort=nonsense") == [4, 3, 2, 1]


def test_a_sorted_list_pages_without_losing_or_repeating_a_ticket(resolver_client):
    """Equal values (one status, one time) are ordered by the ticket too, page after page."""
    for n in range(1, 121):
        Ticket.create(ggus_id=n, subject=f"t{n}", status="new", updated_at=T0)
    for sort in ("status", "priority", "updated"):
        for direction in ("asc", "desc"):
            seen = []
            for page_number in (1, 2, 3):
                page = html(
                    resolver_client.get(f"/tickets/?sort={sort}&dir={direction}&page={page_number}")
                )
                rows = page[page.index("<tbody>") : page.index("</tbody>")]
                seen += [n for n in range(1, 121) if f'href="/tickets/{n}"' in rows]
            assert sorted(seen) == list(range(1, 121)), (sort, direction)
    page = html(resolver_client.get("/tickets/?sort=status&dir=desc"))
    assert 'rel="next" href="/tickets/?sort=status&amp;dir=desc&amp;page=2"' in page


def test_htmx_filtering_returns_only_the_rows_partial(resolver_client):
    record(resolver_client, 1, subject="alpha")
    record(resolver_client, 2, subject="beta")
    response = resolver_client.hx("get", "/tickets/?q=alpha")
    body = html(response)
    assert response.status_code == 200
    assert "<html" not in body and "<form" not in body
    assert 'href="/tickets/1"' in body and 'href="/tickets/2"' not in body
    assert "HX-Request" in response.headers.get("Vary", "")
    full = html(resolver_client.get("/tickets/?q=alpha"))
    assert 'id="ticket-results"' in full and 'data-hx-get="/tickets/"' in full


def test_my_tickets_are_those_assigned_to_me(resolver_client, assigner_client):
    mine = record(resolver_client, 1, subject="mine")
    record(resolver_client, 2, subject="not mine")
    workflow.set_assignee(mine, resolver_client.user, resolver_client.user)
    page = html(resolver_client.get("/tickets/mine"))
    assert "My tickets" in page
    assert 'href="/tickets/1"' in page and 'href="/tickets/2"' not in page
    assert 'href="/tickets/1"' not in html(assigner_client.get("/tickets/mine"))


def test_user_text_is_escaped_in_the_list_and_on_the_page(resolver_client):
    record(
        resolver_client,
        1,
        subject="<script>alert(1)</script>",
        description="<img src=x onerror=alert(1)>",
    )
    for url in ("/tickets/", "/tickets/1"):
        page = html(resolver_client.get(url))
        assert "<script>alert(1)</script>" not in page
        assert "onerror" not in page


# --- the ticket page -------------------------------------------------------------------------


def test_ticket_page_shows_summary_timeline_and_links(app, resolver_client, cream):
    ticket = record(resolver_client, 91039, description="It *hangs*", component="CREAM CE")
    workflow.route_to_dmsu(ticket, resolver_client.user)
    workflow.add_comment(ticket, resolver_client.user, "public words")
    workflow.add_comment(ticket, resolver_client.user, "between us", public=False)
    page = html(resolver_client.get("/tickets/91039"))
    assert "Jobs stuck in REALLY-RUNNING" in page and "<em>hangs</em>" in page
    assert "Moved from <strong>TPM</strong> to <strong>DMSU</strong>" in page
    assert app.config["DMSU_GGUS_TICKET_URL"].format(id=91039).replace("&", "&amp;") in page
    assert 'href="/wiki/new?ticket=91039"' in page
    assert 'href="/requirements/new?ticket=91039"' in page
    internal = page.index("between us")
    assert page.rfind('class="event-comment internal"', 0, internal) > page.rfind(
        "public words", 0, internal
    )


def test_the_forms_shown_follow_the_role(clients, cream):
    ticket = record(clients["tpm"], 5)
    workflow.route_to_dmsu(ticket, clients["tpm"].user)
    pages = {
        role: html(clients[role].get("/tickets/5")) for role in ("tpm", "resolver", "assigner")
    }
    assert 'id="action-third-line"' in pages["assigner"]
    assert 'id="action-third-line"' not in pages["resolver"]
    assert 'id="action-third-line"' not in pages["tpm"]
    assert (
        'id="action-send-back"' in pages["resolver"] and 'id="action-send-back"' not in pages["tpm"]
    )
    assert 'id="action-comment"' in pages["tpm"]
    assert 'name="workaround"' in pages["resolver"] and 'name="workaround"' not in pages["tpm"]
    # the cheat sheet's unit for the component is suggested first
    workflow.update_fields(ticket, clients["tpm"].user, component="CREAM CE")
    page = html(clients["assigner"].get("/tickets/5"))
    section = page[page.index('id="third-unit"') :]
    assert section.index(">CREAM (suggested for CREAM CE)") < section.index(">dCache")


def test_tpm_routes_a_ticket_to_dmsu_from_the_page(tpm_client):
    record(tpm_client, 5)
    response = tpm_client.form("/tickets/5/route", {"note": "middleware"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/tickets/5#timeline")
    ticket = Ticket.get(Ticket.ggus_id == 5)
    assert (ticket.status, ticket.support_unit.name) == ("assigned", "DMSU")
    assert "routed to DMSU" in html(tpm_client.get("/tickets/5"))


def test_a_refused_step_rerenders_the_page_with_the_typed_text(resolver_client):
    record(resolver_client, 5)
    response = resolver_client.form(
        "/tickets/5/status", {"status": "solved", "note": "my careful words", "internal": "1"}
    )
    assert response.status_code == 400
    page = html(response)
    assert "Write the solution in a public note" in page
    assert "my careful words</textarea>" in page
    assert Ticket.get(Ticket.ggus_id == 5).status == "new"


def test_a_role_refusal_is_403_and_keeps_the_typed_text(resolver_client, cream):
    ticket = record(resolver_client, 5)
    workflow.route_to_dmsu(ticket, resolver_client.user)
    response = resolver_client.form(
        "/tickets/5/third-line",
        {"unit": str(SupportUnit.named("CREAM").id), "note": "how to reproduce"},
    )
    assert response.status_code == 403
    assert "Only these roles may assign a ticket to a 3rd-line unit" in html(response)
    assert fresh(ticket).support_unit.name == "DMSU"


def test_assigner_reassigns_to_third_line_with_an_eta_and_lack_of_expertise(assigner_client, cream):
    ticket = record(assigner_client, 5)
    workflow.route_to_dmsu(ticket, assigner_client.user)
    ahead = clock.now().date() + timedelta(days=18)
    response = assigner_client.form(
        "/tickets/5/third-line",
        {
            "unit": str(cream.support_unit_id),
            "note": "Reproduce: submit 100 jobs",
            "eta": ahead.isoformat(),
            "lack_of_expertise": "1",
        },
    )
    assert response.status_code == 302
    ticket = fresh(ticket)
    assert (ticket.support_unit.name, ticket.eta_due, ticket.lack_of_expertise) == (
        "CREAM",
        ahead,
        True,
    )
    page = html(assigner_client.get("/tickets/5"))
    assert f"ETA <strong>{ahead.isoformat()}</strong>" in page
    bad = assigner_client.form("/tickets/5/eta", {"due": "next week", "note": "kept"})
    assert bad.status_code == 400 and "not a date" in html(bad) and 'value="kept"' in html(bad)
    later = ahead + timedelta(days=30)
    assert assigner_client.form("/tickets/5/eta", {"due": later.isoformat()}).status_code == 302
    assert TicketEvent.select().where(TicketEvent.kind == "eta").count() == 2


def test_comment_take_escalate_fields_involve_and_deliver_fix_forms(assigner_client, cream):
    ticket = record(assigner_client, 5, component="CREAM CE")
    workflow.route_to_dmsu(ticket, assigner_client.user)
    c = assigner_client
    assert (
        c.form("/tickets/5/comment", {"text": "looking", "visibility": "internal"}).status_code
        == 302
    )
    assert TicketEvent.get(TicketEvent.kind == "comment").public is False
    assert c.form("/tickets/5/take", {}).status_code == 302
    assert (fresh(ticket).assignee_id, fresh(ticket).status) == (c.user.id, "in progress")
    assert c.form("/tickets/5/escalate", {"reason": "slow"}).status_code == 302
    response = c.form(
        "/tickets/5/fields",
        {
            "priority": "very urgent",
            "category": "incident",
            "component": str(cream.id),
            "dmsu_fields": "1",
            "broad_impact": "1",
            "workaround": "restart",
            "impact": "",
            "fixed_version": "",
        },
    )
    assert response.status_code == 302
    ticket = fresh(ticket)
    assert (ticket.priority, ticket.broad_impact, ticket.workaround) == (
        "very urgent",
        True,
        "restart",
    )
    assert c.form("/tickets/5/involve", {"unit": str(cream.support_unit_id)}).status_code == 302
    assert c.form("/tickets/5/uninvolve", {"unit": str(cream.support_unit_id)}).status_code == 302
    assert c.form("/tickets/5/deliver-fix", {"version": "1.4.3"}).status_code == 302
    assert (fresh(ticket).support_unit.name, fresh(ticket).fixed_version) == (
        "UMD release",
        "1.4.3",
    )


def test_send_back_to_tpm_without_reason_keeps_the_form(resolver_client):
    ticket = record(resolver_client, 5)
    workflow.route_to_dmsu(ticket, resolver_client.user)
    response = resolver_client.form("/tickets/5/send-back", {"reason": "  "})
    assert response.status_code == 400 and "Say why" in html(response)


# --- recording a ticket ----------------------------------------------------------------------


def test_tpm_records_a_ticket_and_routes_it_at_once(tpm_client, cream):
    response = tpm_client.form(
        "/tickets/new",
        {
            "ggus_id": "91039",
            "subject": "CREAM hangs",
            "description": "**bold**",
            "component": str(cream.id),
            "priority": "urgent",
            "category": "incident",
            "route_to_dmsu": "1",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/tickets/91039")
    ticket = Ticket.get(Ticket.ggus_id == 91039)
    assert (ticket.component_id, ticket.priority, ticket.support_unit.name) == (
        cream.id,
        "urgent",
        "DMSU",
    )


def test_recording_a_ticket_with_bad_input_keeps_what_was_typed(tpm_client):
    record(tpm_client, 7)
    response = tpm_client.form(
        "/tickets/new", {"ggus_id": "7", "subject": "Typed subject", "description": "typed body"}
    )
    assert response.status_code == 400
    page = html(response)
    assert "Ticket 7 is already recorded." in page
    assert 'value="Typed subject"' in page and "typed body</textarea>" in page
    response = tpm_client.form("/tickets/new", {"ggus_id": "abc", "subject": "x"})
    assert response.status_code == 400 and "whole number" in html(response)


# --- releases --------------------------------------------------------------------------------


def _in_umd(client, ggus_id, version):
    ticket = record(client, ggus_id, component="CREAM CE")
    workflow.route_to_dmsu(ticket, client.user)
    workflow.deliver_fix(ticket, client.user, version)
    return ticket


def test_releases_page_records_a_verified_release_and_lists_what_it_closed(assigner_client, cream):
    _in_umd(assigner_client, 1, "1.9")
    _in_umd(assigner_client, 2, "1.11")
    response = assigner_client.form(
        "/tickets/releases", {"component": str(cream.id), "version": "1.10", "status": "verified"}
    )
    assert response.status_code == 200
    page = html(response)
    assert "Recorded: CREAM CE 1.10 verified" in page
    assert 'href="/tickets/1"' in page and 'href="/tickets/2"' not in page
    assert Ticket.get(Ticket.ggus_id == 1).status == "closed"


def test_releases_page_refuses_bad_input_and_other_roles(assigner_client, resolver_client, cream):
    response = assigner_client.form(
        "/tickets/releases", {"component": str(cream.id), "version": "soon", "status": "verified"}
    )
    assert (
        response.status_code == 400
        and "not a version" in html(response)
        and 'value="soon"' in html(response)
    )
    response = resolver_client.form(
        "/tickets/releases", {"component": str(cream.id), "version": "1.0", "status": "verified"}
    )
    assert response.status_code == 403
    assert 'name="version"' not in html(resolver_client.get("/tickets/releases"))
    assert Release.select().count() == 0


def test_record_release_command(runner, make_user, cream):
    user = make_user("assigner")
    ticket = workflow.create_ticket(user, ggus_id=1, subject="s", component="CREAM CE")
    workflow.route_to_dmsu(ticket, user)
    workflow.deliver_fix(ticket, user, "2.0")
    result = runner.invoke(
        args=["dmsu", "record-release", "CREAM CE", "2.0", "--status", "verified"]
    )
    assert result.exit_code == 0, result.output
    assert "Closed 1 ticket(s): 1." in result.output
    assert fresh(ticket).status == "closed"
    bad = runner.invoke(args=["dmsu", "record-release", "Nope", "2.0"])
    assert bad.exit_code != 0 and "no component named 'Nope'" in bad.output
    assert "Traceback" not in bad.output


# --- odd input never gives a 500 ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/tickets/99999999999999999999999",
        "/tickets/?support_unit=99999999999999999999&component=%C2%B9&assignee=99999999999999",
        "/tickets/?q=99999999999999999999999",
        "/tickets/?page=99999999999999999999999",
        "/tickets/?page=-4&sort=sideways&state=maybe",
    ],
)
def test_odd_numbers_in_urls_are_not_errors(resolver_client, url):
    assert resolver_client.get(url).status_code in (200, 404)


def test_odd_form_values_get_one_sentence(assigner_client, cream):
    record(assigner_client, 5)
    huge = "99999999999999999999999"
    cases = [
        ("/tickets/new", {"ggus_id": huge, "subject": "x"}, "below 2147483648"),
        ("/tickets/new", {"ggus_id": "6", "subject": "x" * 501}, "subject is too long"),
        ("/tickets/5/involve", {"unit": huge}, "Choose a support unit"),
        ("/tickets/5/assignee", {"assignee": "¹"}, "Choose a supporter"),
        ("/tickets/5/deliver-fix", {"version": "1." * 40}, "version is too long"),
        (
            "/tickets/releases",
            {"component": huge, "version": "1", "status": "verified"},
            "Name the component",
        ),
    ]
    for url, data, message in cases:
        response = assigner_client.form(url, data)
        assert response.status_code == 400, (url, response.status_code)
        assert message in html(response), url
