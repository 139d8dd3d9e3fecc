"""The shift edits a digest: who may, saving without lost edits, add/drop tickets (htmx and
plain forms), preview, publish, and the bad input of issue 6."""

from __future__ import annotations

import re

import pytest

from dmsu.digests.drafting import draft_digest, entries_of
from dmsu.digests.models import Digest, DigestEntry, DigestRevision
from tests.support.digests_history import WEEK, edit_form, make_week

EDIT = f"/digests/{WEEK}/edit"


@pytest.fixture
def draft(make_ticket):
    make_week(make_ticket)
    return draft_digest(WEEK).digest


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("tpm", 403), ("resolver", 403), ("assigner", 200), ("admin", 200)],
)
def test_who_may_edit(clients, draft, role, status):
    assert clients[role].get(EDIT).status_code == status


def test_edit_page_shows_the_draft(assigner_client, draft):
    html = assigner_client.get(EDIT).get_data(as_text=True)
    assert f'name="version" value="{draft.version}"' in html
    assert "GGUS #91001" in html and "GGUS #91002" in html
    assert 'for="intro"' in html and "New in DMSU: <strong>3</strong>" in html


def test_edit_of_an_undrafted_week_offers_to_draft_it(assigner_client):
    response = assigner_client.get("/digests/2013-W10/edit")
    assert response.status_code == 404
    assert "Draft it now" in response.get_data(as_text=True)
    drafted = assigner_client.form("/digests/2013-W10/draft")
    assert drafted.status_code == 302
    assert Digest.select().where(Digest.week == "2013-W10").exists()


def test_save_renders_markdown_through_the_sanitiser(assigner_client, draft):
    entry = entries_of(draft)[0]
    response = assigner_client.form(
        EDIT,
        edit_form(
            draft,
            intro="Hello **all** <script>alert(1)</script>",
            **{f"entry-{entry.id}-impact": "Only *some* sites <img src=x onerror=alert(1)>"},
        ),
    )
    assert response.status_code == 302
    saved = Digest.get_by_id(draft.id)
    assert saved.version == draft.version + 1
    assert "<strong>all</strong>" in saved.intro_html and "<script" not in saved.intro_html
    entry = DigestEntry.get_by_id(entry.id)
    assert entry.edited and "<em>some</em>" in entry.html and "onerror" not in entry.html
    assert not DigestEntry.get_by_id(entries_of(draft)[1].id).edited


def test_two_people_editing_one_draft_lose_nothing(clients, draft):
    first, second = clients["assigner"], clients["admin"]
    entry = entries_of(draft)[0]
    loaded = edit_form(draft)  # both open the same version
    saved = first.form(EDIT, {**loaded, f"entry-{entry.id}-impact": "Impact by the first."})
    assert saved.status_code == 302
    late = second.form(
        EDIT, {**loaded, "intro": "Intro by the second.", f"entry-{entry.id}-impact": "Mine."}
    )
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert "saved this digest" in html and "nothing of yours was saved" in html
    assert "Intro by the second." in html and "Mine." in html  # the user's text is kept
    assert "Impact by the first." in html  # the other person's change is shown
    stored = DigestEntry.get_by_id(entry.id)
    assert stored.impact == "Impact by the first."
    assert Digest.get_by_id(draft.id).intro == ""
    # Saving again from the conflict page is a deliberate choice: it now carries the new version.
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    again = second.form(
        EDIT,
        {
            **loaded,
            "version": version,
            "intro": "Intro by the second.",
            f"entry-{entry.id}-impact": "Merged impact.",
        },
    )
    assert again.status_code == 302
    assert DigestEntry.get_by_id(entry.id).impact == "Merged impact."


