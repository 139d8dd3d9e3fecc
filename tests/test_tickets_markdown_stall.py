"""A pathological comment cannot stall the site: two tpm users (the lowest staff role) post one
each at the same moment against a live server, while the public reads its pages.

Before the markdown path was bounded, one comment of 15,000 '[' took Python-Markdown 30 s
and two at once killed both gunicorn workers; here each post must be answered (stored or
refused with its sentence) and every public page served while they run, well inside the
timeouts below (the bound is a denial of service, not a speed target).
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from werkzeug.serving import make_server

from dmsu.tickets import workflow
from dmsu.tickets.models import TicketEvent
from dmsu.wiki.render import TEXT_LIMITS
from tests.conftest import PASSWORD

TIMEOUT = 20  # seconds: the old renderer needed 30 s for one such comment of 15,000 '['
PUBLIC_PAGES = ["/", "/cheatsheet/", "/digests/", "/wiki/"]
PATHOLOGICAL = ["[" * TEXT_LIMITS["comment"], "![" * (TEXT_LIMITS["comment"] // 2)]


class Browser:
    """A visitor over real HTTP with its own cookies (and the CSRF token of the page)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict, token_from: str) -> tuple[int, str]:
        _, page = self.get(token_from)
        token = re.search(r'name="csrf_token" value="([^"]+)"|csrf-token" content="([^"]+)"', page)
        body = urllib.parse.urlencode({**data, "csrf_token": token.group(1) or token.group(2)})
        return self._open(urllib.request.Request(self.base + path, data=body.encode()))

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_two_pathological_comments_leave_the_public_pages_answering(live_server, make_user):
    admin = make_user("admin", "boss")
    ticket = workflow.create_ticket(admin, ggus_id=91039, subject="Jobs stuck in REALLY-RUNNING")
    workflow.route_to_dmsu(ticket, admin)
    posters = []
    for name in ("tpm1", "tpm2"):
        make_user("tpm", name)
        browser = Browser(live_server)
        status, _ = browser.post("/login", {"username": name, "password": PASSWORD}, "/login")
        assert status == 200  # followed the redirect home
        posters.append(browser)
    reader = Browser(live_server)
    start = threading.Barrier(3)

    def post(browser: Browser, text: str) -> int:
        start.wait()
        status, _ = browser.post(
            "/tickets/91039/comment", {"text": text, "visibility": "public"}, "/tickets/91039"
        )
        return status

    def read_public_pages() -> list[int]:
        start.wait()
        return [reader.get(path)[0] for _ in range(3) for path in PUBLIC_PAGES]

    with ThreadPoolExecutor(3) as pool:
        comments = [pool.submit(post, b, t) for b, t in zip(posters, PATHOLOGICAL, strict=True)]
        pages = pool.submit(read_public_pages)
        assert pages.result(timeout=TIMEOUT * 3) == [200] * 3 * len(PUBLIC_PAGES)
        statuses = [c.result(timeout=TIMEOUT * 2) for c in comments]
    # Each comment was answered: stored (the page after the redirect) or refused in a sentence.
    assert all(status in (200, 400) for status in statuses), statuses
    stored = TicketEvent.select().where(TicketEvent.kind == "comment").count()
    assert stored == statuses.count(200)
