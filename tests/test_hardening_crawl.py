"""An anonymous reader crawls the whole public site and never meets internal content.

Markers are planted (tests/hardening_world.py) in internal wiki page titles, bodies and
revision summaries, internal ticket notes, ticket subjects and descriptions (tickets are
staff-only), submitter e-mail addresses, requirement texts, a digest draft, a TCB
recommendation and a queued mail. The crawl starts at ``/`` and the known public entry points
(feeds, searches with parts of the markers as the query, the API, lists, components, metrics
with their CSV and SVG, digest pages and operations digests, the rota calendar), follows every
same-site link, submits every GET form (search boxes get part of a marker), and reads JSON
answers for further addresses. No marker may appear in any body or header.
"""

from __future__ import annotations

import json
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urljoin, urlsplit

import pytest

from tests import hardening_world
from tests.hardening_world import MARK, SUBMITTER_EMAIL

FORBIDDEN = [MARK.lower(), SUBMITTER_EMAIL.lower(), "sam submitter"]
QUERIES = ["7f3a", "marker", "submitter-marker", "Internal", "Sam"]
MAX_PAGES = 700
MAX_PER_PATH = 6  # query-string variants of one path (filters, pages)
SKIP_PREFIXES = ("/static/",)


class Links(HTMLParser):
    """Same-document links and GET forms of an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src", "hx-get"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        if tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self._form = (attrs.get("action") or "", {})
        elif tag == "form":
            self._form = None
        elif self._form is not None and tag in ("input", "select", "textarea"):
            name = attrs.get("name")
            if not name:
                return
            kind = (attrs.get("type") or "text").lower()
            if kind in ("text", "search") or tag == "textarea":
                self._form[1][name] = QUERIES[0]
            elif kind not in ("submit", "button", "checkbox", "radio"):
                self._form[1][name] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def json_urls(value) -> list[str]:
    """Same-site addresses mentioned anywhere in a JSON document."""
    found = []
    if isinstance(value, dict):
        for item in value.values():
            found += json_urls(item)
    elif isinstance(value, list):
        for item in value:
            found += json_urls(item)
    elif isinstance(value, str) and (
        value.startswith("/") or value.startswith("http://localhost/")
    ):
        found.append(value)
    return found


def seeds(world) -> list[str]:
    urls = [
        "/",
        "/wiki/",
        "/wiki/changes",
        "/wiki/changes.atom",
        "/wiki/help",
        f"/wiki/tags/{world.tag}",
        f"/wiki/tags/{world.internal_tag}",
        f"/wiki/{world.internal_slug}",
        f"/wiki/{world.internal_slug}/history",
        f"/wiki/{world.internal_slug}/diff",
        f"/wiki/{world.internal_slug}/revisions/1",
        f"/wiki/{world.internal_slug}/attachments",
        f"/wiki/{world.internal_slug}/files/{world.internal_attachment_id}/x.png",
        "/digests/",
        "/digests/feed.atom",
        f"/digests/{world.week}",
        f"/digests/{world.week}/revisions/1",
        f"/digests/{world.draft_week}",
        "/digests/operations",
        "/digests/operations.md",
        "/digests/operations.txt",
        "/digests/rota",
        "/digests/rota.ics",
        "/cheatsheet/",
        "/cheatsheet.csv",
        f"/components/{world.component_slug}",
        f"/components/{world.component_slug}/row",
        "/metrics/",
        "/metrics/sla",
        f"/metrics/report/{world.quarter}",
        f"/metrics/report/{world.quarter}.md",
        f"/metrics/recommendations/{world.quarter}",
        "/api/v1/",
        "/api/v1/openapi.json",
        "/api/v1/components",
        f"/api/v1/components/{world.component_slug}",
        "/api/v1/pages",
        f"/api/v1/pages/{world.internal_slug}",
        f"/api/v1/tickets/{world.ggus_id}",
        f"/tickets/{world.ggus_id}",
        f"/requirements/{world.requirement_id}",
        "/healthz",
    ]
    from dmsu.metrics.charts import DRAW
    from dmsu.metrics.page import ALL_TABLES

    for period in ("", "?period=PY3", f"?period={world.quarter}"):
        urls += [f"/metrics/{name}.csv{period}" for name in ALL_TABLES]
        urls += [f"/metrics/charts/{name}.svg{period}" for name in DRAW]
    for query in QUERIES:
        q = urlencode({"q": query})
        urls += [f"/wiki/search?{q}", f"/cheatsheet/?{q}", f"/api/v1/pages?{q}"]
        urls += [f"/api/v1/components?{q}", f"/digests/?{q}"]
    return urls


def leaks(text: str, asked: str = "") -> list[str]:
    """Markers in ``text``, apart from an echo of the address the reader asked for (a slug
    made from an internal title is only known to whoever typed it)."""
    lowered = text.lower()
    parts = urlsplit(asked)
    echoes = {asked, quote(asked, safe=""), quote(asked, safe="/"), *parts.path.split("/")}
    for echo in sorted(echoes, key=len, reverse=True):
        if echo:
            lowered = lowered.replace(echo.lower(), "")
    return [marker for marker in FORBIDDEN if marker in lowered]


@pytest.fixture
def world(app, clients, make_ticket):
    return hardening_world.build(app, clients, make_ticket)


def crawl(client, start: list[str]) -> tuple[dict[str, int], list[str]]:
    """Breadth-first over same-site GETs; returns status by URL and the leaks found."""
    queue, seen, per_path = deque(start), set(), {}
    statuses, found = {}, []
    while queue and len(statuses) < MAX_PAGES:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or parts.scheme not in ("", "http"):
            continue
        path = parts.path or "/"
        key = path + ("?" + parts.query if parts.query else "")
        if key in seen or path.startswith(SKIP_PREFIXES):
            continue
        if parts.query:
            per_path[path] = per_path.get(path, 0) + 1
            if per_path[path] > MAX_PER_PATH:
                continue
        seen.add(key)
        for htmx in (False, True) if parts.query else (False,):
            response = client.get(key, headers={"HX-Request": "true"} if htmx else {})
            statuses[key] = response.status_code
            body = response.get_data().decode("utf-8", "replace")
            headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
            for marker in leaks(body, key) + leaks(headers, key):
                found.append(f"{marker} in {key}{' (htmx)' if htmx else ''}")
            if 300 <= response.status_code < 400:
                queue.append(urljoin(key, response.headers["Location"]))
            kind = response.mimetype or ""
            if kind == "text/html":
                links = Links()
                links.feed(body)
                queue.extend(urljoin(key, u.split("#")[0]) for u in links.urls if u)
                for action, fields in links.forms:
                    target = urljoin(key, action or key).split("?")[0]
                    for query in QUERIES:
                        filled = {k: (query if v == QUERIES[0] else v) for k, v in fields.items()}
                        queue.append(f"{target}?{urlencode(filled)}")
            elif kind.endswith("json"):
                try:
                    queue.extend(urljoin(key, u) for u in json_urls(json.loads(body)))
                except ValueError:
                    pass
            elif kind in ("application/atom+xml", "text/calendar", "image/svg+xml"):
                queue.extend(re.findall(r'href="(http://localhost/[^"]+|/[^"]+)"', body))
    return statuses, found


def test_an_anonymous_crawl_finds_no_internal_content(app, client, world):
    statuses, found = crawl(client, seeds(world))
    assert "\n".join(found) == ""
    assert all(code < 500 for code in statuses.values()), {
        u: c for u, c in statuses.items() if c >= 500
    }
    # The crawl really went places: pages of every public area, and the staff-only ones refused.
    visited = set(statuses)
    for expected in (
        f"/wiki/{world.public_slug}",
        f"/digests/{world.week}",
        "/digests/feed.atom",
        "/cheatsheet/",
        f"/components/{world.component_slug}",
        "/metrics/",
        "/api/v1/pages",
    ):
        assert expected in visited, expected
    assert statuses[f"/wiki/{world.internal_slug}"] == 404
    assert statuses[f"/tickets/{world.ggus_id}"] == 302
    assert len(statuses) > 100


def test_markers_are_really_there_for_staff(app, clients, world):
    """The crawl is not vacuous: staff do meet the markers on the same kind of pages."""
    staff = clients["resolver"]
    for url in (
        f"/wiki/{world.internal_slug}",
        f"/tickets/{world.ggus_id}",
        f"/requirements/{world.requirement_id}",
        "/wiki/search?q=7f3a",
    ):
        body = staff.get(url).get_data(as_text=True)
        assert MARK.lower() in body.lower(), url
    body = staff.get(f"/tickets/{world.ggus_id}").get_data(as_text=True)
    assert SUBMITTER_EMAIL in body
