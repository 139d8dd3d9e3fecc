"""The access-control matrix: every route of ``app.url_map`` x method x viewer, one table.

Outcome classes (one token per viewer: anonymous, tpm, resolver, assigner, admin):

- ``ok``: 2xx; ``redirect``: 3xx to somewhere other than the login page (a POST that worked);
- ``login``: 302 to /login; ``forbidden``: 403; ``notfound``: 404 (also for internal things
  a reader must not learn exist); ``bad``: 400/409/422 (a form posted with empty data);
- ``unauth``: 401 (the API without a token).

GETs are asked with no query string; POSTs send an empty form WITH the CSRF token, so the
answer shows who may reach the form handler. A route added to the site without a row here
fails :func:`test_every_route_is_classified`. GET never changes state, and a POST without a
CSRF token is refused with 400 for every viewer who is logged in.
"""

from __future__ import annotations

import os
import re

import pytest

from dmsu.models import ALL_MODELS
from tests.support import world as site_world

VIEWERS = ("anonymous", "tpm", "resolver", "assigner", "admin")
ALL = "ok ok ok ok ok"
STAFF = "login ok ok ok ok"
DMSU_ONLY = "login forbidden ok ok ok"
ASSIGNERS = "login forbidden forbidden ok ok"
ADMINS = "login forbidden forbidden forbidden ok"

