"""``GET /api/v1/components`` and ``/api/v1/components/<slug>``: the sheet as JSON, public,
with contact addresses only for staff; described in the OpenAPI document."""

from __future__ import annotations

import pytest

from dmsu import content


@pytest.fixture
def loaded(app):
    content.load_all()
    return app


def test_the_list_is_public_and_filters_like_the_page(loaded, client):
    body = client.get("/api/v1/components?q=cream").get_json()
    assert body["count"] == 1
    cream = body["components"][0]
    assert cream["name"] == "CREAM CE" and cream["slug"] == "cream-ce"
    assert cream["aliases"][:2] == ["CREAM", "cream-ce"]
    assert cream["support_unit"]["name"] == "CREAM"
    assert cream["support_unit"]["sla_level"] == "level2"
    assert [p["name"] for p in cream["partners"]] == ["INFN", "CESNET"]
    assert cream["experts"] == [{"name": "Marco Rossi"}, {"name": "Jana Novak"}]
    assert "contact" not in cream["partners"][0]
    assert cream["url"] == "/components/cream-ce"
    assert body["last_changed"]
    infn = client.get("/api/v1/components?partner=INFN").get_json()
    assert {c["name"] for c in infn["components"]} == {"CREAM CE", "StoRM", "VOMS", "ARGUS", "WMS"}


def test_logged_in_staff_get_the_email_addresses(loaded, tpm_client):
    cream = tpm_client.get("/api/v1/components/cream-ce").get_json()
    assert cream["experts"][0] == {"name": "Marco Rossi", "email": "marco.rossi@example.org"}
    assert cream["partners"][0]["contact"] == "dmsu-infn@example.org"


def test_detail_counts_open_tickets_and_unknown_is_json_404(loaded, client, make_ticket):
    make_ticket(
        91001,
        component="dCache",
        events=[{"at": "2013-02-11T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
    )
    body = client.get("/api/v1/components/dcache").get_json()
    assert body["open_tickets"] == 1 and body["deployment_size"] == 85
    missing = client.get("/api/v1/components/nope")
    assert missing.status_code == 404
    assert missing.get_json() == {"error": "There is no component 'nope'."}


def test_the_openapi_document_describes_the_component_routes(loaded, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "get" in document["paths"]["/api/v1/components"]
    assert "get" in document["paths"]["/api/v1/components/{slug}"]
    assert "Component" in document["components"]["schemas"]


def test_a_component_lists_its_package_names(loaded, client):
    """The RPM/deb names whose releases in the UMD repositories are the component's (the
    shipped sheet gives the real ones: the scan finds CREAM's releases on a fresh install)."""
    cream = client.get("/api/v1/components/cream-ce").get_json()
    assert cream["packages"] == ["glite-ce-cream", "glite-ce-cream-utils"]
    retired_or_not = client.get("/api/v1/components").get_json()["components"]
    assert all(isinstance(c["packages"], list) for c in retired_or_not)
