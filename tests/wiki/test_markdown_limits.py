"""Wiki pages through the bounded markdown path: a text the path refuses gets one sentence on
the form (save and preview, with and without htmx) and nothing is stored."""

from __future__ import annotations

import pytest

from dmsu.core import markdown as render
from dmsu.core.markdown import TEXT_LIMITS
from dmsu.wiki.models import Page

PATHOLOGICAL = "[" * 5000


@pytest.fixture
def slow_renders(monkeypatch):
    """A budget nothing fits in: every render is refused as too complex."""
    monkeypatch.setattr(render, "RENDER_BUDGET_SECONDS", 0.0)


def _draft(markdown: str, **extra) -> dict:
    return {"title": "Bracket storm", "markdown": markdown, "visibility": "public", **extra}


def test_a_page_too_complex_to_render_is_refused_and_the_form_keeps_it(
    resolver_client, slow_renders
):
    response = resolver_client.form("/wiki/new", _draft(PATHOLOGICAL))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The wiki page could not be formatted within 0 seconds" in page
    assert PATHOLOGICAL in page
    assert Page.select().count() == 0


def test_an_over_long_page_is_refused_with_its_limit(resolver_client):
    limit = TEXT_LIMITS["wiki page"]
    response = resolver_client.form("/wiki/new", _draft("a" * (limit + 1)))
    assert response.status_code == 400
    assert f"longer than {limit:,} characters" in response.get_data(as_text=True)
    assert Page.select().count() == 0


def test_the_preview_says_why_it_cannot_show_a_text(resolver_client, slow_renders):
    live = resolver_client.hx("post", "/wiki/preview", _draft(PATHOLOGICAL))
    assert live.status_code == 200  # htmx swaps the sentence in
    assert "could not be formatted" in live.get_data(as_text=True)
    plain = resolver_client.form("/wiki/preview", _draft(PATHOLOGICAL))
    assert plain.status_code == 400
    assert "could not be formatted" in plain.get_data(as_text=True)
    button = resolver_client.form("/wiki/new", _draft(PATHOLOGICAL, action="preview"))
    assert button.status_code == 400
    assert "could not be formatted" in button.get_data(as_text=True)
