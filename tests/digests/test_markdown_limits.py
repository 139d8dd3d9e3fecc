"""Weekly digests through the bounded markdown path: what the shift types is refused with one
sentence (save and preview); what is drafted from tickets is kept as plain paragraphs."""

from __future__ import annotations

import pytest

from dmsu.core import markdown as render
from dmsu.digests.drafting import draft_digest, entries_of
from dmsu.digests.models import Digest
from tests.support.digests_history import WEEK, make_week

EDIT = f"/digests/{WEEK}/edit"
PATHOLOGICAL = "[" * 5000


@pytest.fixture
def draft(make_ticket):
    make_week(make_ticket)
    return draft_digest(WEEK).digest


def test_an_intro_too_complex_to_render_is_refused(assigner_client, draft, monkeypatch):
    monkeypatch.setattr(render, "RENDER_BUDGET_SECONDS", 0.0)
    form = {"version": str(draft.version), "intro": PATHOLOGICAL}
    response = assigner_client.form(EDIT, form)
    assert response.status_code == 422
    assert "The digest text could not be formatted" in response.get_data(as_text=True)
    assert Digest.get_by_id(draft.id).version == draft.version
    preview = assigner_client.hx("post", f"/digests/{WEEK}/preview", form)
    assert preview.status_code == 200
    assert "could not be formatted" in preview.get_data(as_text=True)
    button = assigner_client.form(EDIT, {**form, "action": "preview"})
    assert button.status_code == 422
    assert "could not be formatted" in button.get_data(as_text=True)


def test_text_drafted_from_a_ticket_is_kept_as_plain_paragraphs(make_ticket, monkeypatch):
    make_week(make_ticket)
    monkeypatch.setattr(render, "RENDER_BUDGET_SECONDS", 0.0)
    entries = entries_of(draft_digest(WEEK).digest)
    assert entries and all(e.html.startswith("<h4>Symptoms</h4>\n<p>") for e in entries)