# (endpoint, method, url, "anonymous tpm resolver assigner admin"[, form data])
MATRIX: list[tuple] = [
    # --- home, auth, admin -------------------------------------------------------------------
    ("home.index", "GET", "/", ALL),
    ("home.favicon", "GET", "/favicon.ico", ALL),
    ("home.healthz", "GET", "/healthz", ALL),
    ("static", "GET", "/static/css/site.css", ALL),
    ("auth.login", "GET", "/login", "ok redirect redirect redirect redirect"),
    ("auth.login", "POST", "/login", "unauth unauth unauth unauth unauth"),
    ("auth.logout", "POST", "/logout", "redirect redirect redirect redirect redirect"),
    ("auth.users", "GET", "/admin/users", ADMINS),
    ("auth.users", "POST", "/admin/users", "login forbidden forbidden forbidden bad"),
    (
        "auth.update_user",
        "POST",
        "/admin/users/{user_id}",
        "login forbidden forbidden forbidden redirect",
    ),
    ("auth.password", "GET", "/account/password", STAFF),
    ("auth.password", "POST", "/account/password", "login bad bad bad bad"),
    (
        "auth.reset_password",
        "POST",
        "/admin/users/{user_id}/password",
        "login forbidden forbidden forbidden redirect",
    ),
    ("api_admin.api_tokens", "GET", "/admin/api-tokens", ADMINS),
    (
        "api_admin.api_tokens",
        "POST",
        "/admin/api-tokens",
        "login forbidden forbidden forbidden bad",
    ),
    (
        "api_admin.revoke",
        "POST",
        "/admin/api-tokens/{token_id}/revoke",
        "login forbidden forbidden forbidden redirect",
    ),
    ("sweep.outbox", "GET", "/admin/outbox", ADMINS),
    # --- helpdesk (issue 20): Zammad's webhook (signed, no session; idle here) and admin pages
    ("helpdesk.receive_webhook", "POST", "/helpdesk/webhook", "503"),
    ("helpdesk.admin", "GET", "/helpdesk/", ADMINS),
    ("helpdesk.mapping", "GET", "/helpdesk/mapping", ADMINS),
    ("helpdesk.mapping", "POST", "/helpdesk/mapping", "login forbidden forbidden forbidden bad"),
    ("helpdesk.run", "POST", "/helpdesk/run", "login forbidden forbidden forbidden bad"),
    (
        "helpdesk.resolve_review",
        "POST",
        "/helpdesk/reviews/0/resolve",
        "login forbidden forbidden forbidden notfound",
    ),
    (
        "helpdesk.resolve_conflict",
        "POST",
        "/helpdesk/conflicts/0/resolve",
        "login forbidden notfound notfound notfound",
    ),
    # --- API -------------------------------------------------------------------------------
    ("api.index", "GET", "/api/v1/", ALL),
    ("api.openapi_document", "GET", "/api/v1/openapi.json", ALL),
    ("api.components_index", "GET", "/api/v1/components", ALL),
    ("api.components_detail", "GET", "/api/v1/components/{component_slug}", ALL),
    ("api.list_pages", "GET", "/api/v1/pages", ALL),
    ("api.get_page", "GET", "/api/v1/pages/{public_slug}", ALL),
    ("api.search", "GET", "/api/v1/search?q=anything", ALL),
    ("api.get_page", "GET", "/api/v1/pages/{internal_slug}", "notfound ok ok ok ok"),
    ("api.post_ticket", "POST", "/api/v1/tickets", "unauth unauth unauth unauth unauth"),
    ("api.get_ticket", "GET", "/api/v1/tickets/{ggus_id}", "unauth unauth unauth unauth unauth"),
    ("api.list_tickets", "GET", "/api/v1/tickets", "unauth unauth unauth unauth unauth"),
    # --- cheat sheet -------------------------------------------------------------------------
    ("cheatsheet.index", "GET", "/cheatsheet/", ALL),
    ("cheatsheet.export_csv", "GET", "/cheatsheet.csv", ALL),
    ("cheatsheet.history_page", "GET", "/cheatsheet/history", STAFF),
    (
        "cheatsheet.revert",
        "POST",
        "/cheatsheet/history/{change_id}/revert",
        "login forbidden forbidden redirect redirect",
    ),
    ("cheatsheet.new", "GET", "/cheatsheet/new", ASSIGNERS),
    ("cheatsheet.new", "POST", "/cheatsheet/new", "login forbidden forbidden bad bad"),
    (
        "cheatsheet.cancel_new",
        "GET",
        "/cheatsheet/new/cancel",
        "redirect redirect redirect redirect redirect",
    ),
    ("cheatsheet.route", "GET", "/cheatsheet/route", STAFF),
    ("cheatsheet.route", "POST", "/cheatsheet/route", "login bad bad bad bad"),
    ("cheatsheet.component", "GET", "/components/{component_slug}", ALL),
    ("cheatsheet.edit", "GET", "/components/{component_slug}/edit", ASSIGNERS),
    (
        "cheatsheet.edit",
        "POST",
        "/components/{component_slug}/edit",
        "login forbidden forbidden bad bad",
    ),
    ("cheatsheet.component_history", "GET", "/components/{component_slug}/history", STAFF),
    (
        "cheatsheet.restore",
        "POST",
        "/components/{component_slug}/restore",
        "login forbidden forbidden redirect redirect",
    ),
    (
        "cheatsheet.retire",
        "POST",
        "/components/{component_slug}/retire",
        "login forbidden forbidden redirect redirect",
    ),
    ("cheatsheet.row", "GET", "/components/{component_slug}/row", ALL),
    # --- digests -----------------------------------------------------------------------------
    ("digests.index", "GET", "/digests/", ALL),
    ("digests.show", "GET", "/digests/{week}", ALL),
    ("digests.show", "GET", "/digests/{draft_week}", "notfound ok ok ok ok"),
    (
        "digests.draft",
        "POST",
        "/digests/{draft_week}/draft",
        "login forbidden forbidden redirect redirect",
    ),
    ("digests.edit", "GET", "/digests/{draft_week}/edit", ASSIGNERS),
    ("digests.save", "POST", "/digests/{draft_week}/edit", "login forbidden forbidden bad bad"),
    (
        "digests.add_entry",
        "POST",
        "/digests/{draft_week}/entries",
        "login forbidden forbidden bad bad",
    ),
    (
        "digests.drop_entry",
        "POST",
        "/digests/{draft_week}/entries/{draft_entry_id}/drop",
        "login forbidden forbidden redirect redirect",
    ),
    ("digests.preview", "POST", "/digests/{draft_week}/preview", ASSIGNERS),
    ("digests.revision", "GET", "/digests/{week}/revisions/1", ALL),
    ("digests.draft_week", "POST", "/digests/draft", "login forbidden forbidden bad bad"),
    ("digests.feed", "GET", "/digests/feed.atom", ALL),
    ("digests.operations_page", "GET", "/digests/operations", ALL),
    ("digests.operations_markdown", "GET", "/digests/operations.md", ALL),
    ("digests.operations_text", "GET", "/digests/operations.txt", ALL),
    ("digests.rota_page", "GET", "/digests/rota", ALL),
    ("digests.rota_ics", "GET", "/digests/rota.ics", ALL),
    ("digests.rota_set", "POST", "/digests/rota/{week}", "login forbidden forbidden forbidden bad"),
    (
        "digests.rota_generate",
        "POST",
        "/digests/rota/generate",
        "login forbidden forbidden forbidden bad",
    ),
    # --- oversight ---------------------------------------------------------------------------
    ("sweep.duty", "GET", "/duty", STAFF),
    ("sweep.index", "GET", "/sweep", STAFF),
    ("sweep.update", "POST", "/sweep/{ggus_id}", "login bad bad bad bad"),
    # --- metrics -----------------------------------------------------------------------------
    ("metrics.index", "GET", "/metrics/", ALL),
    ("metrics.sla", "GET", "/metrics/sla", ALL),
    ("metrics.table_csv", "GET", "/metrics/table1.csv", ALL),
    ("metrics.chart", "GET", "/metrics/charts/weekly-flow.svg", ALL),
    ("metrics.recommendations", "GET", "/metrics/recommendations/{quarter}", STAFF),
    (
        "metrics.add_recommendation",
        "POST",
        "/metrics/recommendations/{quarter}",
        "login forbidden forbidden bad bad",
    ),
    (
        "metrics.draft_recommendations",
        "POST",
        "/metrics/recommendations/{quarter}/draft",
        "login forbidden forbidden redirect redirect",
    ),
    (
        "metrics.delete_recommendation",
        "POST",
        "/metrics/recommendations/item/{recommendation_id}/delete",
        "login forbidden forbidden redirect notfound",
    ),
    (
        "metrics.edit_recommendation",
        "GET",
        "/metrics/recommendations/item/{recommendation_id}/edit",
        ASSIGNERS,
    ),
    (
        "metrics.edit_recommendation",
        "POST",
        "/metrics/recommendations/item/{recommendation_id}/edit",
        "login forbidden forbidden bad bad",
    ),
    (
        "metrics.review_recommendation",
        "GET",
        "/metrics/recommendations/item/{recommendation_id}/review",
        ASSIGNERS,
    ),
    (
        "metrics.review_recommendation",
        "POST",
        "/metrics/recommendations/item/{recommendation_id}/review",
        "login forbidden forbidden bad bad",
    ),
    ("metrics.report", "GET", "/metrics/report/{quarter}", ALL),
    ("metrics.report_markdown", "GET", "/metrics/report/{quarter}.md", ALL),
    # --- forums ------------------------------------------------------------------------------
    ("forums.index", "GET", "/forums/", STAFF),
    ("forums.show", "GET", "/forums/threads/{forum_thread_id}", STAFF),
    ("forums.act", "POST", "/forums/threads/{forum_thread_id}/state", "login bad bad bad bad"),
    ("forums.counts_page", "GET", "/forums/counts", STAFF),
    ("forums.sources", "GET", "/forums/sources", ADMINS),
    ("forums.add_list", "POST", "/forums/sources/lists", "login forbidden forbidden forbidden bad"),
    (
        "forums.fetch_now",
        "POST",
        "/forums/sources/fetch",
        "login forbidden forbidden forbidden redirect",
    ),
    # --- requirements ------------------------------------------------------------------------
    ("requirements.index", "GET", "/requirements/", STAFF),
    ("requirements.show", "GET", "/requirements/{requirement_id}", STAFF),
    (
        "requirements.assess",
        "POST",
        "/requirements/{requirement_id}/assess",
        "login forbidden bad bad bad",
    ),
    ("requirements.edit", "GET", "/requirements/{requirement_id}/edit", DMSU_ONLY),
    (
        "requirements.edit",
        "POST",
        "/requirements/{requirement_id}/edit",
        "login forbidden bad bad bad",
    ),
    (
        "requirements.link_rt",
        "POST",
        "/requirements/{requirement_id}/rt-id",
        "login forbidden bad bad bad",
    ),
    (
        "requirements.send_to_rt",
        "POST",
        "/requirements/{requirement_id}/send-to-rt",
        "login forbidden bad bad bad",
    ),
    (
        "requirements.change_status",
        "POST",
        "/requirements/{requirement_id}/status",
        "login forbidden bad bad bad",
    ),
    (
        "requirements.third_line",
        "POST",
        "/requirements/{requirement_id}/third-line",
        "login forbidden bad bad bad",
    ),
    (
        "requirements.link_ticket",
        "POST",
        "/requirements/{requirement_id}/tickets",
        "login forbidden bad bad bad",
    ),
    (
        "requirements.unlink_ticket",
        "POST",
        "/requirements/{requirement_id}/tickets/{ggus_id}/unlink",
        "login forbidden redirect bad bad",
    ),
    ("requirements.export_csv", "GET", "/requirements/export.csv", STAFF),
    ("requirements.new", "GET", "/requirements/new", DMSU_ONLY),
    ("requirements.new", "POST", "/requirements/new", "login forbidden bad bad bad"),
    ("requirements.tcb_digest", "GET", "/requirements/tcb", STAFF),
    ("requirements.tcb_record", "POST", "/requirements/tcb", "login forbidden bad bad bad"),
    ("requirements.tcb_csv", "GET", "/requirements/tcb.csv", STAFF),
    ("requirements.tcb_markdown", "GET", "/requirements/tcb.md", STAFF),
    # --- tickets -----------------------------------------------------------------------------
    ("tickets.index", "GET", "/tickets/", STAFF),
    ("tickets.show", "GET", "/tickets/{ggus_id}", STAFF),
    ("tickets.act", "POST", "/tickets/{ggus_id}/comment", "login bad bad bad bad"),
    ("tickets.act", "POST", "/tickets/{ggus_id}/third-line", "login bad bad bad bad"),
    (
        "tickets.act",
        "POST",
        "/tickets/{ggus_id}/third-line",
        "login forbidden forbidden redirect bad",
        {"unit": "{cream_unit_id}", "note": "Over to the product team."},
    ),
    (
        "sweep.update",
        "POST",
        "/sweep/{ggus_id}",
        "login redirect redirect redirect redirect",
        {"group": "needs-reaction", "note": "Looked at it."},
    ),
    (
        "tickets.act",
        "POST",
        "/tickets/{ggus_id}/no-such-action",
        "login notfound notfound notfound notfound",
    ),
    ("tickets.mine", "GET", "/tickets/mine", STAFF),
    ("tickets.new", "GET", "/tickets/new", STAFF),
    ("tickets.new", "POST", "/tickets/new", "login bad bad bad bad"),
    ("tickets.releases", "GET", "/tickets/releases", STAFF),
    ("tickets.releases", "POST", "/tickets/releases", "login forbidden forbidden bad bad"),
    ("repositories.index", "GET", "/repositories/", STAFF),
    (
        "repositories.scan_now",
        "POST",
        "/repositories/scan",
        "login forbidden forbidden redirect redirect",
    ),
    (
        "repositories.save_source",
        "POST",
        "/repositories/sources",
        "login forbidden forbidden forbidden bad",
    ),
    # --- search ------------------------------------------------------------------------------
    ("search.index", "GET", "/search?q=ticket", ALL),
    ("search.seen_before_ticket", "GET", "/tickets/{ggus_id}/seen-before", STAFF),
    ("search.seen_before_text", "GET", "/search/seen-before?text=cream", STAFF),
    # --- wiki --------------------------------------------------------------------------------
    ("wiki.index", "GET", "/wiki/", ALL),
    ("wiki.show", "GET", "/wiki/{public_slug}", ALL),
    ("wiki.show", "GET", "/wiki/{internal_slug}", "notfound ok ok ok ok"),
    ("wiki.attachments_page", "GET", "/wiki/{public_slug}/attachments", ALL),
    (
        "wiki.attachments_page",
        "POST",
        "/wiki/{public_slug}/attachments",
        "login forbidden bad bad bad",
    ),
    ("wiki.compare", "GET", "/wiki/{public_slug}/diff", ALL),
    ("wiki.compare", "GET", "/wiki/{internal_slug}/diff", "notfound ok ok ok ok"),
    ("wiki.edit", "GET", "/wiki/{public_slug}/edit", DMSU_ONLY),
    ("wiki.edit", "POST", "/wiki/{public_slug}/edit", "login forbidden bad bad bad"),
    (
        "wiki.attachment_file",
        "GET",
        "/wiki/{public_slug}/files/{public_attachment_id}/{public_attachment_name}",
        ALL,
    ),
    (
        "wiki.attachment_file",
        "GET",
        "/wiki/{internal_slug}/files/{internal_attachment_id}/{internal_attachment_name}",
        "notfound ok ok ok ok",
    ),
    ("wiki.history", "GET", "/wiki/{public_slug}/history", ALL),
    ("wiki.history", "GET", "/wiki/{internal_slug}/history", "notfound ok ok ok ok"),
    (
        "wiki.revert",
        "POST",
        "/wiki/{public_slug}/revert/1",
        "login forbidden redirect redirect redirect",
    ),
    ("wiki.revision", "GET", "/wiki/{public_slug}/revisions/1", ALL),
    ("wiki.revision", "GET", "/wiki/{internal_slug}/revisions/1", "notfound ok ok ok ok"),
    ("wiki.changes", "GET", "/wiki/changes", ALL),
    ("wiki.changes_feed", "GET", "/wiki/changes.atom", ALL),
    ("wiki.help_page", "GET", "/wiki/help", ALL),
    ("wiki.new", "GET", "/wiki/new", DMSU_ONLY),
    ("wiki.new", "POST", "/wiki/new", "login forbidden bad bad bad"),
    ("wiki.preview", "POST", "/wiki/preview", DMSU_ONLY),
    ("wiki.search_pages", "GET", "/wiki/search", ALL),
    ("wiki.tag", "GET", "/wiki/tags/{tag}", ALL),
    ("wiki.tag", "GET", "/wiki/tags/{internal_tag}", ALL),
]

