"""The UI shell: navigation, error pages, security headers, CSRF, htmx plumbing."""

from __future__ import annotations

import pytest

NAV = ["Cheat sheet", "Tickets", "Sweep", "Wiki", "Digests", "Requirements", "Forums", "Metrics"]


def test_anonymous_navigation_shows_public_areas_and_log_in(client):
    html = client.get("/").get_data(as_text=True)
    for label in ["Cheat sheet", "Wiki", "Digests", "Metrics", "Log in"]:
        assert f">{label}<" in html
    assert ">Sweep<" not in html


def test_staff_navigation_names_every_area(tpm_client):
    html = tpm_client.get("/").get_data(as_text=True)
    for label in NAV:
        assert f">{label}<" in html
    assert "Log out" in html


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in response.headers["Vary"]
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("app_config", [{"DMSU_HTTPS": True}])
def test_https_setting_adds_hsts_and_secure_cookies(app, client):
    response = client.get("/")
    assert "max-age" in response.headers["Strict-Transport-Security"]
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_404_is_a_page_in_the_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"There is no page at this address." in response.data
    assert b'class="site-header"' in response.data


def test_api_errors_are_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json and "error" in response.get_json()


def test_post_without_csrf_token_is_refused_clearly(tpm_client):
    response = tpm_client.post("/logout")
    assert response.status_code == 400
    assert b"reload the page and send it again" in response.data


def test_csrf_token_travels_in_hx_headers(tpm_client):
    html = tpm_client.get("/").get_data(as_text=True)
    assert 'data-hx-headers=\'{"X-CSRFToken": "' in html
    assert '<meta name="csrf-token"' in html


def test_anonymous_pages_set_no_cookie_and_the_login_form_carries_its_token(client):
    response = client.get("/")
    assert "Set-Cookie" not in response.headers
    assert "csrf-token" not in response.get_data(as_text=True)
    login = client.get("/login")
    assert 'name="csrf_token" value="' in login.get_data(as_text=True)


def test_no_inline_script_or_handlers_in_templates():
    import re
    from pathlib import Path

    for path in Path("templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert "hx-on" not in text, path


def test_favicon_and_health(client):
    assert client.get("/favicon.ico").status_code == 204
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_server_error_page_does_not_leak_details(app, client):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret detail")

    response = client.get("/boom-for-test")
    assert response.status_code == 500
    assert b"secret detail" not in response.data
    assert b"Something went wrong" in response.data


def test_admins_find_their_pages_in_the_header(admin_client, resolver_client):
    html = admin_client.get("/").get_data(as_text=True)
    for label, href in [
        ("Users", "/admin/users"),
        ("API tokens", "/admin/api-tokens"),
        ("Outbox", "/admin/outbox"),
        ("Helpdesk", "/helpdesk/"),
    ]:
        assert f'href="{href}">{label}<' in html
        assert admin_client.get(href).status_code == 200
    assert "/admin/" not in resolver_client.get("/").get_data(as_text=True)
    assert 'href="/helpdesk/"' not in resolver_client.get("/").get_data(as_text=True)
