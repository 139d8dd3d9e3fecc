"""The requirements pages: staff only, the log with filters/search/htmx/CSV, marking a ticket as
a requirement, the requirement page's actions with clear refusals, the ticket page's box."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from dmsu.core import clock
from dmsu.requirements import log, routing
from dmsu.requirements.models import Requirement, RequirementEvent
from dmsu.requirements.rt_client import RtSettings

AT = datetime(2013, 2, 11, 9, 0, tzinfo=UTC)


@pytest.fixture
def ticket(make_ticket):
    return make_ticket(
        91039,
        subject="CREAM should publish the queue length per VO",
        description="We need per-VO numbers.\n\nFor <b>ATLAS</b>.",
        component="CREAM CE",
        category="change request",
    )


@pytest.fixture
def requirement(clients, ticket):
    with clock.frozen(AT):
        return log.create_requirement(
            clients["resolver"].user,
            title="Per-VO queue length",
            description="Publish it **per VO**.",
            component="CREAM CE",
            ggus_ids=[91039],
        )


@pytest.mark.parametrize(
    "role, expected", [("anonymous", 302), ("tpm", 200), ("resolver", 200), ("admin", 200)]
)
def test_the_log_is_for_staff_only(clients, requirement, role, expected):
    for url in ("/requirements/", f"/requirements/{requirement.id}", "/requirements/export.csv"):
        response = clients[role].get(url)
        assert response.status_code == expected, url
        if expected == 302:
            assert "/login" in response.headers["Location"]


def test_only_dmsu_may_record(clients, ticket):
    assert clients["tpm"].get("/requirements/new?ticket=91039").status_code == 403
    response = clients["tpm"].form("/requirements/new", {"title": "x", "tickets": "91039"})
    assert response.status_code == 403
    assert Requirement.select().count() == 0


def test_mark_as_requirement_opens_a_prefilled_form(resolver_client, ticket):
    html = resolver_client.get("/requirements/new?ticket=91039").get_data(as_text=True)
    assert 'value="CREAM should publish the queue length per VO"' in html
    assert "From GGUS ticket #91039:" in html
    assert "&gt; We need per-VO numbers." in html
    assert "&lt;b&gt;ATLAS&lt;/b&gt;" in html  # quoted as text, escaped in the form
    assert f'<option value="{ticket.component_id}" selected>CREAM CE</option>' in html
    assert 'name="tickets" value="91039"' in html


def test_mark_as_requirement_of_a_missing_ticket_says_so(resolver_client):
    response = resolver_client.get("/requirements/new?ticket=4242")
    assert response.status_code == 400
    assert "There is no ticket 4242 in the desk" in response.get_data(as_text=True)


def test_recording_from_the_form(resolver_client, ticket):
    response = resolver_client.form(
        "/requirements/new",
        {
            "title": "Per-VO queue length",
            "description": "From #91039",
            "component": str(ticket.component_id),
            "tickets": "91039",
            "tags": "atlas",
        },
    )
    assert response.status_code == 303
    r = Requirement.get()
    assert response.headers["Location"].endswith(f"/requirements/{r.id}")
    page = resolver_client.get(f"/requirements/{r.id}").get_data(as_text=True)
    assert "Per-VO queue length" in page and 'href="/tickets/91039"' in page
    assert "Recorded from #91039." in page
    assert ">DMSU</span>" in page and ">atlas</span>" in page


def test_a_missing_ticket_keeps_the_input_and_saves_nothing(resolver_client, ticket):
    response = resolver_client.form(
        "/requirements/new",
        {"title": "Kept title", "description": "kept text", "tickets": "91039, 777777"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is no ticket 777777 in the desk" in html
    assert 'value="Kept title"' in html and "kept text" in html
    assert Requirement.select().count() == 0


def test_filters_search_and_htmx_rows(resolver_client, clients, ticket, make_ticket):
    user = clients["resolver"].user
    a = log.create_requirement(user, title="Queue length per VO", component="CREAM CE")
    b = log.create_requirement(user, title="Other", description="mentions glexec")
    routing.assess(b, user, "large")
    routing.link_rt_ticket(b, user, "55", RtSettings(url=""))
    page = resolver_client.get("/requirements/?q=GLEXEC").get_data(as_text=True)
    assert ">Other</a>" in page and "Queue length per VO" not in page
    assert 'href="/requirements/export.csv?q=GLEXEC"' in page
    rows = resolver_client.hx("get", "/requirements/?has_rt=no")
    assert rows.status_code == 200 and "<html" not in rows.get_data(as_text=True)
    assert "Queue length per VO" in rows.get_data(as_text=True)
    assert ">Other</a>" not in rows.get_data(as_text=True)
    assert "Vary" in rows.headers and "HX-Request" in rows.headers["Vary"]
    by_component = resolver_client.get(f"/requirements/?component={a.component_id}")
    assert "Queue length per VO" in by_component.get_data(as_text=True)
    in_rt = resolver_client.get("/requirements/?status=in+RT&effort=large").get_data(as_text=True)
    assert ">Other</a>" in in_rt and "Queue length per VO" not in in_rt


def test_a_bad_filter_value_is_a_clear_400(resolver_client):
    response = resolver_client.get("/requirements/?status=done")
    assert response.status_code == 400
    assert "&#39;done&#39; is not a requirement status." in response.get_data(as_text=True)


def test_csv_export_follows_the_filters(resolver_client, clients, requirement):
    user = clients["resolver"].user
    log.create_requirement(user, title="=cmd|' /C calc'!A0")
    response = resolver_client.get("/requirements/export.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["title"] for r in rows} == {"Per-VO queue length", "'=cmd|' /C calc'!A0"}
    mine = next(r for r in rows if r["id"] == str(requirement.id))
    assert mine["ggus_tickets"] == "91039" and mine["component"] == "CREAM CE"
    only = resolver_client.get("/requirements/export.csv?q=per-vo").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(only)))) == 1


def test_rt_id_that_is_not_a_number_is_refused_on_the_page(resolver_client, requirement):
    resolver_client.form(f"/requirements/{requirement.id}/assess", {"effort": "large"})
    response = resolver_client.form(f"/requirements/{requirement.id}/rt-id", {"rt_id": "12x"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "RT id must be a number" in html and 'value="12x"' in html
    fresh = Requirement.get_by_id(requirement.id)
    assert fresh.rt_id is None and fresh.status == "assessed"


def test_rt_id_by_hand_shows_the_rt_link(app_with_rt_url, requirement):
    client = app_with_rt_url
    client.form(f"/requirements/{requirement.id}/assess", {"effort": "large"})
    response = client.form(f"/requirements/{requirement.id}/rt-id", {"rt_id": "4711"})
    assert response.status_code == 303
    html = client.get(f"/requirements/{requirement.id}").get_data(as_text=True)
    assert 'href="https://rt.example.org/rt/Ticket/Display.html?id=4711"' in html
    assert "in RT" in html


@pytest.fixture
def app_with_rt_url(app, login, make_user):
    """The same app with only DMSU_RT_URL set (no credentials: RT ids are entered by hand)."""
    app.config["DMSU_RT_URL"] = "https://rt.example.org/rt"
    return login(make_user("resolver", "rosa"))


def test_the_status_form_offers_only_allowed_moves(resolver_client, requirement):
    html = resolver_client.get(f"/requirements/{requirement.id}").get_data(as_text=True)
    assert '<option value="withdrawn">' in html and '<option value="implemented">' not in html
    response = resolver_client.form(
        f"/requirements/{requirement.id}/status", {"status": "implemented"}
    )
    assert response.status_code == 422
    assert "cannot become implemented" in response.get_data(as_text=True)
    ok = resolver_client.form(
        f"/requirements/{requirement.id}/status", {"status": "withdrawn", "note": "dup"}
    )
    assert ok.status_code == 303
    assert Requirement.get_by_id(requirement.id).status == "withdrawn"


def test_the_edit_form_refuses_a_stale_save_and_keeps_the_text(
    resolver_client, assigner_client, requirement
):
    url = f"/requirements/{requirement.id}/edit"
    assert 'name="version" value="1"' in resolver_client.get(url).get_data(as_text=True)
    first = assigner_client.form(
        url, {"version": "1", "title": "Assigner's title", "description": "", "tags": ""}
    )
    assert first.status_code == 303
    late = resolver_client.form(
        url, {"version": "1", "title": "Resolver's title", "description": "mine", "tags": ""}
    )
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert "changed by someone else" in html
    assert 'value="Resolver&#39;s title"' in html and "Assigner&#39;s title" in html
    assert 'name="version" value="2"' in html
    assert Requirement.get_by_id(requirement.id).title == "Assigner's title"
    again = resolver_client.form(
        url, {"version": "2", "title": "Resolver's title", "description": "mine", "tags": ""}
    )
    assert again.status_code == 303
    assert Requirement.get_by_id(requirement.id).title == "Resolver's title"


def test_link_a_missing_ticket_on_the_page(resolver_client, requirement):
    response = resolver_client.form(
        f"/requirements/{requirement.id}/tickets", {"ggus_id": "123456"}
    )
    assert response.status_code == 422
    assert "There is no ticket 123456 in the desk" in response.get_data(as_text=True)
    assert RequirementEvent.select().count() == 1


def test_the_description_is_sanitised(resolver_client, clients):
    r = log.create_requirement(
        clients["resolver"].user,
        title="<script>alert(1)</script>",
        description="<img src=x onerror=alert(1)>",
    )
    html = resolver_client.get(f"/requirements/{r.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "onerror" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_ticket_page_box_lists_requirements_with_rt_links(app, clients, requirement, ticket):
    from flask import render_template_string
    from flask_login import login_user

    user = clients["resolver"].user
    routing.assess(requirement, user, "large")
    routing.link_rt_ticket(requirement, user, "4711", RtSettings(url=""))
    app.config["DMSU_RT_URL"] = "https://rt.example.org/rt"
    template = '{% include "requirements/_ticket_requirements.html" %}'
    with app.test_request_context("/tickets/91039"):
        login_user(user)
        html = render_template_string(template, ticket=ticket)
    assert f'href="/requirements/{requirement.id}"' in html
    assert 'href="https://rt.example.org/rt/Ticket/Display.html?id=4711"' in html
    assert 'href="/requirements/new?ticket=91039"' in html
    with app.test_request_context("/tickets/91039"):
        html = render_template_string(template, ticket=ticket)  # anonymous
    assert "Requirement" not in html


def test_the_ticket_page_includes_the_box(resolver_client, requirement):
    response = resolver_client.get("/tickets/91039")
    if response.status_code == 404:
        pytest.skip("the ticket page is not there yet")
    html = response.get_data(as_text=True)
    assert f'href="/requirements/{requirement.id}"' in html
    assert "Mark as requirement" in html


@pytest.mark.parametrize(
    "action, data",
    [
        ("assess", {"effort": "large"}),
        ("rt-id", {"rt_id": "4711"}),
        ("status", {"status": "withdrawn"}),
        ("tickets", {"ggus_id": "91039"}),
        ("edit", {"version": "1", "title": "x"}),
    ],
)
def test_tpm_may_read_but_not_change_a_requirement(tpm_client, requirement, action, data):
    response = tpm_client.form(f"/requirements/{requirement.id}/{action}", data)
    assert response.status_code == 403
    fresh = Requirement.get_by_id(requirement.id)
    assert (fresh.version, fresh.status, fresh.effort) == (1, "new", None)
    assert "Send to RT" not in tpm_client.get(f"/requirements/{requirement.id}").get_data(
        as_text=True
    )