PROBE = os.environ.get("DMSU_HARDENING_PROBE") == "1"


def outcome(response) -> str:
    code = response.status_code
    if 200 <= code < 300:
        return "ok"
    if code in (301, 302, 303, 307, 308):
        location = response.headers.get("Location", "")
        return "login" if "/login" in location else "redirect"
    return {
        400: "bad",
        409: "bad",
        422: "bad",
        401: "unauth",
        403: "forbidden",
        404: "notfound",
    }.get(code, str(code))


def _snapshot_sql() -> str:
    """One query: per table, its row count, largest id and the latest of every timestamp."""
    from dmsu.core.db import UTCDateTimeField

    parts = []
    for model in ALL_MODELS:
        meta = model._meta
        columns = ["COUNT(*)"]
        if meta.primary_key is not None and meta.primary_key.field_type in ("AUTO", "BIGAUTO"):
            columns.append(f'MAX("{meta.primary_key.column_name}")')
        columns += [
            f'MAX("{f.column_name}")'
            for f in meta.sorted_fields
            if isinstance(f, UTCDateTimeField) or f.name in ("attempts", "revision", "version")
        ]
        joined = " || '|' || ".join(f"COALESCE(CAST({c} AS TEXT), '-')" for c in columns)
        parts.append(f"SELECT '{meta.table_name}', {joined} FROM \"{meta.table_name}\"")
    return " UNION ALL ".join(parts)


