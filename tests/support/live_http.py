"""Real HTTP against the live server of ``tests/conftest.py``: logged-in sessions that send the
CSRF token the way a page without JavaScript does, and :func:`race`, which lines requests up
behind a barrier so that they reach the server at the same moment."""

from __future__ import annotations

import re
import threading
from html.parser import HTMLParser

import requests

from tests.support.client import PASSWORD

_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_FORM_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TIMEOUT = 120


class LiveSession:
    """One person's browser: a cookie session, the CSRF token read from the pages."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self._token: str | None = None

    def log_in(self, user) -> LiveSession:
        answer = self.submit_login(user, self.login_token())
        assert answer.status_code == 302, answer.text[:500]
        return self

    def login_token(self) -> str:
        """The CSRF token of the login form (fetch it before a race, send it in one)."""
        page = self.http.get(f"{self.base_url}/login", timeout=TIMEOUT)
        return _FORM_CSRF.search(page.text).group(1)

    def submit_login(self, user, token: str) -> requests.Response:
        self._token = None
        return self.http.post(
            f"{self.base_url}/login",
            data={"csrf_token": token, "username": user.username, "password": PASSWORD},
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    def csrf_token(self) -> str:
        if self._token is None:
            page = self.http.get(f"{self.base_url}/", timeout=TIMEOUT)
            self._token = _META_CSRF.search(page.text).group(1)
        return self._token

    def get(self, path: str) -> requests.Response:
        return self.http.get(f"{self.base_url}{path}", allow_redirects=False, timeout=TIMEOUT)

    def form(self, path: str, data: dict | None = None) -> requests.Response:
        """POST a form with the CSRF token; redirects are answers, not followed."""
        data = {"csrf_token": self.csrf_token(), **(data or {})}
        return self.http.post(
            f"{self.base_url}{path}", data=data, allow_redirects=False, timeout=TIMEOUT
        )


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            self.forms.append((values.get("action") or "", {}))
        elif tag == "input" and values.get("type") == "hidden" and self.forms:
            self.forms[-1][1][values.get("name") or ""] = values.get("value") or ""


def hidden_fields(html: str, action: str) -> dict[str, str]:
    """The hidden fields a browser sends with the form of ``action`` on a page (its CSRF
    token left out: :meth:`LiveSession.form` adds the session's)."""
    parser = _Forms()
    parser.feed(html)
    for form_action, fields in parser.forms:
        if form_action == action:
            return {k: v for k, v in fields.items() if k != "csrf_token"}
    raise AssertionError(f"the page has no form posting to {action}")


def race(*calls):
    """Run ``calls`` in threads released together by a barrier; their results, in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    failures: list[BaseException] = []

    def run(index: int, call) -> None:
        try:
            barrier.wait(timeout=TIMEOUT)
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    if failures:
        raise failures[0]
    return results
