"""``GET /api/v1/tickets/<id>``: every SLA clock with its pauses, the ETAs and their history,
status and assignment history, involvements and links, read as the token's owner may read
them; a strong ETag answering 304; ids beyond what a ticket can have are a 404, never a 500.

The tickets go in through ``POST /api/v1/tickets`` (the import path), so the stored SLA clock
rows the importer works out are there to hold the API's clocks against."""

from __future__ import annotations

from datetime import datetime

import pytest

from dmsu.api import tokens
from dmsu.api.ticket_links import links_of
from dmsu.core.calendar import severity_of
from dmsu.requirements.models import Requirement, RequirementTicket
from dmsu.tickets.models import SlaClock, Ticket
from dmsu.tickets.units import SupportUnit
from dmsu.wiki.models import Page, PageLink
from tests.support.records import ticket

STORY = [
    {"at": "2013-02-11T09:52:00Z", "type": "assigned", "support_unit": "TPM"},
    {"at": "2013-02-11T10:00:00Z", "type": "assigned", "support_unit": "DMSU"},
    {"at": "2013-02-11T11:00:00Z", "type": "comment", "author_role": "dmsu", "public": False,
     "text": "Diary: reproduced."},
    {"at": "2013-02-11T12:00:00Z", "type": "assigned", "support_unit": "CREAM"},
    {"at": "2013-02-12T09:00:00Z", "type": "status", "status": "waiting for reply",
     "author_role": "dmsu"},
    {"at": "2013-02-13T09:00:00Z", "type": "status", "status": "in progress",
     "author_role": "submitter"},
    {"at": "2013-02-13T10:00:00Z", "type": "eta", "due": "2013-03-01", "author_role": "dmsu",
     "public": False, "text": "First guess of the team."},
    {"at": "2013-02-14T10:00:00Z", "type": "comment", "author_role": "third_line",
     "public": True, "text": "Looking at it."},
    {"at": "2013-02-15T10:00:00Z", "type": "eta", "due": "2013-03-08", "author_role": "dmsu"},
    {"at": "2013-02-15T11:00:00Z", "type": "involved", "support_unit": "dCache"},
]  # fmt: skip


@pytest.fixture
def admin_token(make_user):
    return tokens.create_token(make_user("admin", "root"), "bridge")[1]


@pytest.fixture
def post(client, admin_token):
    for name, level in (("CREAM", "level2"), ("dCache", "level1")):
        if not SupportUnit.select().where(SupportUnit.name == name).exists():
            SupportUnit.create(name=name, kind="third_line", sla_level=level)

    def send(ggus_id, events, **fields):
        body = ticket(ggus_id, events=events, priority="urgent", **fields)
        response = client.post("/api/v1/tickets", json=body, headers=bearer(admin_token))
        assert response.status_code == 201, response.get_json()
        return Ticket.get(Ticket.ggus_id == ggus_id)

    return send


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def get(client, secret, ggus_id, **headers):
    return client.get(f"/api/v1/tickets/{ggus_id}", headers={**bearer(secret), **headers})


def at(text):
    return datetime.fromisoformat(text)


def test_a_met_clock_has_its_unit_level_severity_pause_deadline_and_stop(client, admin_token, post):
    stored = post(91039, STORY)
    clocks = get(client, admin_token, 91039).get_json()["sla_clocks"]
    assert len(clocks) == 1
    clock = clocks[0]
    row = SlaClock.get(SlaClock.ticket == stored.id)  # the importer's own reading
    assert (clock["support_unit"], clock["sla_level"], clock["severity"]) == (
        "CREAM", "level2", severity_of("urgent"),
    )  # fmt: skip
    assert clock["state"] == "met" == row.outcome
    assert clock["stopped_by"] == "response"
    assert at(clock["started_at"]) == at("2013-02-11T12:00:00+00:00") == row.started_at
    assert at(clock["stopped_at"]) == at("2013-02-14T10:00:00+00:00") == row.stop_at
    assert at(clock["due_at"]) == row.due_at
    assert clock["response_hours"] == row.hours
    assert clock["pauses"] == [
        {"from": "2013-02-12T09:00:00+00:00", "until": "2013-02-13T09:00:00+00:00"}
    ]


