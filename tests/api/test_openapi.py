"""The OpenAPI document stays true: every ``/api/v1`` rule is described (and nothing else),
and what the real endpoints answer validates against the described schemas."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest

from dmsu.api import openapi, ticket_schemas, tokens
from tests.support.openapi_check import check_answer, inline_refs
from tests.support.records import history, ticket

_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = _CONVERTER.sub(r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    return found


def _described(document) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item}


def test_the_document_is_served_and_is_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    assert document == openapi.document()


def test_every_api_route_is_described_and_vice_versa(app):
    assert _routes(app) == _described(openapi.document())


def test_add_path_extends_the_document():
    before = openapi.document()
    openapi.add_path("/api/v1/example", "get", {"responses": {"200": {"description": "ok"}}})
    try:
        assert ("/api/v1/example", "get") in _described(openapi.document())
    finally:
        openapi._PATHS.pop("/api/v1/example")
    assert openapi.document() == before


@pytest.fixture
def secret(make_user):
    return tokens.create_token(make_user("admin", "root"), "schema check")[1]


def test_real_responses_match_their_schemas(client, secret):
    document = openapi.document()
    headers = {"Authorization": f"Bearer {secret}"}
    body = ticket(events=history(), component="CREAM CE", category="incident", broad_impact=True)
    check_answer(document, "/api/v1/", "get", client.get("/api/v1/"))
    created = client.post("/api/v1/tickets", json=body, headers=headers)
    check_answer(document, "/api/v1/tickets", "post", created)
    check_answer(
        document,
        "/api/v1/tickets",
        "post",
        client.post("/api/v1/tickets", json=body, headers=headers),
    )
    check_answer(
        document,
        "/api/v1/tickets",
        "post",
        client.post("/api/v1/tickets", json={}, headers=headers),
    )
    check_answer(document, "/api/v1/tickets", "post", client.post("/api/v1/tickets", json=body))
    check_answer(document, "/api/v1/tickets", "post",
           client.post("/api/v1/tickets", data="x", headers=headers))  # fmt: skip
    check_answer(document, "/api/v1/tickets/{ggus_id}", "get",
           client.get("/api/v1/tickets/91039", headers=headers))  # fmt: skip
    check_answer(document, "/api/v1/tickets/{ggus_id}", "get",
           client.get("/api/v1/tickets/1", headers=headers))  # fmt: skip


def test_the_input_schema_accepts_what_the_validator_accepts_and_export_gives(client, secret):
    document = openapi.document()
    schema = inline_refs(openapi.ref("TicketInput"), document)
    validator = jsonschema_rs.Draft202012Validator(schema)
    body = ticket(events=history(), component="CREAM CE", priority="urgent")
    assert validator.is_valid(body)
    exported = client.get("/api/v1/tickets/91039", headers={"Authorization": f"Bearer {secret}"})
    assert exported.status_code == 404
    client.post("/api/v1/tickets", json=body, headers={"Authorization": f"Bearer {secret}"})
    data = client.get(
        "/api/v1/tickets/91039", headers={"Authorization": f"Bearer {secret}"}
    ).get_json()
    for key in ("status", "support_unit", "updated_at", "url", *ticket_schemas.DOSSIER_PROPERTIES):
        data.pop(key)
    assert validator.is_valid(data)
    assert not validator.is_valid({**body, "colour": "red"})


def test_a_full_ticket_and_the_list_match_their_schemas(client, secret):
    """A ticket with every part of its dossier filled (clocks met, paused and best effort,
    ETAs with an outcome, involvements, wiki and requirement links) and the list's answers,
    errors and 304s, each validated against the document's schema for its status."""
    from dmsu.requirements.models import Requirement, RequirementTicket
    from dmsu.tickets.models import Ticket
    from dmsu.tickets.units import SupportUnit
    from dmsu.wiki.models import Page

    SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2")
    SupportUnit.create(name="StoRM", kind="third_line", sla_level="unspecified")
    events = [
        *history(),
        {"at": "2013-02-15T09:00:00Z", "type": "involved", "support_unit": "StoRM"},
        {"at": "2013-02-16T09:00:00Z", "type": "status", "status": "solved",
         "author_role": "third_line"},
        {"at": "2013-02-18T09:00:00Z", "type": "assigned", "support_unit": "StoRM"},
        {"at": "2013-02-18T10:00:00Z", "type": "status", "status": "waiting for reply"},
    ]  # fmt: skip
    headers = {"Authorization": f"Bearer {secret}"}
    body = ticket(events=events, component="CREAM CE", priority="urgent")
    assert client.post("/api/v1/tickets", json=body, headers=headers).status_code == 201
    stored = Ticket.get(Ticket.ggus_id == 91039)
    Page.create(slug="digest", title="Digest", ticket=stored)
    RequirementTicket.create(requirement=Requirement.create(title="R"), ticket=stored)
    document = openapi.document()
    one = client.get("/api/v1/tickets/91039", headers=headers)
    data = one.get_json()
    assert data["sla_clocks"] and data["etas"]["outcome"] and data["involvements"]
    assert data["links"]["wiki_pages"] and data["links"]["requirements"]
    check_answer(document, "/api/v1/tickets/{ggus_id}", "get", one)
    path = "/api/v1/tickets"
    for query in ("", "?state=open", "?unit=CREAM&per_page=1", "?status=done", "?page=9",
                  f"?page={2**64}", "?updated_since=x"):  # fmt: skip
        check_answer(document, path, "get", client.get(path + query, headers=headers))
    check_answer(document, path, "get", client.get(path))
    etag = client.get(path, headers=headers).headers["ETag"]
    again = client.get(path, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and "304" in document["paths"][path]["get"]["responses"]
