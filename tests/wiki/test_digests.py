"""Solution digests from tickets, the partials of ticket and component pages, seed content
and demo pages."""

from __future__ import annotations

import random
from pathlib import Path

import click
import pytest
from flask import render_template
from flask_login import login_user

from dmsu.core import clock
from dmsu.core.config import ROOT
from dmsu.tickets.models import TicketEvent
from dmsu.wiki import content, demo
from dmsu.wiki.models import Page, Revision
from dmsu.wiki.pages import Draft, create_page
from tests.support.queries import QueryCounter

SOLVED = [
    {"at": "2013-01-07T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
    {"at": "2013-01-08T09:00:00+00:00", "type": "assigned", "support_unit": "CREAM"},
    {"at": "2013-01-20T09:00:00+00:00", "type": "status", "status": "solved"},
]


@pytest.fixture
def editor(make_user):
    return make_user("resolver", "rita", display_name="Rita Resolver")


@pytest.fixture
def editor_client(login, editor):
    return login(editor)


@pytest.fixture
def ticket(make_ticket):
    return make_ticket(
        91039,
        events=SOLVED,
        subject="CREAM jobs fail after proxy renewal",
        description="Jobs abort with 'proxy expired'.\nSeen at two sites.",
        workaround="Restart tomcat after the certificate update.",
        lack_of_expertise=True,
        component="CREAM CE",
    )


def test_the_new_page_form_is_prefilled_from_the_ticket(editor_client, ticket):
    html = editor_client.get("/wiki/new?ticket=91039").get_data(as_text=True)
    assert 'value="Solution digest: CREAM jobs fail after proxy renewal (#91039)"' in html
    assert "Ticket: #91039" in html
    assert "Component: CREAM CE" in html
    assert "&gt; Jobs abort with &#39;proxy expired&#39;." in html
    assert "## Cause" in html and "## Solution" in html
    assert "## Workaround\n\nRestart tomcat after the certificate update." in html
    assert f'name="ticket_id" value="{ticket.id}"' in html
    assert editor_client.get("/wiki/new?ticket=1").status_code == 404


def test_saving_a_digest_links_page_ticket_and_component(editor_client, ticket):
    form = {
        "title": "Solution digest: CREAM jobs fail after proxy renewal (#91039)",
        "markdown": "Ticket: #91039\n\n## Solution\n\nRestart.",
        "visibility": "internal",
        "tags": "solution-digest",
        "component": str(ticket.component_id),
        "ticket_id": str(ticket.id),
    }
    response = editor_client.form("/wiki/new", form)
    assert response.status_code == 302
    page = Page.get()
    assert page.ticket_id == ticket.id and page.component_id == ticket.component_id
    events = TicketEvent.select().where(
        TicketEvent.ticket == ticket.id, TicketEvent.kind == "digest"
    )
    assert events.count() == 1  # the ticket workflow recorded the link
    html = editor_client.get(f"/wiki/{page.slug}").get_data(as_text=True)
    assert "solution digest of ticket" in html and 'href="/tickets/91039"' in html
    assert "/components/cream-ce" in html


def test_the_ticket_partial_lists_digests_and_mentions_in_one_query(app, editor, ticket):
    digest = create_page(
        Draft(title="Digest", markdown="x", ticket_id=ticket.id, component_id=ticket.component_id),
        editor,
    )
    create_page(Draft(title="Mentions it", markdown="see #91039"), editor)
    create_page(Draft(title="Unrelated", markdown="see #12345"), editor)
    with app.test_request_context():
        login_user(editor)
        html = render_template("wiki/_ticket_digests.html", ticket=ticket)
    assert f'href="/wiki/{digest.slug}">Digest</a>' in html
    assert ">Mentions it</a>" in html and "(mentions this ticket)" in html
    assert "Unrelated" not in html
    assert 'href="/wiki/new?ticket=91039"' in html and "Write a solution digest" in html


def test_the_component_partial_splits_known_issues_and_respects_visibility(
    app, editor, ticket, client
):
    component = ticket.component
    create_page(
        Draft(
            title="Known issue: X",
            markdown="x",
            visibility="public",
            tags="known-issue",
            component_id=component.id,
        ),
        editor,
    )
    create_page(Draft(title="Internal digest", markdown="x", component_id=component.id), editor)
    with app.test_request_context():
        anonymous = render_template("wiki/_component_pages.html", component=component)
        login_user(editor)
        staff = render_template("wiki/_component_pages.html", component=component)
    assert "Known issues" in anonymous and ">Known issue: X</a>" in anonymous
    assert "Internal digest" not in anonymous
    assert ">Internal digest</a>" in staff


def test_partials_use_one_query_each(app, editor, ticket):

    for i in range(5):
        create_page(
            Draft(title=f"Digest {i}", markdown="#91039", component_id=ticket.component_id),
            editor,
        )
    with app.test_request_context():
        login_user(editor)
        with QueryCounter(at="execute_sql") as queries:
            render_template("wiki/_ticket_digests.html", ticket=ticket)
            ticket_queries = len(queries)
            render_template("wiki/_component_pages.html", component=ticket.component)
    assert ticket_queries == 1
    assert len(queries) - ticket_queries == 1


def test_seed_pages_load_once_and_keep_edits(app):
    folder = ROOT / "content"
    lines = content.load_content(folder)
    count = Page.select().count()
    assert count >= 5 and lines == [f"Wiki pages: {count} new, 0 kept as they are."]
    route = Page.get(Page.slug == "how-to-route-a-ticket-to-dmsu")
    assert route.visibility == "public" and "routing" in route.tag_list
    assert Page.get(Page.slug == "writing-a-solution-digest").visibility == "internal"
    known = Page.get(
        Page.slug == "known-issue-cream-ce-proxy-renewal-fails-after-a-host-certificate-update"
    )
    assert known.is_known_issue
    # the first revision's summary is a sentence for readers of the history, not a file path
    first = route.revisions.order_by(Revision.id).first()
    assert first.summary == "First version, from the site's seed content"
    assert content.load_content(folder) == [f"Wiki pages: 0 new, {count} kept as they are."]


def test_a_bad_content_file_names_the_problem(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "bad.md").write_text("---\ntitel: oops\n---\ntext\n")
    with pytest.raises(click.ClickException, match="bad.md, line 2"):
        content.load_content(tmp_path)
    (tmp_path / "pages" / "bad.md").write_text("no front matter")
    with pytest.raises(click.ClickException, match="must start with"):
        content.load_content(tmp_path)


def test_demo_writes_digests_for_solved_lack_of_expertise_tickets(app, make_ticket, make_user):
    for n in range(4):
        make_ticket(95000 + n, events=SOLVED, lack_of_expertise=True, component="dCache")
    make_ticket(96000, events=SOLVED, lack_of_expertise=False)
    rita = make_user("resolver", "rita")
    ctx = type("Ctx", (), {})()
    ctx.users, ctx.rng, ctx.end = {"rita": rita}, random.Random(1), clock.now()
    summary = demo.load(ctx)
    assert summary.startswith("Wiki: 4 solution digests")
    assert Page.select().where(Page.ticket.is_null(False)).count() == 4
    assert Page.select().where(Page.tags.contains("known-issue")).count() >= 1
    assert demo.load(ctx).startswith("Wiki: 0 solution digests, 0 known-issue")


def test_every_content_file_parses(tmp_path):
    for path in sorted(Path(ROOT / "content" / "pages").glob("*.md")):
        draft = content.parse_page(path.read_text(), path.name)
        assert draft.title and draft.visibility in {"internal", "public"}


def test_wiki_rerender_renders_every_page_again(runner, make_user):
    editor = make_user("resolver", "rita")
    create_page(Draft(title="Linker", markdown="[[Later]] **b**"), editor)
    Page.update(html="stale").execute()
    result = runner.invoke(args=["dmsu", "wiki-rerender"])
    assert result.exit_code == 0, result.output
    assert "Wiki pages rendered again: 1." in result.output
    assert "<strong>b</strong>" in Page.get().html and "missing" in Page.get().html
