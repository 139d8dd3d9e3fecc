"""Stored XSS: every place a wiki text reaches HTML, checked with a broad payload list.

render.py's own tests cover the renderer; these cover the pages: the rendered page, the
preview, the diff view, history, revisions, search snippets, the feed, page titles, user
names, flash messages, the conflict message and the partials other areas include.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from dmsu.wiki.models import Page
from dmsu.wiki.pages import Draft, create_page, save_page
from tests.support.xss import PAYLOADS

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "background"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "svg", "math", "style", "base", "frame", "applet"}


def url_scheme(value: str) -> str | None:
    """The scheme a browser reads (WHATWG URL: outer C0/space stripped, tab/newline removed)."""
    cleaned = re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(33)))))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else None


class DangerFinder(HTMLParser):
    """Lists what could run script in a page, allowing the site's own markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            self.problems.append(f"inline script: {attrs}")
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in attributes:
            self.problems.append("meta http-equiv")
        if tag == "form" and not (attributes.get("action") or "/").startswith("/"):
            self.problems.append(f"form action {attributes.get('action')}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                scheme = url_scheme(value)
                if scheme is not None and scheme not in {"http", "https", "mailto"}:
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def assert_safe(html: str, where: str) -> None:
    finder = DangerFinder()
    finder.feed(html)
    finder.close()
    assert not finder.problems, f"{where}: {finder.problems}"


BODY = "\n\n".join(f"Payload {i}: {payload}" for i, payload in enumerate(PAYLOADS))


@pytest.fixture
def evil_editor(make_user):
    return make_user("resolver", "mallory", display_name="Mallory <img src=x onerror=alert(1)>")


@pytest.fixture
def evil_pages(evil_editor):
    """A public page per payload (in its title, text, tags and summary), saved twice; the
    second revisions of the first pages carry every payload, so diffs show them all."""
    slugs = []
    for i, payload in enumerate(PAYLOADS):
        title = f"{payload} {i}"
        page = create_page(
            Draft(
                title=title,
                markdown=f"{payload}\n\nproxy word\n\n[[{title}]]",
                visibility="public",
                tags=payload,
                summary=payload,
            ),
            evil_editor,
        )
        save_page(
            page,
            Draft(
                title=title,
                markdown=f"{payload}\n\n{BODY if i < 4 else ''}\n\nproxy edited",
                visibility="public",
                summary=f"second {payload}",
            ),
            evil_editor,
            1,
        )
        slugs.append(Page.get_by_id(page.id).slug)
    return slugs


def _urls(slugs):
    yield "/wiki/"
    yield "/wiki/changes"
    yield "/wiki/search?q=proxy"
    for slug in slugs:
        yield f"/wiki/{slug}"
        yield f"/wiki/{slug}/history"
        yield f"/wiki/{slug}/diff?from=1&to=2"
        yield f"/wiki/{slug}/revisions/1"


def test_every_wiki_view_is_safe_for_anonymous_readers(evil_pages, client):
    for url in _urls(evil_pages):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_safe(response.get_data(as_text=True), url)


def test_every_wiki_view_is_safe_for_staff_with_an_evil_name(evil_pages, login, evil_editor):
    staff = login(evil_editor)
    for url in [*_urls(evil_pages), *(f"/wiki/{s}/edit" for s in evil_pages[:10])]:
        response = staff.get(url)
        assert response.status_code == 200, url
        assert_safe(response.get_data(as_text=True), url)
    for tag in {t for p in Page.select(Page.tags) for t in p.tag_list}:
        assert_safe(staff.get(f"/wiki/tags/{tag}").get_data(as_text=True), tag)


def test_search_snippets_and_htmx_results_are_safe(evil_pages, client):
    for word in ("proxy", "script", "alert", "javascript", "onerror", "img"):
        response = client.get(f"/wiki/search?q={word}", headers={"HX-Request": "true"})
        assert_safe(response.get_data(as_text=True), word)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_preview_is_safe(payload, login, make_user):
    editor = login(make_user("resolver"))
    response = editor.hx("post", "/wiki/preview", {"markdown": payload, "visibility": "public"})
    assert response.status_code == 200
    assert_safe(response.get_data(as_text=True), payload)


def test_form_previews_errors_and_flash_messages_are_safe(login, evil_editor):
    editor = login(evil_editor)
    for i, payload in enumerate(PAYLOADS):
        preview = editor.form(
            "/wiki/new",
            {"title": payload, "markdown": payload, "visibility": "public", "action": "preview"},
        )
        assert_safe(preview.get_data(as_text=True), f"preview {payload}")
        error = editor.form("/wiki/new", {"title": "", "markdown": payload, "tags": payload})
        assert error.status_code == 400
        assert_safe(error.get_data(as_text=True), f"error {payload}")
        created = editor.form(
            "/wiki/new",
            {"title": f"{payload} {i}", "markdown": payload, "visibility": "internal"},
            follow_redirects=True,
        )
        assert created.status_code == 200
        html = created.get_data(as_text=True)
        assert "created." in html  # the flash message with the title in it
        assert_safe(html, f"flash {payload}")


def test_the_conflict_view_is_safe(login, evil_editor, make_user):
    page = create_page(Draft(title="Shared", markdown="base"), evil_editor)
    save_page(page, Draft(title="Shared", markdown=BODY, summary=PAYLOADS[0]), evil_editor, 1)
    other = login(make_user("assigner"))
    response = other.form(
        "/wiki/shared/edit",
        {"title": PAYLOADS[1], "markdown": PAYLOADS[2], "base_revision": "1"},
    )
    assert response.status_code == 409
    assert_safe(response.get_data(as_text=True), "conflict")


def test_the_feed_escapes_text_and_carries_only_sanitised_html(evil_pages, client):
    response = client.get("/wiki/changes.atom")
    assert response.status_code == 200
    root = ET.fromstring(response.data)  # noqa: S314 (our own feed)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert entries
    for entry in entries:
        content = entry.find("a:content", ns)
        assert content.get("type") == "html"
        assert_safe(content.text or "", "feed content")
        for name in ("a:title", "a:summary", "a:author/a:name"):
            node = entry.find(name, ns)
            if node is not None:
                assert node.get("type") in (None, "text"), name


def test_partials_for_tickets_and_components_are_safe(
    app, evil_pages, make_ticket, login, evil_editor
):
    from flask import render_template

    from dmsu.wiki.models import Page as WikiPage

    ticket = make_ticket(91039, subject=PAYLOADS[0], component="CREAM CE")
    WikiPage.update(ticket=ticket.id, component=ticket.component_id).execute()
    with app.test_request_context():
        from flask_login import login_user

        login_user(evil_editor)
        html = render_template("wiki/_ticket_digests.html", ticket=ticket)
        html += render_template("wiki/_component_pages.html", component=ticket.component)
    assert html.count("<li>") >= len(PAYLOADS)
    assert_safe(html, "partials")
