"""Wiki pages in the JSON API: the visibility rule holds for tokens, sessions and the public."""

from __future__ import annotations

import pytest

from dmsu.wiki.pages import Draft, create_page


@pytest.fixture
def pages(make_user):
    editor = make_user("resolver", "rita")
    create_page(Draft(title="Open", markdown="**open**", visibility="public", tags="cream"), editor)
    create_page(Draft(title="Closed", markdown="secret"), editor)


def test_anonymous_callers_get_public_pages_only(pages, client):
    listing = client.get("/api/v1/pages").get_json()
    assert [p["slug"] for p in listing["pages"]] == ["open"]
    assert listing["next"] is None
    page = client.get("/api/v1/pages/open").get_json()
    assert page["markdown"] == "**open**" and "<strong>open</strong>" in page["html"]
    assert page["tags"] == ["cream"] and page["visibility"] == "public"
    hidden = client.get("/api/v1/pages/closed")
    assert hidden.status_code == 404
    assert hidden.get_json() == client.get("/api/v1/pages/nothing").get_json() | {
        "error": "There is no page 'closed'."
    }


def test_tokens_and_sessions_see_internal_pages(pages, make_user, app, resolver_client):
    from dmsu.api import tokens

    admin = make_user("admin", "ada")
    _, raw = tokens.create_token(admin, "robot")
    with_token = app.test_client().get("/api/v1/pages", headers={"Authorization": f"Bearer {raw}"})
    assert [p["slug"] for p in with_token.get_json()["pages"]] == ["closed", "open"]
    assert resolver_client.get("/api/v1/pages/closed").status_code == 200


def test_a_bad_token_is_refused_not_downgraded(pages, client):
    response = client.get("/api/v1/pages", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and "error" in response.get_json()


def test_a_bad_page_number_is_a_json_error(client):
    for number in ("0", "-1", "99999999999999999999999"):
        response = client.get(f"/api/v1/pages?page={number}")
        assert response.status_code == 400 and response.get_json()["field"] == "page"


def test_the_openapi_document_describes_the_wiki_paths(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "get" in document["paths"]["/api/v1/pages"]
    assert "get" in document["paths"]["/api/v1/pages/{slug}"]
    assert "WikiPage" in document["components"]["schemas"]
