"""Recent changes, the Atom feed, conditional GET, and attachments with safe headers."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from dmsu.core import clock
from dmsu.wiki.models import Attachment, Page
from dmsu.wiki.pages import Draft, create_page, save_page
from tests.support.atom import author_names, rule_breaks

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
T0 = datetime(2013, 2, 11, 9, 0, tzinfo=UTC)


@pytest.fixture
def app_config():
    return {"DMSU_ATTACHMENT_MAX_BYTES": 1000}


@pytest.fixture
def editor(make_user):
    return make_user("resolver", "rita", display_name="Rita Resolver")


@pytest.fixture
def editor_client(login, editor):
    return login(editor)


def test_the_feed_has_public_changes_only_for_everyone(editor, client, editor_client):
    with clock.frozen(T0):
        page = create_page(Draft(title="Open", markdown="open text", visibility="public"), editor)
        create_page(Draft(title="Closed", markdown="closed text"), editor)
    with clock.frozen(T0 + timedelta(hours=1)):
        save_page(page, Draft(title="Open", markdown="more", summary="second"), editor, 1)
    with clock.frozen(T0 + timedelta(hours=2)):
        save_page(
            Page.get_by_id(page.id),
            Draft(title="Open", markdown="public again", visibility="public"),
            editor,
            2,
        )
    for reader in (client, editor_client):
        response = reader.get("/wiki/changes.atom")
        assert response.status_code == 200
        assert response.mimetype == "application/atom+xml"
        feed = feedparser.parse(response.data)
        titles = [entry.title for entry in feed.entries]
        assert titles == ["Open (revision 3)", "Open (revision 1)"]
        assert "Closed" not in response.get_data(as_text=True)
        assert feed.entries[0].author == "DMSU"  # not the editor: no person in a public feed
        assert "Rita" not in response.get_data(as_text=True)


def test_the_feed_keeps_the_feed_validators_rules(editor, client):
    """RFC 4287: id, title, updated with a zone, an author (DMSU), unique absolute entry ids,
    absolute links; an empty feed's ``updated`` is the site clock, not 1970."""
    with clock.frozen(T0):
        empty = client.get("/wiki/changes.atom").data
    assert rule_breaks(empty) == []
    assert feedparser.parse(empty).feed.updated_parsed[:4] == (2013, 2, 11, 9)
    with clock.frozen(T0):
        page = create_page(Draft(title="Open", markdown="one", visibility="public"), editor)
    with clock.frozen(T0 + timedelta(hours=1)):
        save_page(page, Draft(title="Open", markdown="two", visibility="public"), editor, 1)
    document = client.get("/wiki/changes.atom").data
    feed = feedparser.parse(document)
    assert len(feed.entries) == 2
    assert feed.feed.updated_parsed[:4] == (2013, 2, 11, 10)
    assert rule_breaks(document) == []
    assert author_names(document) == {"DMSU"}


def test_the_changes_page_advertises_the_feed_and_shows_internal_changes_to_staff(
    editor, client, editor_client
):
    create_page(Draft(title="Closed", markdown="closed text", summary="hush"), editor)
    staff = editor_client.get("/wiki/changes").get_data(as_text=True)
    assert 'rel="alternate" type="application/atom+xml"' in staff and ">Closed</a>" in staff
    assert "Closed" not in client.get("/wiki/changes").get_data(as_text=True)