def test_add_a_ticket_by_hand_with_htmx(assigner_client, draft, make_ticket):
    make_ticket(93001, subject="A ticket the shift adds", component="WMS")
    response = assigner_client.hx("post", f"/digests/{WEEK}/entries", {"ggus_id": "#93001"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<fieldset") and "A ticket the shift adds" in html
    assert "<html" not in html
    entry = DigestEntry.get(DigestEntry.ggus_id == 93001)
    assert entry.source == "manual" and entry.component_name == "WMS"
    again = assigner_client.hx("post", f"/digests/{WEEK}/entries", {"ggus_id": "93001"})
    assert again.headers["HX-Retarget"] == "#add-error"
    assert "already in this digest" in again.get_data(as_text=True)


def test_add_and_drop_work_as_plain_forms(assigner_client, draft, make_ticket):
    make_ticket(93002, subject="Added without JavaScript")
    added = assigner_client.form(f"/digests/{WEEK}/entries", {"ggus_id": "93002"})
    assert added.status_code == 302
    entry = DigestEntry.get(DigestEntry.ggus_id == 93002)
    dropped = assigner_client.form(f"/digests/{WEEK}/entries/{entry.id}/drop")
    assert dropped.status_code == 302
    assert DigestEntry.get_by_id(entry.id).dropped
    html = assigner_client.get(EDIT).get_data(as_text=True)
    assert "Dropped tickets" in html and "Add back" in html
    back = assigner_client.form(f"/digests/{WEEK}/entries", {"ggus_id": "93002"})
    assert back.status_code == 302 and not DigestEntry.get_by_id(entry.id).dropped


def test_drop_with_htmx_returns_the_partial(assigner_client, draft):
    entry = entries_of(draft)[1]
    response = assigner_client.hx("post", f"/digests/{WEEK}/entries/{entry.id}/drop")
    assert response.status_code == 200
    assert "Dropped #91002" in response.get_data(as_text=True)
    assert [e.ggus_id for e in entries_of(draft)] == [91001]


def test_add_an_unknown_ticket_keeps_the_input(assigner_client, draft):
    response = assigner_client.form(f"/digests/{WEEK}/entries", {"ggus_id": "99999"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is no ticket #99999 on this site." in html and 'value="99999"' in html
    bad = assigner_client.form(f"/digests/{WEEK}/entries", {"ggus_id": "abc"})
    assert "Give the ticket&#39;s GGUS number" in bad.get_data(as_text=True)


def test_preview_with_htmx_and_without(assigner_client, draft):
    data = edit_form(draft, intro="Preview *only*")
    partial = assigner_client.hx("post", f"/digests/{WEEK}/preview", data)
    assert partial.status_code == 200
    html = partial.get_data(as_text=True)
    assert "<em>only</em>" in html and "<html" not in html and "Preview (not saved)" in html
    page = assigner_client.form(EDIT, {**data, "action": "preview"})
    assert page.status_code == 200 and "<em>only</em>" in page.get_data(as_text=True)
    assert Digest.get_by_id(draft.id).intro == ""  # a preview saves nothing


def test_publish_from_the_editedit_form(assigner_client, client, draft):
    response = assigner_client.form(EDIT, edit_form(draft, intro="A busy week.", action="publish"))
    assert response.status_code == 302 and response.headers["Location"] == f"/digests/{WEEK}"
    digest = Digest.get_by_id(draft.id)
    assert digest.state == "published" and digest.revision == 1
    assert "A busy week." in client.get(f"/digests/{WEEK}").get_data(as_text=True)
    again = assigner_client.form(EDIT, edit_form(digest, action="publish"))
    assert again.status_code == 422
    assert "Nothing has changed since revision 1" in again.get_data(as_text=True)
    assert DigestRevision.select().count() == 1


def test_publishing_an_empty_digest_is_refused(assigner_client):
    draft_digest("2013-W20")
    digest = Digest.get(Digest.week == "2013-W20")
    response = assigner_client.form(
        "/digests/2013-W20/edit", {"version": digest.version, "intro": "", "action": "publish"}
    )
    assert response.status_code == 422
    assert "There is nothing to publish yet" in response.get_data(as_text=True)
    assert Digest.get_by_id(digest.id).state == "draft"
    assert DigestRevision.select().count() == 0


def test_a_conflicting_publish_publishes_nothing(clients, draft):
    loaded = edit_form(draft)
    clients["admin"].form(EDIT, {**loaded, "intro": "First."})
    late = clients["assigner"].form(EDIT, {**loaded, "intro": "Second.", "action": "publish"})
    assert late.status_code == 409
    assert Digest.get_by_id(draft.id).state == "draft"
    assert DigestRevision.select().count() == 0


def test_a_publish_from_a_page_opened_before_a_recount_is_refused(clients, draft):
    loaded = edit_form(draft, action="publish")
    assert clients["admin"].form(f"/digests/{WEEK}/draft", {"refresh": "1"}).status_code == 302
    late = clients["assigner"].form(EDIT, loaded)
    assert late.status_code == 409
    assert "nothing of yours was saved" in late.get_data(as_text=True)
    assert Digest.get_by_id(draft.id).state == "draft"
    assert DigestRevision.select().count() == 0


def test_archive_draft_form_refuses_a_bad_week(assigner_client):
    response = assigner_client.form("/digests/draft", {"week": "2013-W53"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "is not an existing ISO week" in html and 'value="2013-W53"' in html
    ok = assigner_client.form("/digests/draft", {"week": "2013-W07"})
    assert ok.status_code == 302 and ok.headers["Location"] == "/digests/2013-W07/edit"


def test_a_week_that_does_not_exist_is_404_in_the_editor(assigner_client):
    assert assigner_client.get("/digests/2013-W53/edit").status_code == 404
    assert assigner_client.form("/digests/garbage/draft").status_code == 404


def test_edits_after_publication_wait_for_a_correction(assigner_client, client, draft):
    assigner_client.form(EDIT, edit_form(draft, intro="As published.", action="publish"))
    digest = Digest.get_by_id(draft.id)
    assigner_client.form(EDIT, edit_form(digest, intro="A later correction."))
    public = client.get(f"/digests/{WEEK}").get_data(as_text=True)
    assert "As published." in public and "A later correction." not in public
    staff = assigner_client.get(f"/digests/{WEEK}").get_data(as_text=True)
    assert "changes not published yet" in staff
    digest = Digest.get_by_id(draft.id)
    response = assigner_client.form(
        EDIT, edit_form(digest, action="publish", note="intro corrected")
    )
    assert response.status_code == 302
    public = client.get(f"/digests/{WEEK}").get_data(as_text=True)
    assert "A later correction." in public and "updated <time" in public
    assert "intro corrected" in public
    assert [r.number for r in DigestRevision.select().order_by(DigestRevision.number)] == [1, 2]
