"""Stored and reflected XSS across the site: every user-supplied text that becomes HTML.

Payloads go in through the site's own forms (tickets, comments, impact and workaround,
requirements, digests, user display names, cheat-sheet rows and experts, API token names,
TCB recommendations, wiki pages) and come back out on every page, partial, flash message and
feed that shows them, to staff and to anonymous readers. Each answer is parsed: no script but
the site's own files, no ``on*`` attribute, no ``javascript:``/``vbscript:``/``data:`` address,
no frames, objects, embeds, ``<base>`` or refresh. Plain-text fields must show the payload as
text (escaped, not dropped). Wiki rendering itself is covered by wiki/test_render and wiki/test_xss.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 (our own feeds)
from html.parser import HTMLParser

import pytest

from tests.support.xss import PAYLOADS as WIKI_PAYLOADS

PAYLOADS = list(
    dict.fromkeys(
        [
            *WIKI_PAYLOADS,
            '<script>alert("x")</script>',
            "<img src=x onerror=alert(1)>",
            '" onmouseover="alert(1)',
            "' onfocus='alert(1)' autofocus x='",
            "</textarea><script>alert(1)</script>",
            "</title><script>alert(1)</script>",
            "javascript:alert(1)",
            "{{ 7*7 }}{% raw %}<svg onload=alert(1)>",
            "<a href=data:text/html,<script>alert(1)</script>>x</a>",
        ]
    )
)
# Short fields (names, subjects): the payloads that fit in one line of at most 120 characters.
SHORT = [p for p in PAYLOADS if len(p) <= 120 and "\n" not in p]
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "poster",
    "hx-get",
    "data-hx-get",
}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Inspector(HTMLParser):
    """Collects what would run in a browser, and the visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._raw = 0

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"<script src={src!r}>")
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and dict(attrs).get("http-equiv"):
            self.problems.append("<meta http-equiv>")
        if tag in ("script", "style"):
            self._raw += 1
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            # What a browser's URL parser does: strip C0 controls and spaces at both ends, drop
            # tabs and newlines anywhere.
            cleaned = re.sub(r"[\t\n\r]", "", (value or "").strip(C0_AND_SPACE)).lower()
            if name in URL_ATTRIBUTES and cleaned.startswith(BAD_SCHEMES):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and ("javascript:" in cleaned or "expression(" in cleaned):
                self.problems.append(f"<{tag} style={value!r}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._raw -= 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._raw:
            self._raw -= 1

    def handle_data(self, data):
        if not self._raw:
            self.text.append(data)


def normal(text: str) -> str:
    return " ".join(CONTROL.sub("", text).split())


def inspect(html: str) -> Inspector:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector


def feed_html(xml: str) -> list[str]:
    """The HTML carried inside an Atom feed's title, summary and content elements."""
    root = ET.fromstring(xml)  # noqa: S314
    return [
        el.text or ""
        for el in root.iter()
        if el.tag.split("}")[-1] in ("title", "summary", "content")
        and el.get("type") in ("html", "xhtml")
    ]


class Checker:
    """Fetches pages and records every problem, so one test reports them all."""

    def __init__(self):
        self.problems: list[str] = []

    def response(self, response, where: str, shows: list[str] = ()) -> str:
        body = response.get_data(as_text=True)
        if response.status_code >= 500:
            self.problems.append(f"{where}: {response.status_code}")
        kind = response.mimetype or ""
        if kind == "text/html":
            self.html(body, where, shows)
        elif kind == "application/atom+xml":
            for html in feed_html(body):
                self.html(html, where + " (feed entry)", ())
            for text in shows:
                if normal(text) not in normal(_xml_text(body)):
                    self.problems.append(f"{where}: the feed does not show {text!r}")
        elif "<" in body and kind not in ("text/plain", "text/markdown", "text/csv"):
            self.problems.append(f"{where}: markup served as {kind}")
        return body

    def html(self, html: str, where: str, shows) -> None:
        inspector = inspect(html)
        self.problems += [f"{where}: {p}" for p in inspector.problems]
        visible = normal("".join(inspector.text))
        for text in shows:
            if normal(text) not in visible:
                self.problems.append(f"{where}: does not show {text!r} as text")

    def get(self, client, url: str, shows: list[str] = ()) -> str:
        return self.response(client.get(url), f"GET {url}", shows)

    def post(self, client, url: str, data: dict, shows: list[str] = ()):
        """Post a form; check the answer (a re-rendered form keeps the input) and, after a
        redirect, the page with the flash message."""
        response = client.form(url, data)
        self.response(response, f"POST {url}")
        if response.status_code in (302, 303):
            follow = client.get(response.headers["Location"])
            self.response(follow, f"after POST {url}", shows)
        return response


def _xml_text(xml: str) -> str:
    return " ".join(el.text or "" for el in ET.fromstring(xml).iter())  # noqa: S314


@pytest.fixture
def app_config():
    return {"DMSU_LOGIN_RATE_LIMIT": "1000 per minute"}


@pytest.fixture
def check():
    checker = Checker()
    yield checker
    assert checker.problems == []


@pytest.fixture
def world(app, clients, make_ticket):
    from tests.support import world as site_world

    return site_world.build(app, clients, make_ticket)


def test_the_inspector_catches_what_it_looks_for():
    bad = (
        '<script>x</script><a href=" jav&#x09;ascript:alert(1)">a</a><img src=x onerror=y>'
        '<iframe></iframe><form><button formaction="data:text/html,x">b</button></form>'
        '<meta http-equiv="refresh" content="0"><base href="/">'
    )
    assert len(inspect(bad).problems) == 7
    good = '<script src="/static/js/site.js"></script><a href="/wiki/x">&lt;script&gt;</a>'
    inspector = inspect(good)
    assert inspector.problems == [] and "".join(inspector.text) == "<script>"


def test_ticket_texts(app, clients, check):
    """Subject, description, submitter, comments, impact, workaround: staff pages only."""
    tpm, resolver, admin = clients["tpm"], clients["resolver"], clients["admin"]
    ids = []
    for n, payload in enumerate(SHORT):
        ggus_id = 95000 + n
        response = check.post(
            tpm,
            "/tickets/new",
            {
                "ggus_id": str(ggus_id),
                "subject": payload,
                "description": payload,
                "submitter": payload,
                "priority": "urgent",
                "route_to_dmsu": "1",
            },
            shows=[payload],
        )
        assert response.status_code == 302, (payload, response.status_code)
        ids.append(ggus_id)
        for visibility in ("public", "internal"):
            check.post(
                resolver,
                f"/tickets/{ggus_id}/comment",
                {"text": f"{visibility} {payload}", "visibility": visibility},
            )
        check.post(
            resolver,
            f"/tickets/{ggus_id}/fields",
            {
                "priority": "urgent",
                "dmsu_fields": "1",
                "broad_impact": "1",
                "impact": payload,
                "workaround": payload,
            },
        )
        check.get(admin, f"/tickets/{ggus_id}", shows=[payload])
        check.response(resolver.hx("get", f"/tickets/?q={ggus_id}"), f"htmx /tickets/?q={ggus_id}")
    for url in ("/tickets/", "/tickets/?status=open", "/sweep", "/duty", "/tickets/mine"):
        check.get(admin, url)
    check.get(tpm, "/tickets/", shows=SHORT[:20])
    # Refused input is shown again in the form: still text, never markup.
    check.post(tpm, "/tickets/new", {"ggus_id": "x", "subject": SHORT[0], "description": SHORT[1]})
    # A digest of those tickets' week carries their texts to the public.
    from dmsu.core import clock
    from dmsu.digests.drafting import draft_digest
    from dmsu.digests.rota import week_of

    week = week_of(clock.now())
    with app.app_context():
        draft_digest(week)
    check.get(admin, f"/digests/{week}/edit")
    response = check.post(
        clients["assigner"],
        f"/digests/{week}/edit",
        {"version": _digest_version(week), "intro": "\n\n".join(PAYLOADS), "action": "publish"},
    )
    assert response.status_code == 302, _errors(response)
    # Public text is drafted from the tickets' text with its entities decoded (nothing may hide
    # behind them), so that is the text the digest shows.
    from dmsu.core.publictext.letter import decode_entities

    for client in (clients["anonymous"], admin):
        check.get(client, f"/digests/{week}", shows=[decode_entities(p) for p in SHORT[:10]])
        check.get(client, f"/digests/{week}/revisions/1")
        check.get(client, "/digests/")
        check.get(client, "/digests/feed.atom")
        check.get(client, "/digests/operations")
        check.get(client, "/")


def _errors(response) -> list[str]:
    html = response.get_data(as_text=True)
    return re.findall(r'class="(?:form-error|field-error)[^"]*"[^>]*>([^<]*)', html)


def _digest_version(week: str) -> str:
    from dmsu.digests.models import Digest

    return str(Digest.get(Digest.week == week).version)


def test_digest_entries_edited_by_the_shift(app, clients, world, check):
    from dmsu.digests.models import DigestEntry

    assigner, anonymous = clients["assigner"], clients["anonymous"]
    entry = DigestEntry.get_by_id(world.draft_entry_id)
    fields = {}
    for name in ("symptoms", "impact", "workaround"):
        fields[f"entry-{entry.id}-{name}"] = "\n\n".join(PAYLOADS)
    fields[f"entry-{entry.id}-title"] = " ".join(SHORT[:4])
    fields[f"entry-{entry.id}-status_text"] = SHORT[1]
    data = {"version": _digest_version(world.draft_week), "intro": PAYLOADS[0], **fields}
    check.post(assigner, f"/digests/{world.draft_week}/edit", {**data, "action": "preview"})
    check.post(assigner, f"/digests/{world.draft_week}/preview", data)
    response = check.post(
        assigner, f"/digests/{world.draft_week}/edit", {**data, "action": "publish"}
    )
    assert response.status_code == 302, _errors(response)
    for client in (anonymous, assigner):
        check.get(client, f"/digests/{world.draft_week}")
        check.get(client, "/digests/feed.atom")
    check.get(assigner, f"/digests/{world.draft_week}/edit")


def test_requirement_texts(app, clients, world, check):
    resolver = clients["resolver"]
    made = []
    for payload in SHORT:
        response = check.post(
            resolver,
            "/requirements/new",
            {
                "title": payload,
                "description": payload,
                "tags": payload,
                "tickets": str(world.ggus_id),
            },
            shows=[payload],
        )
        assert response.status_code in (302, 303), (payload, response.status_code)
        made.append(response.headers["Location"])
    for url in made[:10]:
        check.get(resolver, url)
    for url in ("/requirements/", "/requirements/tcb", f"/tickets/{world.ggus_id}"):
        check.get(resolver, url, shows=SHORT[:10] if url == "/requirements/" else ())
    check.response(resolver.hx("get", "/requirements/?q=script"), "htmx /requirements/")


def test_user_display_names_and_the_welcome_flash(app, clients, world, check, login):
    from dmsu.auth.models import User

    admin = clients["admin"]
    for n, payload in enumerate(SHORT[:25]):
        check.post(
            admin,
            "/admin/users",
            {
                "username": f"xss{n}",
                "role": "assigner",
                "password": "correct horse battery",
                "display_name": payload,
                "email": f"xss{n}@example.org",
            },
            shows=[f"User xss{n} added."],
        )
        user = User.get(User.username == f"xss{n}")
        client = login(user)
        check.get(client, "/", shows=[f"Welcome, {user.name}."])
        check.post(admin, f"/digests/rota/2014-W{n + 1:02d}", {"user": str(user.id)})
        check.post(
            client, f"/tickets/{world.ggus_id}/comment", {"text": "hello", "visibility": "public"}
        )
    check.get(admin, "/admin/users", shows=SHORT[:25])
    check.get(admin, f"/tickets/{world.ggus_id}")
    for client in (clients["anonymous"], admin):
        check.get(client, "/digests/rota")
        check.get(client, "/digests/rota?from=2014-W01")


def test_cheat_sheet_rows_experts_and_flashes(app, clients, world, check):
    from dmsu.cheatsheet.models import Component

    assigner = clients["assigner"]
    saved = []
    for n, payload in enumerate(SHORT[:25]):
        name = f"Comp{n} {payload}"[:120]
        # An expert is written "Name <email>": a name cannot hold angle brackets.
        expert = payload if not set(payload) & set("<>") else 'Quote" onmouseover="alert(1)"'
        response = check.post(
            assigner,
            "/cheatsheet/new",
            {
                "component": name,
                "aliases": "",
                "description": payload,
                "support_unit": "CREAM",
                "partners": "INFN",
                "experts": f"Ex{n} {expert} <ex{n}@example.org>",
                "doc_url": "javascript:alert(1)" if n % 2 else "https://example.org/docs",
                "forums": "",
            },
        )
        if response.status_code == 302:
            saved.append(name)
    assert saved, "no cheat-sheet row with a payload in its name was accepted"
    for client in (clients["anonymous"], assigner):
        check.get(client, "/cheatsheet/", shows=saved[:5])
        check.get(client, "/cheatsheet/?q=script")
        for component in Component.select().where(Component.name.startswith("Comp"))[:8]:
            check.get(client, f"/components/{component.slug}", shows=[component.name])
            check.get(client, f"/components/{component.slug}/row")
    check.get(assigner, "/cheatsheet/history")
    check.get(clients["tpm"], "/cheatsheet/route?text=" + "%3Cscript%3E")


def test_token_names_recommendations_and_wiki_flashes(app, clients, world, check):
    from dmsu.api.tokens import create_token  # noqa: F401  (the form below uses it)
    from dmsu.auth.models import ApiToken

    admin, assigner, resolver = clients["admin"], clients["assigner"], clients["resolver"]
    for payload in SHORT[:15]:
        check.post(admin, "/admin/api-tokens", {"name": payload, "user_id": ""})
    check.get(admin, "/admin/api-tokens", shows=SHORT[:15])
    token = ApiToken.select().order_by(ApiToken.id.desc()).first()
    check.post(admin, f"/admin/api-tokens/{token.id}/revoke", {}, shows=[f"Token '{token.name}'"])
    for payload in SHORT[:15]:
        check.post(
            assigner,
            f"/metrics/recommendations/{world.quarter}",
            {"title": payload, "text": payload, "risk": payload, "improvement": payload},
        )
    check.get(assigner, f"/metrics/recommendations/{world.quarter}", shows=SHORT[:15])
    check.get(clients["anonymous"], f"/metrics/report/{world.quarter}")
    for n, payload in enumerate(SHORT[:15]):
        check.post(
            resolver,
            "/wiki/new",
            {
                "title": f"P{n} {payload}",
                "markdown": payload,
                "visibility": "public",
                "tags": "xss",
                "summary": payload,
            },
            shows=[f"P{n} {payload}"],
        )
    for client in (clients["anonymous"], resolver):
        for url in ("/wiki/", "/wiki/changes", "/wiki/changes.atom", "/wiki/tags/xss"):
            check.get(client, url)
        check.get(client, "/wiki/search?q=alert")
        check.get(client, "/search?q=alert")
