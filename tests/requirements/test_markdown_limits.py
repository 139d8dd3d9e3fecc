"""Requirements through the bounded markdown path: one sentence, the form keeps the text."""

from __future__ import annotations

from dmsu.core import markdown as render
from dmsu.requirements.models import Requirement


def test_a_description_too_complex_to_render_is_refused(resolver_client, make_ticket, monkeypatch):
    make_ticket(91039, subject="CREAM: per-VO queue length")
    monkeypatch.setattr(render, "RENDER_BUDGET_SECONDS", 0.0)
    description = "[" * 5000
    response = resolver_client.form(
        "/requirements/new",
        {"title": "Per-VO queue length", "tickets": "91039", "description": description},
    )
    page = response.get_data(as_text=True)
    assert response.status_code in (400, 422)
    assert "The requirement could not be formatted within 0 seconds" in page
    assert description in page
    assert Requirement.select().count() == 0
