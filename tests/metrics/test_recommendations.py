"""TCB recommendations (seed 000, "Forecast based metric"): drafting, editing with validation,
the review in the following quarter, permissions and CSRF, and the report showing both."""

from __future__ import annotations

import pytest

from dmsu.metrics.models import Recommendation

GOOD = {
    "title": "Ship the CREAM proxy fix",
    "text": "Tickets about expired proxies keep coming.",
    "risk": "Jobs keep failing at many sites.",
    "improvement": "No more expired-proxy tickets.",
}


@pytest.fixture
def busy_product(app, make_ticket):
    from dmsu.cheatsheet.models import Component

    for n in range(3):
        make_ticket(
            n + 1,
            events=[
                {
                    "at": f"2012-05-0{n + 2}T09:00:00+00:00",
                    "type": "assigned",
                    "support_unit": "DMSU",
                }
            ],
            component="CREAM CE",
            category="incident",
        )
    make_ticket(
        10,
        events=[{"at": "2012-05-02T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
        broad_impact=True,
        subject="BDII top loses sites",
    )
    with app.app_context():
        Component.update(deployment_size=50).where(Component.name == "CREAM CE").execute()


def test_anonymous_readers_see_no_recommendations(client, app):
    with app.app_context():
        Recommendation.create(quarter="PQ9", title="Secret plan", risk="r", improvement="i")
    assert client.get("/metrics/recommendations/PQ9").status_code == 302
    assert "Secret plan" not in client.get("/metrics/report/PQ9").get_data(as_text=True)
    assert "Secret plan" not in client.get("/metrics/report/PQ9.md").get_data(as_text=True)


def test_drafting_proposes_the_worst_products_and_open_broad_impact_problems(
    assigner_client, busy_product, app
):
    response = assigner_client.form("/metrics/recommendations/PQ9/draft")
    assert response.status_code == 302
    with app.app_context():
        titles = [r.title for r in Recommendation.select().where(Recommendation.quarter == "PQ9")]
        item = Recommendation.get(Recommendation.title == "Reduce the tickets raised by CREAM CE")
        assert "6.0 per 100 registered instances" in item.text
        assert item.risk and item.improvement
    assert "Fix the broad-impact problem of GGUS #10" in titles
    # Drafting again adds nothing new.
    assistant = assigner_client.form("/metrics/recommendations/PQ9/draft", follow_redirects=True)
    assert "Nothing new to propose" in assistant.get_data(as_text=True)
    with app.app_context():
        assert Recommendation.select().where(Recommendation.quarter == "PQ9").count() == len(titles)


def test_adding_needs_title_risk_and_improvement_and_keeps_the_input(assigner_client, app):
    response = assigner_client.form(
        "/metrics/recommendations/PQ9", {"title": "Half a thought", "text": "kept <b>as text</b>"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Say what the risk is if the recommendation is not followed." in html
    assert 'value="Half a thought"' in html
    assert "kept &lt;b&gt;as text&lt;/b&gt;" in html
    assert assigner_client.form("/metrics/recommendations/PQ9", GOOD).status_code == 302
    with app.app_context():
        assert Recommendation.get(Recommendation.title == GOOD["title"]).quarter == "PQ9"


def test_only_assigners_and_admins_edit(tpm_client, resolver_client, app):
    for client in (tpm_client, resolver_client):
        assert client.get("/metrics/recommendations/PQ9").status_code == 200
        assert client.form("/metrics/recommendations/PQ9", GOOD).status_code == 403
        assert client.form("/metrics/recommendations/PQ9/draft").status_code == 403
    with app.app_context():
        assert Recommendation.select().count() == 0


def test_posting_without_the_csrf_token_is_refused(assigner_client, app):
    response = assigner_client.post("/metrics/recommendations/PQ9", data=GOOD)
    assert response.status_code == 400
    with app.app_context():
        assert Recommendation.select().count() == 0


def test_the_review_in_the_next_quarter_shows_with_the_report(assigner_client, app):
    assigner_client.form("/metrics/recommendations/PQ9", GOOD)
    with app.app_context():
        item = Recommendation.get()
    bad = assigner_client.form(f"/metrics/recommendations/item/{item.id}/review", {"outcome": "x"})
    assert bad.status_code == 422
    assert "Choose whether the recommendation was followed" in bad.get_data(as_text=True)
    ok = assigner_client.form(
        f"/metrics/recommendations/item/{item.id}/review",
        {"followed": "partly", "outcome": "Fixed in CREAM 1.14 only.", "version": item.version},
    )
    assert ok.status_code == 302
    assert ok.headers["Location"].endswith("/metrics/recommendations/PQ10")
    report = assigner_client.get("/metrics/report/PQ10").get_data(as_text=True)
    assert "What happened to the recommendations of PQ9" in report
    assert "Partly followed" in report and "Fixed in CREAM 1.14 only." in report
    markdown = assigner_client.get("/metrics/report/PQ10.md").get_data(as_text=True)
    assert "- Partly followed: Fixed in CREAM 1.14 only." in markdown
    plan = assigner_client.get("/metrics/report/PQ9.md").get_data(as_text=True)
    assert "  - Risk if not followed: Jobs keep failing at many sites." in plan


def test_editing_and_deleting(assigner_client, app):
    assigner_client.form("/metrics/recommendations/PQ9", GOOD)
    with app.app_context():
        item = Recommendation.get()
    page = assigner_client.get(f"/metrics/recommendations/item/{item.id}/edit")
    assert GOOD["risk"] in page.get_data(as_text=True)
    assert f'name="version" value="{item.version}"' in page.get_data(as_text=True)
    assigner_client.form(
        f"/metrics/recommendations/item/{item.id}/edit",
        {**GOOD, "title": "Renamed", "version": item.version},
    )
    with app.app_context():
        assert Recommendation.get_by_id(item.id).title == "Renamed"
    assigner_client.form(f"/metrics/recommendations/item/{item.id}/delete")
    with app.app_context():
        assert Recommendation.select().count() == 0
    assert assigner_client.get("/metrics/recommendations/item/999/edit").status_code == 404
    assert assigner_client.get("/metrics/recommendations/PQx").status_code == 404


def test_a_stale_edit_is_refused_with_the_text_kept(assigner_client, admin_client, app):
    assigner_client.form("/metrics/recommendations/PQ9", GOOD)
    with app.app_context():
        item = Recommendation.get()
    url = f"/metrics/recommendations/item/{item.id}/edit"
    first = admin_client.form(url, {**GOOD, "title": "Their title", "version": item.version})
    assert first.status_code == 302
    late = assigner_client.form(url, {**GOOD, "title": "My title", "version": item.version})
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert "Someone else saved this recommendation" in html and 'value="My title"' in html
    assert Recommendation.get_by_id(item.id).title == "Their title"
    current = html.split('name="version" value="')[1].split('"')[0]
    again = assigner_client.form(url, {**GOOD, "title": "My title", "version": current})
    assert again.status_code == 302
    assert Recommendation.get_by_id(item.id).title == "My title"


def test_the_recommendations_page_explains_itself_and_quotes_the_plan(tpm_client, app):
    html = tpm_client.get("/metrics/recommendations/PQ9").get_data(as_text=True)
    assert "Seed:" not in html
    assert "each recommendation says what is risked if it is not followed" in html
    assert "<cite>From the DMSU plan</cite>" in html