def test_the_feed_answers_conditional_gets(editor, client):
    with clock.frozen(T0):
        create_page(Draft(title="Open", markdown="x", visibility="public"), editor)
    first = client.get("/wiki/changes.atom")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get("/wiki/changes.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    since = client.get(
        "/wiki/changes.atom", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    with clock.frozen(T0 + timedelta(minutes=5)):
        create_page(Draft(title="Newer", markdown="y", visibility="public"), editor)
    changed = client.get("/wiki/changes.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and b"Newer" in changed.data


def test_public_pages_answer_conditional_gets_and_change_with_backlinks(editor, client):
    with clock.frozen(T0):
        create_page(Draft(title="Target", markdown="x", visibility="public"), editor)
    first = client.get("/wiki/target")
    etag = first.headers["ETag"]
    assert etag and first.headers["Last-Modified"]
    assert client.get("/wiki/target", headers={"If-None-Match": etag}).status_code == 304
    with clock.frozen(T0 + timedelta(minutes=1)):
        create_page(Draft(title="Linker", markdown="[[Target]]", visibility="public"), editor)
    after = client.get("/wiki/target", headers={"If-None-Match": etag})
    assert after.status_code == 200 and ">Linker</a>" in after.get_data(as_text=True)


def test_staff_views_are_not_cached(editor, editor_client):
    create_page(Draft(title="Target", markdown="x", visibility="public"), editor)
    response = editor_client.get("/wiki/target")
    assert "ETag" not in response.headers
    assert "no-store" in response.headers["Cache-Control"]


def _upload(client, slug, data, name):
    return client.post(
        f"/wiki/{slug}/attachments",
        data={"csrf_token": client.csrf_token(), "attachment": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_an_image_is_attached_and_served_inline_with_safe_headers(editor, editor_client, client):
    create_page(Draft(title="Open", markdown="x", visibility="public"), editor)
    assert _upload(editor_client, "open", PNG, "../../etc/screen shot.PNG").status_code == 302
    attachment = Attachment.get()
    assert attachment.content_type == "image/png" and attachment.filename == "screen-shot.PNG"
    url = f"/wiki/open/files/{attachment.id}/{attachment.filename}"
    response = client.get(url)
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["Content-Disposition"].startswith("inline")
    assert f'href="{url}"' in client.get("/wiki/open").get_data(as_text=True)


def test_a_pdf_and_text_are_downloads(editor, editor_client):
    create_page(Draft(title="Open", markdown="x", visibility="public"), editor)
    _upload(editor_client, "open", b"%PDF-1.4\n...", "report.pdf")
    _upload(editor_client, "open", b"plain log line\n", "log.txt")
    for attachment in list(Attachment.select()):
        response = editor_client.get(f"/wiki/open/files/{attachment.id}/{attachment.filename}")
        assert response.headers["Content-Disposition"].startswith("attachment")
    assert {a.content_type for a in Attachment.select()} == {"application/pdf", "text/plain"}


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.svg"),
        (b"<!doctype html><script>alert(1)</script>", "page.png"),
        (b"<html><body>hi</body></html>", "notes.txt"),
        (b"\x00\x01\x02binary", "blob.bin"),
        (b"MZ\x90\x00", "tool.exe"),
    ],
)
def test_dangerous_or_unknown_files_are_refused(editor, editor_client, data, name):
    create_page(Draft(title="Open", markdown="x", visibility="public"), editor)
    response = _upload(editor_client, "open", data, name)
    assert response.status_code == 400
    assert "Only PNG, JPEG, GIF and WebP images, PDF and plain-text files" in response.get_data(
        as_text=True
    )
    assert Attachment.select().count() == 0


def test_an_oversized_attachment_in_the_edit_form_keeps_the_text(editor, editor_client):
    create_page(Draft(title="Open", markdown="x", visibility="public"), editor)
    response = editor_client.post(
        "/wiki/open/edit",
        data={
            "csrf_token": editor_client.csrf_token(),
            "title": "Open",
            "markdown": "my long careful edit",
            "visibility": "public",
            "base_revision": "1",
            "attachment": (io.BytesIO(PNG + b"\x00" * 2000), "big.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "larger than the limit of 1000 bytes" in html
    assert "my long careful edit</textarea>" in html
    assert Page.get(Page.slug == "open").revision_number == 1
    assert Attachment.select().count() == 0


def test_an_attachment_in_the_edit_form_is_stored_with_the_save(editor, editor_client):
    create_page(Draft(title="Open", markdown="x", visibility="public"), editor)
    response = editor_client.post(
        "/wiki/open/edit",
        data={
            "csrf_token": editor_client.csrf_token(),
            "title": "Open",
            "markdown": "with a picture",
            "visibility": "public",
            "base_revision": "1",
            "attachment": (io.BytesIO(PNG), "pic.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert Attachment.get().filename == "pic.png"


def test_attachments_of_internal_pages_are_internal(editor, editor_client, client):
    create_page(Draft(title="Closed", markdown="x"), editor)
    _upload(editor_client, "closed", PNG, "secret.png")
    attachment = Attachment.get()
    url = f"/wiki/closed/files/{attachment.id}/secret.png"
    assert editor_client.get(url).status_code == 200
    assert client.get(url).status_code == 404
    # the file cannot be reached through a public page's address either
    create_page(Draft(title="Open", markdown="x", visibility="public"), editor)
    assert client.get(f"/wiki/open/files/{attachment.id}/secret.png").status_code == 404


def test_only_editors_attach(editor, tpm_client, client):
    create_page(Draft(title="Open", markdown="x", visibility="public"), editor)
    assert _upload(tpm_client, "open", PNG, "a.png").status_code == 403
    assert _upload(client, "open", PNG, "a.png").status_code in (302, 401)
    assert Attachment.select().count() == 0