def test_running_paused_violated_and_best_effort_clocks(client, admin_token, post):
    SupportUnit.create(name="StoRM", kind="third_line", sla_level="unspecified")
    post(91040, [{"at": "2013-03-01T10:00:00Z", "type": "assigned", "support_unit": "CREAM"},
                 {"at": "2013-03-01T11:00:00Z", "type": "status",
                  "status": "waiting for reply", "author_role": "dmsu"}])  # fmt: skip
    post(91041, [{"at": "2013-03-01T10:00:00Z", "type": "assigned", "support_unit": "CREAM"},
                 {"at": "2013-03-04T10:00:00Z", "type": "assigned", "support_unit": "StoRM"}])  # fmt: skip
    paused = get(client, admin_token, 91040).get_json()["sla_clocks"][0]
    assert paused["state"] == "paused" and paused["due_at"] is None
    assert paused["pauses"] == [{"from": "2013-03-01T11:00:00+00:00", "until": None}]
    assert paused["stopped_at"] is None and paused["stopped_by"] is None
    left, best = get(client, admin_token, 91041).get_json()["sla_clocks"]
    assert (left["support_unit"], left["stopped_by"]) == ("CREAM", "end")
    assert left["state"] == "withdrawn"  # level 2, severity 3: five working days, left in one
    assert best["state"] == "best_effort" and best["response_hours"] is None
    assert best["due_at"] is None


def test_an_unanswered_clock_past_its_deadline_is_violated(client, admin_token, post):
    post(91042, [{"at": "2013-03-01T10:00:00Z", "type": "assigned", "support_unit": "CREAM"}])
    clock = get(client, admin_token, 91042).get_json()["sla_clocks"][0]
    assert clock["state"] == "violated" and clock["stopped_at"] is None
    assert at(clock["due_at"]) < datetime.now().astimezone()


def test_etas_their_history_status_assignments_and_involvements(client, admin_token, post):
    post(91039, STORY)
    data = get(client, admin_token, 91039).get_json()
    etas = data["etas"]
    assert (etas["due"], etas["first_due"], etas["outcome"]) == ("2013-03-08", "2013-03-01", None)
    assert [(e["due"], e["support_unit"], e["current"]) for e in etas["history"]] == [
        ("2013-03-01", "CREAM", False),
        ("2013-03-08", "CREAM", True),
    ]
    assert etas["history"][0]["text"] == "First guess of the team."  # staff read internal text
    assert [(s["status"], s["author_role"]) for s in data["status_history"]] == [
        ("waiting for reply", "dmsu"),
        ("in progress", "submitter"),
    ]
    assert [(a["support_unit"], a["from_unit"]) for a in data["assignments"]] == [
        ("TPM", None), ("DMSU", "TPM"), ("CREAM", "DMSU"),
    ]  # fmt: skip
    assert data["involvements"] == [
        {"support_unit": "dCache", "kind": "third_line", "since": "2013-02-15T11:00:00+00:00"}
    ]
    assert any(e["type"] == "comment" and e["public"] is False for e in data["events"])


def test_a_new_assignment_leaves_no_current_eta(client, admin_token, post):
    post(91039, [*STORY, {"at": "2013-02-18T09:00:00Z", "type": "assigned",
                          "support_unit": "dCache"}])  # fmt: skip
    etas = get(client, admin_token, 91039).get_json()["etas"]
    assert etas["due"] is None and not any(e["current"] for e in etas["history"])


def test_links_name_digests_mentions_and_requirements_by_the_visibility_rule(
    client, admin_token, post, make_user
):
    stored = post(91039, STORY)
    Page.create(slug="cream-digest", title="CREAM digest", ticket=stored, visibility="internal")
    public = Page.create(slug="cream-known", title="CREAM known issue", visibility="public")
    PageLink.create(page=public, ggus_id=91039)
    Page.create(slug="unrelated", title="Unrelated", visibility="public")
    came = Requirement.create(title="Configurable timeout")
    RequirementTicket.create(requirement=came, ticket=stored)
    Requirement.create(title="Sent on", third_line_ticket=stored)
    links = get(client, admin_token, 91039).get_json()["links"]
    assert {(p["slug"], p["solution_digest"]) for p in links["wiki_pages"]} == {
        ("cream-digest", True), ("cream-known", False),
    }  # fmt: skip
    assert [(r["title"], r["third_line_ticket"]) for r in links["requirements"]] == [
        ("Configurable timeout", False), ("Sent on", True),
    ]  # fmt: skip
    assert links["wiki_pages"][0]["url"].startswith("/wiki/")
    # the same reading for someone outside staff: only the public page, no requirement
    from flask_login import AnonymousUserMixin

    with client.application.test_request_context():
        outside = links_of(stored, AnonymousUserMixin())
    assert [p["slug"] for p in outside["wiki_pages"]] == ["cream-known"]
    assert outside["requirements"] == []


