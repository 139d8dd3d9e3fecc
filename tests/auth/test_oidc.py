"""Login with EGI Check-in, end to end against a real OpenID Connect provider: the npm
package oidc-provider started on loopback by the test (tests/support/oidc_provider.mjs), its
discovery document, the code flow with PKCE (the provider requires it), state and nonce
checked by Authlib, entitlements mapped to roles, refusal without a mapped entitlement, and
logout at the provider too (hardening round 2, item 5)."""

from __future__ import annotations

import re
import socket
import subprocess
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from dmsu.auth.models import User

SCRIPT = Path(__file__).resolve().parents[1] / "support" / "oidc_provider.mjs"
ROOT = SCRIPT.parents[2]
TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def provider_port():
    return free_port()


@pytest.fixture
def app_config(provider_port):
    return {
        "DMSU_OIDC_ENABLED": True,
        "DMSU_OIDC_METADATA_URL": f"http://127.0.0.1:{provider_port}/.well-known/openid-configuration",
        "DMSU_OIDC_CLIENT_ID": "dmsu-desk",
        "DMSU_OIDC_CLIENT_SECRET": "test-only-client-secret",
    }


@pytest.fixture
def provider(live_server, provider_port, monkeypatch):
    """The provider, told the live site's callback (its port is known only now)."""
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # http on loopback, for the test
    process = subprocess.Popen(
        ["node", str(SCRIPT), str(provider_port), f"{live_server.url}/login/oidc/callback",
         f"{live_server.url}/"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert process.stdout.readline().strip() == "ready"
        yield f"http://127.0.0.1:{provider_port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def submit(http, page: requests.Response, **fields) -> requests.Response:
    """Submit the page's first form with ``fields`` (the provider's login and consent)."""
    action = unescape(re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1))
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    return http.post(urljoin(page.url, action), data={**hidden, **fields}, timeout=TIMEOUT)


def log_in_at_checkin(site: str, login: str) -> tuple[requests.Session, requests.Response]:
    http = requests.Session()
    page = http.get(f"{site}/login/oidc", timeout=TIMEOUT)  # to the provider's login form
    page = submit(http, page, login=login, password="any")
    if "/interaction/" in page.url:  # the consent form, once
        page = submit(http, page)
    return http, page


def test_the_login_sends_pkce_and_state_to_the_discovered_endpoint(live_server, provider):
    answer = requests.get(f"{live_server.url}/login/oidc", allow_redirects=False, timeout=TIMEOUT)
    target = urlsplit(answer.headers["Location"])
    query = parse_qs(target.query)
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider}/auth"
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"]
    assert "eduperson_entitlement" in query["scope"][0]


def test_an_entitled_person_logs_in_with_the_role_their_entitlements_map_to(live_server, provider):
    http, home = log_in_at_checkin(live_server.url, "ann")
    assert home.url == f"{live_server.url}/" and "Ann Assigner" in home.text
    ann = User.get(User.oidc_subject == "ann")
    assert (ann.role, ann.email, ann.password_hash) == ("assigner", "ann@example.org", "")
    assert http.get(f"{live_server.url}/tickets/", timeout=TIMEOUT).status_code == 200
    _, again = log_in_at_checkin(live_server.url, "rob")  # a member of the group: a resolver
    assert User.get(User.oidc_subject == "rob").role == "resolver"


def test_someone_without_a_mapped_entitlement_is_refused_and_gets_no_account(live_server, provider):
    _, page = log_in_at_checkin(live_server.url, "pat")
    assert page.url.startswith(f"{live_server.url}/login")
    assert "has no entitlement that gives a role here" in page.text
    assert not User.select().where(User.oidc_subject == "pat").exists()


def test_a_callback_with_a_forged_state_is_refused_not_a_500(live_server, provider):
    http = requests.Session()
    http.get(f"{live_server.url}/login/oidc", allow_redirects=False, timeout=TIMEOUT)
    page = http.get(f"{live_server.url}/login/oidc/callback?code=stolen&state=forged",
                    timeout=TIMEOUT)  # fmt: skip
    assert page.status_code == 200 and "did not complete" in page.text
    assert User.select().count() == 0


def test_logout_ends_the_session_here_and_at_the_provider(live_server, provider):
    http, _ = log_in_at_checkin(live_server.url, "ann")
    token = re.search(r'name="csrf-token" content="([^"]+)"', http.get(live_server.url).text)
    answer = http.post(f"{live_server.url}/logout", data={"csrf_token": token.group(1)},
                       allow_redirects=False, timeout=TIMEOUT)  # fmt: skip
    target = urlsplit(answer.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider}/session/end"
    assert parse_qs(target.query)["post_logout_redirect_uri"] == [f"{live_server.url}/"]
    confirm = http.get(answer.headers["Location"], timeout=TIMEOUT)  # the provider asks
    back = submit(http, confirm, logout="yes")
    assert back.url == f"{live_server.url}/"
    assert http.get(f"{live_server.url}/tickets/", allow_redirects=False,
                    timeout=TIMEOUT).status_code == 302  # fmt: skip
    # and the provider's session ended too: a new login asks for the login again
    page = http.get(f"{live_server.url}/login/oidc", timeout=TIMEOUT)
    assert 'name="login"' in page.text


def test_an_unreachable_provider_is_one_sentence_not_a_500(client, monkeypatch):
    """No provider process: the app's discovery URL points at a closed port."""
    answer = client.get("/login/oidc")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert "cannot be reached right now" in client.get("/login").get_data(as_text=True)
