"""Odd input gets one clear answer, never a 500 (hardening round 2: each of these answered
500 or a traceback on main, several to anonymous readers), fixed where the input enters:

- a metrics period that begins before the project did (the quarter split had no quarter);
- ids beyond what a row id can be in any ``<int:...>`` route (the route converter), and page
  numbers beyond 64 bits in any list (``dmsu.core.paging``: the sweep answered 500);
- a newline in the login's ``next`` (it became a redirect header);
- an event whose ``data`` is plain text (every page showing the event read it as JSON);
- JSON bodies with an escaped lone surrogate or nested a hundred thousand levels deep;
- an over-long support unit name in an imported ticket (PostgreSQL refused the new unit);
- a NUL byte in a cheat-sheet CSV (PostgreSQL refused it; SQLite stored it in a name);
- an escaped lone surrogate in a line of an import file (import-tickets ended in a traceback).
"""

from __future__ import annotations

import json

import pytest

from dmsu.api import tokens
from dmsu.cheatsheet.models import Component
from dmsu.tickets.models import Ticket, TicketEvent
from dmsu.tickets.units import SupportUnit

EARLY_PERIODS = ("2001", "2001-Q1", "1999-01", "2009-W01", "1990-01-01..1990-02-01", "2009")


@pytest.mark.parametrize("period", EARLY_PERIODS)
def test_a_period_before_the_project_is_answered_not_a_500(client, period):
    for url in (f"/metrics/?period={period}", f"/metrics/sla?period={period}"):
        response = client.get(url)
        assert response.status_code < 500, url


def test_a_period_reaching_back_before_the_project_splits_into_a_piece_before_pq1(runner):
    result = runner.invoke(args=["dmsu", "metrics", "--period", "2009-01-01..2011-01-01"])
    assert result.exit_code == 0, result.output
    assert "before PQ1" in result.output


@pytest.mark.parametrize(
    "url",
    [
        "/tickets/99999999999999999999999",
        "/tickets/2147483648",
        "/requirements/99999999999999999999999",
        "/digests/9999999999999999999999",
    ],
)
@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_ids_beyond_a_row_id_are_not_found(clients, role, url):
    response = clients[role].get(url)
    assert response.status_code in (302, 404), (role, url, response.status_code)


HUGE = "99999999999999999999999"
LISTS = (
    "/tickets/?page={}", "/sweep?group=needs-reaction&page={}", "/admin/outbox?page={}",
    "/wiki/changes?page={}", "/wiki/search?q=proxy&page={}", "/cheatsheet/history?page={}",
    "/requirements/?page={}", "/forums/?page={}", "/search?q=proxy&page={}",
)  # fmt: skip


@pytest.mark.parametrize("page", [HUGE, "1" + "0" * 5000, "-7", "2.5", ""])
@pytest.mark.parametrize("url", LISTS)
def test_a_page_number_beyond_any_list_is_answered_not_a_500(clients, url, page):
    response = clients["admin"].get(url.format(page))
    assert response.status_code in (200, 400), (url, page, response.status_code)


@pytest.mark.parametrize("target", ["/x%0d%0aSet-Cookie:a=b", "%0a/evil", "/tickets%0a"])
def test_a_control_character_in_next_sends_a_logged_in_user_home(clients, target):
    response = clients["admin"].get(f"/login?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_an_event_with_plain_text_data_does_not_break_the_ticket_page(clients, make_ticket):
    ticket = make_ticket(
        91050,
        events=[{"at": "2013-02-11T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
    )
    for data in ("plain text", "[1, 2]", "{not json"):
        TicketEvent.create(
            ticket=ticket, at=ticket.created_at, kind="field", actor_role="system", data=data
        )
    assert TicketEvent.select().where(TicketEvent.data == "plain text").get().change == {}
    assert clients["admin"].get("/tickets/91050").status_code == 200


@pytest.fixture
def bearer(make_user):
    _, secret = tokens.create_token(make_user("admin", "root"), "bridge")
    return {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}


def ticket_text(**extra) -> str:
    body = {"ggus_id": 91039, "subject": "S", "created_at": "2013-02-11T09:00:00+00:00",
            "events": [], **extra}  # fmt: skip
    return json.dumps(body)


def test_a_lone_surrogate_in_api_json_is_refused(client, bearer):
    text = ticket_text(subject="PLACEHOLDER").replace("PLACEHOLDER", "Jobs \\ud800 stuck")
    response = client.post("/api/v1/tickets", data=text, headers=bearer)
    assert response.status_code == 400
    assert "lone surrogate" in response.get_json()["error"]
    assert response.get_json()["field"] == "subject"
    assert Ticket.select().count() == 0


def test_a_lone_surrogate_in_an_import_file_names_the_line_and_field(runner, tmp_path):
    event = {"at": "2013-02-11T09:00:00+00:00", "type": "comment", "text": "PLACEHOLDER"}
    good = ticket_text(subject="Jobs stuck \U0001f600")  # json.dumps escapes it as a pair
    bad = ticket_text(ggus_id=91040, events=[event]).replace("PLACEHOLDER", "tail \\udc80 here")
    path = tmp_path / "tickets.jsonl"
    path.write_text(good + "\n" + bad + "\n", encoding="utf-8")
    result = runner.invoke(args=["dmsu", "import-tickets", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert "line 2, field events[0].text: holds text that is not Unicode" in result.output
    assert Ticket.select().count() == 0
    skipped = runner.invoke(args=["dmsu", "import-tickets", "--skip-invalid", str(path)])
    assert skipped.exit_code == 0, skipped.output
    assert [t.subject for t in Ticket.select()] == ["Jobs stuck \U0001f600"]


def test_deeply_nested_api_json_is_refused(client, bearer):
    text = ticket_text()[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post("/api/v1/tickets", data=text, headers=bearer)
    assert response.status_code == 400
    assert "nests deeper" in response.get_json()["error"]
    shallow = ticket_text()[:-1] + ', "x": ' + "[" * 70 + "]" * 70 + "}"
    assert client.post("/api/v1/tickets", data=shallow, headers=bearer).status_code == 400


def test_an_over_long_unit_name_is_a_field_error(client, bearer):
    event = {"at": "2013-02-11T09:00:00+00:00", "type": "assigned", "support_unit": "U" * 300}
    response = client.post("/api/v1/tickets", data=ticket_text(events=[event]), headers=bearer)
    assert response.status_code == 422
    assert response.get_json()["field"] == "events[0].support_unit"
    assert not SupportUnit.select().where(SupportUnit.name == "U" * 300).exists()


def test_a_nul_in_a_cheat_sheet_csv_names_the_line_and_column(runner, tmp_path):
    SupportUnit.create(name="CREAM", kind="third_line")
    path = tmp_path / "sheet.csv"
    runner.invoke(args=["dmsu", "export-cheatsheet", str(path)])
    lines = path.read_text().splitlines()
    lines.append("CREAM\x00 CE,cream,Compute element,CREAM,,,,https://example.org,")
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(args=["dmsu", "import-cheatsheet", str(path)])
    assert result.exit_code == 1
    assert "line 2, column component: holds a NUL character (0x00)" in result.output
    assert Component.select().count() == 0
