"""Ticket texts through the one markdown path: length limits with one sentence (the form keeps
the text, the import names the line and field, the API answers JSON), and text from another
system that the path refuses kept as plain paragraphs instead of failing the import."""

from __future__ import annotations

import json

import pytest

from dmsu.api import tokens
from dmsu.core import markdown as render
from dmsu.core.markdown import TEXT_LIMITS
from dmsu.tickets import workflow
from dmsu.tickets.exchange.import_file import import_lines
from dmsu.tickets.models import Ticket, TicketEvent

COMMENT_LIMIT = TEXT_LIMITS["comment"]
DESCRIPTION_LIMIT = TEXT_LIMITS["description"]


def _record(**fields) -> dict:
    record = {
        "ggus_id": 91039,
        "subject": "CREAM CE: proxy renewal fails",
        "created_at": "2013-02-11T09:00:00Z",
        "events": [{"at": "2013-02-11T10:00:00Z", "type": "assigned", "support_unit": "DMSU"}],
    }
    record.update(fields)
    return record


@pytest.fixture
def ticket(app, make_user):
    admin = make_user("admin", "boss")
    created = workflow.create_ticket(admin, ggus_id=91039, subject="Jobs stuck")
    workflow.route_to_dmsu(created, admin)
    return created


def test_an_over_long_comment_is_refused_and_the_form_keeps_it(tpm_client, ticket):
    text = "x" * (COMMENT_LIMIT + 1)
    response = tpm_client.form("/tickets/91039/comment", {"text": text, "visibility": "public"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"The comment is {COMMENT_LIMIT + 1:,} characters long; at most" in page
    assert text in page  # the textarea keeps what was typed
    assert not TicketEvent.select().where(TicketEvent.kind == "comment").exists()


def test_a_comment_too_complex_to_render_is_refused_with_one_sentence(
    tpm_client, ticket, monkeypatch
):
    monkeypatch.setattr(render, "RENDER_BUDGET_SECONDS", 0.0)
    text = "[" * 5000
    response = tpm_client.form("/tickets/91039/comment", {"text": text, "visibility": "public"})
    assert response.status_code == 400
    assert "The comment could not be formatted within 0 seconds" in response.get_data(as_text=True)
    assert not TicketEvent.select().where(TicketEvent.kind == "comment").exists()


def test_an_over_long_description_is_refused_by_the_workflow(app, make_user):
    admin = make_user("admin", "boss")
    with pytest.raises(workflow.WorkflowError, match="The description is 50,001 characters"):
        workflow.create_ticket(admin, ggus_id=5, subject="x", description="d" * 50_001)
    assert Ticket.select().count() == 0


def test_the_impact_is_checked_when_written_not_when_a_digest_is_drafted(app, make_user, ticket):
    admin = make_user("admin", "chief")
    with pytest.raises(workflow.WorkflowError, match="The impact is 20,001 characters"):
        workflow.update_fields(ticket, admin, impact="i" * 20_001)


@pytest.mark.parametrize(
    ("fields", "field", "limit"),
    [
        ({"description": "d" * (DESCRIPTION_LIMIT + 1)}, "description", DESCRIPTION_LIMIT),
        ({"workaround": "w" * 20_001}, "workaround", 20_000),
        (
            {"events": [{"at": "2013-02-11T10:00:00Z", "type": "comment", "text": "c" * 20_001}]},
            "events[0].text",
            COMMENT_LIMIT,
        ),
    ],
)
def test_an_import_names_the_line_and_field_of_an_over_long_text(app, fields, field, limit):
    lines = ["", json.dumps(_record(**fields))]
    result = import_lines(lines)
    [problem] = result.problems
    assert str(problem).startswith(f"line 2, field {field}: is longer than {limit:,} characters")
    assert Ticket.select().count() == 0


def test_imported_text_the_path_refuses_is_kept_as_plain_paragraphs(app, monkeypatch):
    monkeypatch.setattr(render, "RENDER_BUDGET_SECONDS", 0.0)
    description = "[" * 3000 + " <b>bold</b>\n\nsecond *paragraph*"
    result = import_lines([json.dumps(_record(description=description))])
    assert not result.problems
    stored = Ticket.get(Ticket.ggus_id == 91039)
    assert stored.description == description
    assert stored.description_html == (
        f"<p>{'[' * 3000} &lt;b&gt;bold&lt;/b&gt;</p>\n<p>second *paragraph*</p>"
    )


def test_the_api_answers_json_naming_the_over_long_field(client, make_user):
    _, secret = tokens.create_token(make_user("admin", "root"), "GGUS bridge")
    body = _record(description="d" * (DESCRIPTION_LIMIT + 1))
    response = client.post(
        "/api/v1/tickets", json=body, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 422
    error = response.get_json()
    assert "description" in json.dumps(error)
    assert f"longer than {DESCRIPTION_LIMIT:,} characters" in json.dumps(error)
