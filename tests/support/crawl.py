"""An anonymous reader's breadth-first crawl of the public site (same-site links, GET forms,
addresses in JSON, feeds and calendars), reporting every marker of the world
(tests/support/world.py) that shows up in a body or a header."""

from __future__ import annotations

import json
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urljoin, urlsplit

from tests.support.world import MARK, SUBMITTER_EMAIL

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
        for name in ("href", "src", "hx-get", "data-hx-get"):
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
