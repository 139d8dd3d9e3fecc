"""Schemathesis against the API's own OpenAPI description: whatever it generates, the API
never answers 5xx, every error is a JSON message, and answers match the document."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from dmsu.api.tokens import create_token
from dmsu.content import load_all


@pytest.fixture
def api_token(app, make_user, make_ticket):
    load_all()
    admin = make_user("admin", "fuzz-admin")
    make_ticket(
        91039,
        subject="BDII top drops entries",
        component="BDII top",
        events=[
            {"at": "2013-02-11T09:51:38+00:00", "type": "assigned", "support_unit": "DMSU"},
            {
                "at": "2013-02-12T10:00:00+00:00",
                "type": "comment",
                "text": "Looking",
                "author_role": "dmsu",
            },
        ],
    )
    _, raw = create_token(admin, "fuzzing")
    return raw


def test_api_answers_never_5xx_and_errors_are_json(app, api_token):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 3
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def answers_cleanly(case):
            for headers in ({"Authorization": f"Bearer {api_token}"}, {}):
                response = case.call(headers=headers)
                where = f"{case.method} {case.formatted_path}"
                assert response.status_code < 500, f"{where}: {response.text[:300]}"
                if response.status_code >= 400:
                    body = response.json()
                    assert isinstance(body.get("error"), str) and body["error"], (where, body)

        answers_cleanly()


def test_ticket_answers_conform_to_the_document(app, api_token):
    """Whatever schemathesis sends to the ticket operations, the status is one the document
    names and the body validates against the schema it gives for that status."""
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [
        operation
        for result in schema.get_all_operations()
        if (operation := result.ok()).path.startswith("/api/v1/tickets")
    ]
    assert {(o.method.upper(), o.path) for o in operations} == {
        ("GET", "/api/v1/tickets"),
        ("POST", "/api/v1/tickets"),
        ("GET", "/api/v1/tickets/{ggus_id}"),
    }
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def conforms(case):
            headers = {"Authorization": f"Bearer {api_token}"}
            response = case.call(headers=headers)
            case.validate_response(response, checks=checks, headers=headers)

        conforms()
