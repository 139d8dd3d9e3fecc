"""The settings every test app starts from, the test user's password, the database the suite
runs on (``DMSU_TEST_DATABASE_URL``, else SQLite) and the test client that sends the CSRF token
the way the site's pages do."""

from __future__ import annotations

import os
import re

from flask.testing import FlaskClient

PG_URL = os.environ.get("DMSU_TEST_DATABASE_URL", "")
PASSWORD = "correct horse battery"
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-only-not-secret",
    "DMSU_ARGON2_TIME_COST": 1,
    "DMSU_ARGON2_MEMORY_COST": 1024,
    "DMSU_BASE_URL": "http://localhost",
    "DMSU_SMTP_HOST": "",
}
_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class DmsuClient(FlaskClient):
    """A test client that sends the CSRF token the way the site's pages do."""

    user = None
    _csrf: str | None = None

    def csrf_token(self) -> str:
        if self._csrf is None:
            html = self.get("/").get_data(as_text=True)
            match = _META_CSRF.search(html)
            if match is None:  # anonymous pages carry no token: the login form has one
                html = self.get("/login").get_data(as_text=True)
                match = re.search(r'name="csrf_token" value="([^"]+)"', html)
            assert match, "no csrf-token meta tag on the start page nor token in the login form"
            self._csrf = match.group(1)
        return self._csrf

    def form(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with the CSRF token, as a browser without JavaScript does."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        response = self.post(url, data=data, **kwargs)
        if url.startswith("/login") and response.status_code == 302:
            self._csrf = None  # a login starts a session with a CSRF token of its own
        return response

    def hx(self, method: str, url: str, data: dict | None = None, **kwargs):
        """An htmx request: HX-Request header and the token in X-CSRFToken."""
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf_token()}
        headers.update(kwargs.pop("headers", {}))
        return self.open(url, method=method.upper(), data=data, headers=headers, **kwargs)