def snapshot() -> dict[str, str]:
    """Row count, largest id and latest change of every table in ALL_MODELS."""
    from dmsu.core.db import database

    return dict(database.execute_sql(_snapshot_sql()).fetchall())


@pytest.fixture
def world(app, clients, make_ticket):
    return site_world.build(app, clients, make_ticket)


def expectations(row) -> dict[str, str]:
    tokens = row[3].split()
    if len(tokens) == 1:
        tokens *= len(VIEWERS)
    return dict(zip(VIEWERS, tokens, strict=True))


def row_id(row) -> str:
    return f"{row[1]} {row[2]}" + (" with " + ",".join(row[4]) if len(row) > 4 else "")


GET_ROWS = [r for r in MATRIX if r[1] == "GET"]
# POSTs that carry no session and prove themselves otherwise (an API token, a signature)
CSRF_EXEMPT = ("api.post_ticket", "helpdesk.receive_webhook")
POST_ROWS = [r for r in MATRIX if r[1] == "POST"]


def test_every_route_is_classified(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    listed = {(row[0], row[1]) for row in MATRIX}
    assert routes - listed == set(), "classify these routes in MATRIX"
    assert listed - routes == set(), "MATRIX lists routes that no longer exist"


def _diff(before: dict, after: dict) -> dict:
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


def test_get_matrix_and_get_never_changes_state(app, clients, world):
    """Every GET cell; and no GET, by anybody, changes a row of any table."""
    wrong, changed = [], []
    for row in GET_ROWS:
        url = row[2].format(**vars(world))
        for viewer in VIEWERS:
            before = snapshot()
            response = clients[viewer].get(url)
            after = snapshot()
            got, expected = outcome(response), expectations(row)[viewer]
            if PROBE:
                print(f"PROBE {viewer} {row[0]} GET {url} -> {got}")
            elif got != expected:
                wrong.append(f"{viewer} {url}: expected {expected}, got {response.status_code}")
            if before != after:
                changed.append(f"{viewer} {url}: {_diff(before, after)}")
    assert wrong == []
    assert changed == []


def _post_cells(clients, world, row, *, must_not_change: bool) -> list[str]:
    """POST ``row`` as each viewer: first without the CSRF token (400, nothing changes), then
    with it; returns the cells that differ from the table."""
    url = row[2].format(**vars(world))
    data = {k: v.format(**vars(world)) for k, v in (row[4] if len(row) > 4 else {}).items()}
    wrong = []
    for viewer in VIEWERS:
        client = clients[viewer]
        if viewer != "anonymous" and row[0] not in CSRF_EXEMPT:
            before = snapshot()
            response = client.post(url, data=data)
            if response.status_code != 400:
                wrong.append(f"{viewer} {url} without CSRF token: {response.status_code}")
            if snapshot() != before:
                wrong.append(
                    f"{viewer} {url} without CSRF token changed {_diff(before, snapshot())}"
                )
        before = snapshot()
        response = client.form(url, data)
        got, expected = outcome(response), expectations(row)[viewer]
        if PROBE:
            print(f"PROBE {viewer} {row[0]} POST {url} -> {got}")
        elif got != expected:
            wrong.append(f"{viewer} {url}: expected {expected}, got {response.status_code}")
        if must_not_change and snapshot() != before:
            wrong.append(f"{viewer} {url}: a refused POST changed {_diff(before, snapshot())}")
    return wrong


# Rows where somebody's empty POST succeeds change the world; they run one after the other in
# one world, in table order (logging out last). The others are refusals for everybody (or a
# preview), so they share another world and must change nothing.
CHANGING_ROWS = sorted(
    (r for r in POST_ROWS if "redirect" in r[3]), key=lambda r: r[0] == "auth.logout"
)
REFUSED_ROWS = [r for r in POST_ROWS if "redirect" not in r[3]]


def test_refused_posts_change_nothing_and_need_the_csrf_token(clients, world):
    wrong = []
    for row in REFUSED_ROWS:
        wrong += _post_cells(clients, world, row, must_not_change=True)
    assert wrong == []


def test_post_matrix_where_posts_succeed(clients, world):
    wrong = []
    for row in CHANGING_ROWS:
        wrong += _post_cells(clients, world, row, must_not_change=False)
    assert wrong == []


def test_the_api_answers_a_token_and_refuses_a_revoked_one(app, client, world):
    from dmsu.api.tokens import revoke_token
    from dmsu.auth.models import ApiToken

    headers = {"Authorization": f"Bearer {world.api_token}"}
    response = client.get(f"/api/v1/tickets/{world.ggus_id}", headers=headers)
    assert response.status_code == 200 and response.get_json()["ggus_id"] == world.ggus_id
    response = client.post("/api/v1/tickets", json={}, headers=headers)
    assert response.status_code in (400, 422) and "error" in response.get_json()
    with app.app_context():
        revoke_token(world.users["admin"], ApiToken.get_by_id(world.token_id))
    response = client.get(f"/api/v1/tickets/{world.ggus_id}", headers=headers)
    assert response.status_code == 401 and "error" in response.get_json()


def _cookie_attributes(response, name: str) -> dict[str, str | bool]:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            parts = [p.strip() for p in header.split(";")[1:]]
            return {
                (p.split("=", 1)[0].lower()): (p.split("=", 1)[1] if "=" in p else True)
                for p in parts
            }
    raise AssertionError(f"no {name} cookie in {response.headers.getlist('Set-Cookie')}")


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    user = make_user("resolver", "cookie")
    response = client.form(
        "/login", {"username": user.username, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    attributes = _cookie_attributes(response, "session")
    assert attributes.get("httponly") is True
    assert attributes.get("samesite") == "Lax"
    assert "secure" not in attributes  # plain http in development


@pytest.mark.parametrize("app_config", [{"DMSU_HTTPS": True}])
def test_over_https_the_session_cookie_is_secure_and_hsts_is_sent(client, make_user):
    user = make_user("resolver", "cookie")
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/login"}}
    html = client.get("/login", **https).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token, html[:2000]
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": "correct horse battery",
            "remember": "1",
            "csrf_token": token.group(1),
        },
        **https,
    )
    assert response.status_code == 302
    attributes = _cookie_attributes(response, "session")
    assert attributes.get("secure") is True and attributes.get("httponly") is True
    assert attributes.get("samesite") == "Lax"
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("remember_token="):
            assert "Secure" in header and "HttpOnly" in header


def test_the_snapshot_notices_an_edit_that_keeps_counts(app, clients, world):
    from dmsu.tickets.models import Ticket

    before = snapshot()
    Ticket.update(updated_at=Ticket.updated_at).execute()  # no change: same snapshot
    assert snapshot() == before
    response = clients["resolver"].form(f"/tickets/{world.ggus_id}/take", {})
    assert response.status_code == 302
    assert set(_diff(before, snapshot())) >= {"ticket", "ticket_event"}
