"""Wiki pages over HTTP: create, view, edit, history, diff, revert, visibility, bad input."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from dmsu.wiki.models import Page, PageLink, PageTag, Revision
from dmsu.wiki.pages import Draft, create_page, save_page
from tests.support.queries import QueryCounter


@pytest.fixture
def editor(make_user):
    return make_user("resolver", "rita", display_name="Rita Resolver")


@pytest.fixture
def editor_client(login, editor):
    return login(editor)


def base_revision(html: str) -> int:
    return int(re.search(r'name="base_revision" value="(\d+)"', html).group(1))


def test_an_editor_creates_a_page_and_reads_it_back(editor_client):
    response = editor_client.form(
        "/wiki/new",
        {
            "title": "CREAM proxy renewal",
            "markdown": "# Cause\n\nThe **delegation** service. See #91039.",
            "visibility": "internal",
            "tags": "cream, Known Issue",
            "summary": "first notes",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wiki/cream-proxy-renewal")
    page = Page.get(Page.slug == "cream-proxy-renewal")
    assert page.revision_number == 1
    assert "<strong>delegation</strong>" in page.html
    assert page.tags == "cream known-issue"
    assert {t.tag for t in PageTag.select()} == {"cream", "known-issue"}
    revision = Revision.get(Revision.page == page.id)
    assert (revision.number, revision.summary, revision.author.username) == (
        1,
        "first notes",
        "rita",
    )
    html = editor_client.get("/wiki/cream-proxy-renewal").get_data(as_text=True)
    assert "<strong>delegation</strong>" in html
    assert "Tickets referenced" in html and "ticket_id=91039" in html  # the GGUS link


def test_every_save_is_a_revision_with_history_and_diff(editor_client, editor):
    page = create_page(Draft(title="Notes", markdown="line one\nline two\n"), editor)
    edit_html = editor_client.get("/wiki/notes/edit").get_data(as_text=True)
    assert base_revision(edit_html) == 1
    response = editor_client.form(
        "/wiki/notes/edit",
        {
            "title": "Notes",
            "markdown": "line one\nline 2 <b>changed</b>\n",
            "visibility": "internal",
            "base_revision": "1",
            "summary": "fix the second line",
        },
    )
    assert response.status_code == 302
    assert Page.get_by_id(page.id).revision_number == 2
    history = editor_client.get("/wiki/notes/history").get_data(as_text=True)
    assert "fix the second line" in history and "Rita Resolver" in history
    diff = editor_client.get("/wiki/notes/diff?from=1&to=2").get_data(as_text=True)
    assert '<del><span class="visually-hidden">removed: </span>line two</del>' in diff
    assert "line 2 &lt;b&gt;changed&lt;/b&gt;</ins>" in diff
    assert editor_client.get("/wiki/notes/diff?from=1&to=9").status_code == 404


def test_revert_makes_a_new_revision_with_the_old_text(editor_client, editor):
    page = create_page(Draft(title="Notes", markdown="original"), editor)
    page = save_page(page, Draft(title="Notes", markdown="vandalised"), editor, 1)
    response = editor_client.form("/wiki/notes/revert/1", {"base_revision": "2"})
    assert response.status_code == 302
    page = Page.get_by_id(page.id)
    assert page.revision_number == 3 and "original" in page.html
    latest = Revision.get(Revision.page == page.id, Revision.number == 3)
    assert latest.markdown == "original" and latest.summary == "Reverted to revision 1"
    assert Revision.select().where(Revision.page == page.id).count() == 3


def test_a_stale_revert_is_refused(editor_client, editor):
    page = create_page(Draft(title="Notes", markdown="a"), editor)
    save_page(page, Draft(title="Notes", markdown="b"), editor, 1)
    response = editor_client.form("/wiki/notes/revert/1", {"base_revision": "1"})
    assert response.status_code == 302
    assert Page.get_by_id(page.id).revision_number == 2
    assert "after you started editing" in editor_client.get("/wiki/notes/history").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "Give the page a title."),
        ("   ", "Give the page a title."),
        ("★★★ ✓✓", "needs at least one letter or digit"),
        ("New", "a name the wiki uses itself"),
        ("x" * 201, "at most 200 characters"),
    ],
)
def test_bad_titles_get_one_sentence_and_keep_the_text(editor_client, title, message):
    text = "My careful notes\n\nwith two paragraphs"
    response = editor_client.form(
        "/wiki/new", {"title": title, "markdown": text, "visibility": "internal"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "My careful notes\n\nwith two paragraphs</textarea>" in html
    assert Page.select().count() == 0


def test_a_duplicate_title_is_refused_case_insensitively(editor_client, editor):
    create_page(Draft(title="CREAM notes", markdown="x"), editor)
    response = editor_client.form(
        "/wiki/new", {"title": "cream NOTES", "markdown": "my text", "visibility": "internal"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "already exists" in html and "my text</textarea>" in html
    same_slug = editor_client.form(
        "/wiki/new", {"title": "CREAM: notes!", "markdown": "t", "visibility": "internal"}
    )
    assert same_slug.status_code == 400
    assert Page.select().count() == 1


def test_renaming_onto_another_pages_title_is_refused(editor_client, editor):
    create_page(Draft(title="First", markdown="x"), editor)
    create_page(Draft(title="Second", markdown="y"), editor)
    response = editor_client.form(
        "/wiki/second/edit",
        {"title": "first", "markdown": "y2", "visibility": "internal", "base_revision": "1"},
    )
    assert response.status_code == 400
    assert "y2</textarea>" in response.get_data(as_text=True)


def test_internal_pages_are_404_for_anonymous_readers_everywhere(client, editor):
    create_page(Draft(title="Secret internal thing", markdown="hidden words"), editor)
    for url in (
        "/wiki/secret-internal-thing",
        "/wiki/secret-internal-thing/history",
        "/wiki/secret-internal-thing/diff?from=1&to=1",
        "/wiki/secret-internal-thing/revisions/1",
        "/wiki/secret-internal-thing/attachments",
        "/wiki/secret-internal-thing/edit",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Secret internal" not in response.get_data(as_text=True)
    for url in ("/wiki/", "/wiki/changes", "/wiki/changes.atom", "/wiki/search?q=hidden"):
        body = client.get(url).get_data(as_text=True)
        assert "Secret internal" not in body and "hidden words" not in body, url


def test_a_missing_page_answers_404_and_offers_creation_to_editors(client, editor_client):
    assert client.get("/wiki/not-there").status_code == 404
    response = editor_client.get("/wiki/not-there")
    assert response.status_code == 404
    assert "/wiki/new?title=not-there" in response.get_data(as_text=True)


def test_staff_without_wiki_edit_can_read_internal_but_not_edit(login, make_user, editor):
    create_page(Draft(title="Internal", markdown="text"), editor)
    tpm = login(make_user("tpm"))
    assert tpm.get("/wiki/internal").status_code == 200
    assert tpm.get("/wiki/internal/edit").status_code == 403
    assert tpm.get("/wiki/new").status_code == 403
    response = tpm.form("/wiki/new", {"title": "X", "markdown": "y", "visibility": "public"})
    assert response.status_code == 403 and Page.select().count() == 1


def test_anonymous_new_page_goes_to_login(client):
    response = client.get("/wiki/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wiki_links_record_backlinks_and_missing_targets(editor_client, editor, client):
    create_page(Draft(title="Target", markdown="t", visibility="public"), editor)
    create_page(
        Draft(title="Linker", markdown="See [[Target]] and [[Nowhere]].", visibility="public"),
        editor,
    )
    linker = Page.get(Page.slug == "linker")
    assert 'href="/wiki/target" class="wikilink"' in linker.html or (
        'class="wikilink" href="/wiki/target"' in linker.html
    )
    assert re.search(
        r'class="wikilink missing"[^>]*href="/wiki/nowhere"|href="/wiki/nowhere"'
        r'[^>]*class="wikilink missing"',
        linker.html,
    )
    assert {link.target_slug for link in PageLink.select()} == {"target", "nowhere"}
    target_html = client.get("/wiki/target").get_data(as_text=True)
    assert 'href="/wiki/linker">Linker</a>' in target_html


def test_creating_a_page_fixes_links_that_were_missing(editor):
    create_page(Draft(title="Linker", markdown="[[Later]]", visibility="internal"), editor)
    assert "missing" in Page.get(Page.slug == "linker").html
    create_page(Draft(title="Later", markdown="now here"), editor)
    assert "missing" not in Page.get(Page.slug == "linker").html


def test_public_pages_show_links_to_internal_pages_as_missing(editor, client):
    create_page(Draft(title="Hidden target", markdown="secret"), editor)
    create_page(Draft(title="Open page", markdown="[[Hidden target]]", visibility="public"), editor)
    html = client.get("/wiki/open-page").get_data(as_text=True)
    assert "wikilink missing" in html
    nowhere = client.get("/wiki/hidden-target")
    assert nowhere.status_code == 404
    missing = client.get("/wiki/no-such-page1").get_data(as_text=True)
    assert nowhere.get_data(as_text=True).replace("hidden-target", "no-such-page1") == missing
    # The internal page's backlinks to staff are not shown to the public: making the target
    # public turns the link into a real one.
    target = Page.get(Page.slug == "hidden-target")
    save_page(
        target, Draft(title="Hidden target", markdown="now open", visibility="public"), editor, 1
    )
    assert "missing" not in Page.get(Page.slug == "open-page").html


def test_backlinks_from_internal_pages_are_hidden_from_anonymous_readers(editor, client, login):
    create_page(Draft(title="Public target", markdown="x", visibility="public"), editor)
    create_page(Draft(title="Secret linker", markdown="[[Public target]]"), editor)
    assert "Secret linker" not in client.get("/wiki/public-target").get_data(as_text=True)
    assert "Secret linker" in login(editor).get("/wiki/public-target").get_data(as_text=True)


def test_anonymous_history_shows_only_revisions_saved_while_public(editor, client):
    page = create_page(Draft(title="Grows up", markdown="draft with internal gossip"), editor)
    save_page(page, Draft(title="Grows up", markdown="clean text", visibility="public"), editor, 1)
    history = client.get("/wiki/grows-up/history").get_data(as_text=True)
    assert "/wiki/grows-up/revisions/2" in history
    assert "/wiki/grows-up/revisions/1" not in history
    assert client.get("/wiki/grows-up/revisions/1").status_code == 404
    assert client.get("/wiki/grows-up/diff?from=1&to=2").status_code == 404
    diff = client.get("/wiki/grows-up/diff?to=2").get_data(as_text=True)
    assert "gossip" not in diff


def test_tags_list_visible_pages(editor, client):
    create_page(Draft(title="Open", markdown="x", visibility="public", tags="cream"), editor)
    create_page(Draft(title="Closed", markdown="x", tags="cream"), editor)
    html = client.get("/wiki/tags/cream").get_data(as_text=True)
    assert ">Open</a>" in html and "Closed" not in html
    assert client.get("/wiki/tags/Bad%20Tag").status_code == 404


def test_the_preview_renders_and_sanitises(editor_client):
    response = editor_client.hx(
        "post", "/wiki/preview", {"markdown": "**hi** <script>alert(1)</script>"}
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<strong>hi</strong>" in body and "<script" not in body
    assert "<html" not in body  # the partial only
    form = editor_client.form(
        "/wiki/new", {"title": "P", "markdown": "*em*", "action": "preview", "visibility": "public"}
    )
    assert form.status_code == 200 and "<em>em</em>" in form.get_data(as_text=True)
    assert Page.select().count() == 0


def test_preview_needs_an_editor(client, tpm_client):
    assert client.hx("post", "/wiki/preview", {"markdown": "x"}).status_code in (302, 401)
    assert tpm_client.hx("post", "/wiki/preview", {"markdown": "x"}).status_code == 403


def test_index_lists_pages_and_recent_changes(editor, client):
    create_page(Draft(title="Alpha", markdown="x", visibility="public"), editor)
    create_page(Draft(title="Beta", markdown="x"), editor)
    html = client.get("/wiki/").get_data(as_text=True)
    assert ">Alpha</a>" in html and "Beta" not in html
    assert 'type="application/atom+xml"' in html


def _section(html: str, anchor: str) -> str:
    """The group of the index whose heading has id ``anchor``."""
    return re.search(rf'aria-labelledby="{anchor}">(.*?)</section>', html, re.DOTALL).group(1)


def test_the_index_groups_pages_by_component_and_by_tag(editor, client):
    from dmsu.cheatsheet.models import Component

    dcache = Component.create(name="dCache", slug="dcache")
    for title, tags, component in (
        ("Known issue: SRM door", "known-issue dcache", dcache.id),
        ("Solution digest: pool full", "solution-digest", dcache.id),
        ("How to route", "routing", None),
    ):
        draft = Draft(title=title, markdown="x", visibility="public", tags=tags)
        create_page(replace(draft, component_id=component), editor)
    html = client.get("/wiki/").get_data(as_text=True)
    group = _section(html, "component-dcache")
    assert ">Known issue: SRM door</a>" in group and ">Solution digest: pool full</a>" in group
    assert 'href="/components/dcache"' in group
    assert ">How to route</a>" in _section(html, "component-none")
    assert html.index('id="component-dcache"') < html.index('id="component-none"')
    by_tag = client.get("/wiki/?by=tag").get_data(as_text=True)
    assert ">How to route</a>" in _section(by_tag, "tag-routing")
    assert ">Known issue: SRM door</a>" in _section(by_tag, "tag-dcache")
    assert ">Known issue: SRM door</a>" in _section(by_tag, "tag-known-issue")
    assert "pool full" not in _section(by_tag, "tag-dcache")
    assert client.get("/wiki/?by=nonsense").status_code == 200


def test_the_side_column_says_when_a_page_was_edited_and_by_whom_to_staff_only(
    editor, client, editor_client
):
    create_page(
        Draft(
            title="Alpha",
            markdown="x",
            visibility="public",
            tags="cream",
            summary="Loaded from content/pages/alpha.md",
        ),
        editor,
    )
    public = client.get("/wiki/").get_data(as_text=True)
    staff = editor_client.get("/wiki/").get_data(as_text=True)
    for html in (public, staff):
        assert "Loaded from" not in html
        recent = html[html.index("Recently edited") :]
        assert re.search(r'edited <time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">', recent)
        assert 'href="/wiki/tags/cream"' in recent
    assert "Rita Resolver" not in public
    assert "by Rita Resolver" in staff


def test_markdown_help_is_public(client):
    html = client.get("/wiki/help").get_data(as_text=True)
    assert "[[Page name]]" in html and "#12345" in html


def _queries_of(client, url, **kwargs):
    with QueryCounter(
        keep=lambda sql: sql.strip().upper() != "SELECT 1", at="execute_sql"
    ) as counter:
        response = client.get(url, **kwargs)
    return response, counter.statements


def test_a_page_view_costs_two_queries_whatever_the_links_and_files(editor, client):
    from dmsu.wiki.models import Attachment

    target = create_page(
        Draft(title="Target", markdown="#12345 #23456 [[A]]", visibility="public"), editor
    )
    for i in range(12):
        create_page(Draft(title=f"Linker {i}", markdown="[[Target]]", visibility="public"), editor)
        Attachment.create(
            page=target.id,
            filename=f"f{i}.txt",
            stored_name=f"s{i}",
            content_type="text/plain",
            size=1,
        )
    client.get("/wiki/help")  # the once-per-process schema check
    response, queries = _queries_of(client, "/wiki/target")
    assert response.status_code == 200 and "Linker 11" in response.get_data(as_text=True)
    page_queries = [q for q in queries if "page_cache_stamp" not in q]
    assert len(page_queries) == 2 and len(queries) == 3, queries  # and the page cache's stamp
    cached, queries = _queries_of(
        client, "/wiki/target", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert cached.status_code == 304 and len(queries) == 1
    again, queries = _queries_of(client, "/wiki/target")  # from the page cache: the stamp only
    assert again.data == response.data and len(queries) == 1, queries


def test_control_characters_are_dropped_from_text_and_titles(editor_client):
    response = editor_client.form(
        "/wiki/new",
        {"title": "Nul\x00 title", "markdown": "a\x00b\x07c\td\n", "visibility": "internal"},
    )
    assert response.status_code == 302
    page = Page.get()
    assert page.title == "Nul title"
    assert Revision.get().markdown == "abc\td\n"


@pytest.mark.parametrize(
    "url",
    [
        "/wiki/?page=99999999999999999999999",
        "/wiki/changes?page=99999999999999999999999",
        "/wiki/search?q=a&page=99999999999999999999999",
        "/wiki/notes/history?page=-99999999999999999999999",
    ],
)
def test_absurd_page_numbers_are_clamped(editor_client, editor, url):
    create_page(Draft(title="Notes", markdown="a"), editor)
    assert editor_client.get(url).status_code == 200


@pytest.mark.parametrize("slug", ["a%00b", "UPPER", "a--b", "%E2%98%85", "-x"])
def test_addresses_that_are_not_slugs_are_404_without_asking_the_database(editor_client, slug):
    for url in (f"/wiki/{slug}", f"/wiki/{slug}/history", f"/api/v1/pages/{slug}"):
        assert editor_client.get(url).status_code == 404, url


def test_huge_numbers_in_addresses_and_forms_are_refused_cleanly(editor_client, editor):
    create_page(Draft(title="Notes", markdown="a"), editor)
    huge = "99999999999999999999999"
    for url in (
        f"/wiki/notes/revisions/{huge}",
        f"/wiki/notes/files/{huge}/x.png",
        f"/wiki/notes/diff?from={huge}&to=1",
        f"/wiki/notes/diff?to={huge}",
        f"/wiki/new?ticket={huge}",
    ):
        assert editor_client.get(url).status_code == 404, url
    edit = editor_client.form(
        "/wiki/notes/edit",
        {"title": "Notes", "markdown": "b", "base_revision": huge, "component": huge},
    )
    assert edit.status_code == 400 and "b</textarea>" in edit.get_data(as_text=True)
    created = editor_client.form(
        "/wiki/new", {"title": "Other", "markdown": "c", "component": huge, "ticket_id": huge}
    )
    assert created.status_code == 302
    assert editor_client.form("/wiki/notes/revert/1", {"base_revision": huge}).status_code == 302