def test_links_name_the_forum_threads_of_the_ticket_for_staff_only(client, admin_token, post):
    from flask_login import AnonymousUserMixin

    from dmsu.forums.models import ForumList, ForumThread, ForumThreadTicket

    stored = post(91039, STORY)
    rollout = ForumList.create(address="lcg-rollout@jiscmail.ac.uk")
    asked = ForumThread.create(forum_list=rollout, subject="CREAM proxy renewal fails")
    ForumThreadTicket.create(thread=asked, ticket=stored, spawned=1)
    other = ForumThread.create(forum_list=rollout, subject="Unrelated")
    assert other.id != asked.id
    threads = get(client, admin_token, 91039).get_json()["links"]["forum_threads"]
    assert [(t["id"], t["list"], t["spawned_this_ticket"]) for t in threads] == [
        (asked.id, "lcg-rollout@jiscmail.ac.uk", True)
    ]
    assert threads[0]["url"] == f"/forums/threads/{asked.id}"
    with client.application.test_request_context():
        assert links_of(stored, AnonymousUserMixin())["forum_threads"] == []


def test_internal_texts_are_kept_from_a_reader_who_may_not_see_them(app, post):
    from flask_login import AnonymousUserMixin

    from dmsu.core import clock
    from dmsu.core.calendar import BusinessCalendar
    from dmsu.tickets.dossier import dossier_of

    stored = post(91039, STORY)
    found = dossier_of(stored, AnonymousUserMixin(), BusinessCalendar(), clock.now())
    assert found.etas["history"][0]["text"] is None
    assert found.etas["history"][1]["text"] == ""  # a public ETA without text


def test_the_eta_outcome_once_the_team_solved_it(client, admin_token, post):
    post(91039, [*STORY, {"at": "2013-02-20T09:00:00Z", "type": "status", "status": "solved",
                          "author_role": "third_line"}])  # fmt: skip
    etas = get(client, admin_token, 91039).get_json()["etas"]
    assert etas["outcome"] == {
        "fixed_at": "2013-02-20T09:00:00+00:00",
        "initial_due": "2013-03-01",
        "final_due": "2013-03-08",
        "fixed_in_unit": "CREAM",
    }


def test_the_etag_answers_304_and_moves_with_a_change(client, admin_token, post):
    post(91039, STORY[:4])
    first = get(client, admin_token, 91039)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Cache-Control"] == "private, no-cache"
    assert "Authorization" in first.headers["Vary"]
    again = get(client, admin_token, 91039, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert get(client, admin_token, 91039, **{"If-None-Match": f"W/{etag}"}).status_code == 304
    body = ticket(91039, events=STORY, priority="urgent")
    client.post("/api/v1/tickets", json=body, headers=bearer(admin_token))
    changed = get(client, admin_token, 91039, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


@pytest.mark.parametrize(
    "ggus_id", [0, 2**31, 2**63 - 1, 2**63, 2**64, 10**40, "99999999999999999999999999"]
)
def test_ids_no_ticket_can_have_are_a_404_in_one_sentence(client, admin_token, ggus_id):
    response = get(client, admin_token, ggus_id)
    assert response.status_code == 404
    assert response.get_json()["error"].endswith(".")


def test_a_reader_tokens_answer_is_the_same_as_an_admins(client, admin_token, post, make_user):
    post(91039, STORY)
    _, reader = tokens.create_token(make_user("admin", "boss"), "r", make_user("tpm", "tpm-bot"))
    assert get(client, reader, 91039).get_json() == get(client, admin_token, 91039).get_json()


def test_a_tickets_queries_do_not_grow_with_its_history(client, admin_token, post):
    from tests.support.queries import QueryCounter

    def statements(ggus_id):
        get(client, admin_token, ggus_id)  # warm
        with QueryCounter() as counter:
            assert get(client, admin_token, ggus_id).status_code == 200
        return len(counter)

    post(91039, STORY)
    long = [*STORY]
    for day in range(18, 28):
        long += [
            {"at": f"2013-02-{day}T09:00:00Z", "type": "assigned", "support_unit": "dCache"},
            {"at": f"2013-02-{day}T10:00:00Z", "type": "eta", "due": "2013-04-01"},
            {"at": f"2013-02-{day}T11:00:00Z", "type": "status", "status": "in progress"},
            {"at": f"2013-02-{day}T12:00:00Z", "type": "assigned", "support_unit": "CREAM"},
        ]
    post(91040, long)
    assert len(get(client, admin_token, 91040).get_json()["sla_clocks"]) == 21
    assert statements(91040) == statements(91039)
