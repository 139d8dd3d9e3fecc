"""Pages rendered again while someone saves: when a page is created, the pages linking to it
are rendered again (raced over real HTTP against a live server), and ``wiki-rerender``
renders every page again; neither may put an older revision's text back over a save."""

from __future__ import annotations

import threading
from functools import partial

import pytest

from dmsu.core.db import database
from dmsu.wiki import links
from dmsu.wiki.cli import rerender_all
from dmsu.wiki.models import Page, Revision
from dmsu.wiki.pages import Draft, create_page, save_page
from tests.support.live_http import LiveSession, hidden_fields, race

ROUNDS = 15
EDIT = "/wiki/linker/edit"


@pytest.fixture
def writers(live_server, make_user):
    return (
        LiveSession(live_server.url).log_in(make_user("resolver")),
        LiveSession(live_server.url).log_in(make_user("assigner")),
    )


def test_creating_a_linked_page_keeps_the_linker_s_new_text(writers, make_user):
    editor, creator = writers
    linker = create_page(Draft(title="Linker", markdown="[[Target 0]]"), make_user("resolver"))
    for n in range(ROUNDS):
        text = f"Text of round {n}."
        form = {
            **hidden_fields(editor.get(EDIT).text, EDIT),
            "title": "Linker",
            "markdown": f"[[Target {n}]] {text}",
            "visibility": "internal",
        }
        target = {
            "title": f"Target {n}",
            "markdown": "The page linked to.",
            "visibility": "internal",
        }
        saved, created = race(
            partial(editor.form, EDIT, form),
            partial(creator.form, "/wiki/new", target),
        )
        assert saved.status_code == 302, f"round {n}: the save answered {saved.status_code}"
        assert created.status_code == 302, f"round {n}: the creation answered {created.status_code}"
        stored = Page.get_by_id(linker.id)
        latest = Revision.get(
            (Revision.page == linker.id) & (Revision.number == stored.revision_number)
        )
        assert text in latest.markdown
        assert text in stored.html, f"round {n}: the page shows an older revision's text"


def test_rendering_every_page_again_keeps_a_save_made_meanwhile(app, make_user, monkeypatch):
    editor = make_user("resolver")
    page = create_page(Draft(title="Busy", markdown="The old text."), editor)
    render = links.render_page

    def save_from_another_connection() -> None:
        database.connect(reuse_if_open=True)
        try:
            save_page(Page.get_by_id(page.id), Draft(title="Busy", markdown="New text."), editor, 1)
        finally:
            database.close()

    def render_while_someone_saves(markdown, visibility, *, self_slug=None):
        rendered = render(markdown, visibility, self_slug=self_slug)
        if markdown == "The old text.":
            saver = threading.Thread(target=save_from_another_connection)
            saver.start()
            saver.join(timeout=30)
        return rendered

    monkeypatch.setattr(links, "render_page", render_while_someone_saves)
    rendered = rerender_all()
    stored = Page.get_by_id(page.id)
    assert stored.revision_number == 2
    assert "New text." in stored.html and "old text" not in stored.html
    assert rendered == 0  # the save rendered its own text
