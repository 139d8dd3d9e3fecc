"""The operations digest (open broad-impact problems as page, markdown and text) and the shift
rota page with its iCalendar feed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from dmsu.core import clock
from dmsu.digests import rota
from dmsu.digests.models import Shift

NOW = datetime(2013, 2, 13, 12, 0, tzinfo=UTC)  # Wednesday of 2013-W07


@pytest.fixture
def problems(make_ticket):
    make_ticket(
        94001,
        subject="VOMS proxies expire early",
        description="Proxies expire after *one* hour.",
        component="VOMS",
        broad_impact=True,
        impact="Long jobs fail everywhere.",
        workaround="Renew every 30 minutes.",
        created_at="2013-01-10T09:00:00+00:00",
        events=[{"at": "2013-01-10T10:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
    )
    make_ticket(
        94002,
        subject="Closed broad problem",
        broad_impact=True,
        events=[
            {"at": "2013-01-11T10:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
            {"at": "2013-01-12T10:00:00+00:00", "type": "status", "status": "solved"},
        ],
    )
    make_ticket(
        94003,
        subject="Narrow problem",
        events=[{"at": "2013-01-11T10:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
    )


def test_operations_page_lists_open_broad_impact_problems(client, problems):
    html = client.get("/digests/operations").get_data(as_text=True)
    assert "VOMS proxies expire early" in html
    assert "<em>one</em>" in html and "Long jobs fail everywhere." in html
    assert "Renew every 30 minutes." in html and "2013-01-10" in html
    assert "VOMS" in html and "assigned, at DMSU" in html
    assert "Closed broad problem" not in html and "Narrow problem" not in html
    assert 'href="/digests/operations.md"' in html and 'href="/digests/operations.txt"' in html


def test_operations_as_markdown_and_text(client, problems):
    md = client.get("/digests/operations.md")
    assert md.mimetype == "text/markdown"
    text = md.get_data(as_text=True)
    assert "## [GGUS #94001](https://ggus.eu/?mode=ticket_info&ticket_id=94001)" in text
    assert "Proxies expire after *one* hour." in text and "**Workaround**" in text
    plain = client.get("/digests/operations.txt")
    assert plain.mimetype == "text/plain"
    body = plain.get_data(as_text=True)
    assert "GGUS #94001: VOMS proxies expire early" in body
    assert "Proxies expire after one hour." in body and "*" not in body
    assert "Closed broad problem" not in body


def test_operations_without_problems(client):
    assert "No open problems of broad impact." in client.get("/digests/operations.txt").get_data(
        as_text=True
    )


@pytest.fixture
def rota_people(make_user):
    return [make_user("assigner", name) for name in ("anna", "bert")]


def test_rota_page_shows_past_and_next_weeks(client, rota_people):
    rota.generate_rota("2013-W05", 6)
    with clock.frozen(NOW):
        html = client.get("/digests/rota").get_data(as_text=True)
    assert "2013-W03" in html and "2013-W19" in html  # 4 back, 12 ahead
    assert "2013-W02" not in html and "2013-W20" not in html
    assert 'aria-current="date"' in html and "Anna" in html and "Bert" in html
    assert 'type="text/calendar"' in html and "<select" not in html  # readers cannot edit


@pytest.mark.parametrize(("role", "status"), [("assigner", 403), ("tpm", 403), ("admin", 302)])
def test_only_admins_change_the_rota(clients, rota_people, role, status):
    response = clients[role].form("/digests/rota/2013-W07", {"user": str(rota_people[1].id)})
    assert response.status_code == status
    assert (rota.on_shift("2013-W07") is not None) == (status == 302)


def test_admin_reassigns_a_week_with_htmx(admin_client, rota_people):
    rota.generate_rota("2013-W07", 1)
    with clock.frozen(NOW):
        response = admin_client.hx("post", "/digests/rota/2013-W07", {"user": rota_people[1].id})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<tr id="rota-2013-W07"') and "saved" in html
    assert rota.on_shift("2013-W07").username == "bert"


def test_admin_generates_weeks_and_bad_input_is_one_sentence(admin_client, rota_people):
    with clock.frozen(NOW):
        ok = admin_client.form("/digests/rota/generate", {"start": "2013-W08", "weeks": "3"})
        assert ok.status_code == 302
        # the clients fixture made an assigner named "assigner" too
        assert [s.user.username for s in Shift.select().order_by(Shift.week)] == [
            "anna",
            "assigner",
            "bert",
        ]
        bad = admin_client.form("/digests/rota/generate", {"start": "2013-W53", "weeks": "3"})
        assert bad.status_code == 422
        html = bad.get_data(as_text=True)
        assert "not an ISO week" in html and 'value="2013-W53"' in html
        worse = admin_client.form("/digests/rota/generate", {"start": "2013-W09", "weeks": "x"})
        assert worse.status_code == 422 and "whole number" in worse.get_data(as_text=True)
    assert Shift.select().count() == 3


def test_rota_calendar_has_one_all_day_event_per_week(client, rota_people, make_user):
    rota.generate_rota("2013-W06", 3)
    with clock.frozen(NOW):
        first = client.get("/digests/rota.ics")
    assert first.mimetype == "text/calendar"
    calendar = Calendar.from_ical(first.data)
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert [e.decoded("dtstart") for e in events] == [
        date(2013, 2, 4),
        date(2013, 2, 11),
        date(2013, 2, 18),
    ]
    assert events[1].decoded("dtend") == date(2013, 2, 18)
    assert "Bert" in str(events[1]["summary"])
    uid = str(events[1]["uid"])
    assert uid == "dmsu-shift-2013-W07@localhost"
    admin = make_user("admin", "boss")
    rota.set_shift("2013-W07", rota_people[0], admin)
    with clock.frozen(NOW):
        again = Calendar.from_ical(client.get("/digests/rota.ics").data)
    moved = [e for e in again.walk("VEVENT") if str(e["uid"]) == uid]
    assert len(moved) == 1 and "Anna" in str(moved[0]["summary"])


def test_operations_lists_the_most_recent_first(client, problems, make_ticket):
    make_ticket(
        94004,
        subject="Newer broad problem",
        broad_impact=True,
        created_at="2013-02-01T09:00:00+00:00",
        events=[{"at": "2013-02-01T10:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
    )
    text = client.get("/digests/operations.txt").get_data(as_text=True)
    assert text.index("Newer broad problem") < text.index("VOMS proxies expire early")


def test_rota_htmx_error_comes_back_in_the_row(admin_client, rota_people, make_user):
    tom = make_user("tpm", "tom")
    with clock.frozen(NOW):
        response = admin_client.hx("post", "/digests/rota/2013-W07", {"user": tom.id})
    assert response.status_code == 200  # htmx swaps 2xx answers only
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<tr id="rota-2013-W07"')
    assert "is not an active assigner" in html and "<select" in html
    assert rota.on_shift("2013-W07") is None
