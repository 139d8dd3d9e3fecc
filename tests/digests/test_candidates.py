"""Issue 18 point 5: the digest editor offers the week's candidate tickets to pick with one
click, has "Add a ticket" above Publish, asks to confirm a publication saying what becomes
public and whether mail goes out, and says afterwards whether the mail was queued."""

from __future__ import annotations

import pytest

from dmsu.digests import candidates
from dmsu.digests.drafting import draft_digest, entries_of
from dmsu.digests.models import Digest, DigestEntry
from dmsu.notify.models import Notification
from tests.support.digests_history import WEEK, edit_form, make_week

EDIT = f"/digests/{WEEK}/edit"
MAILTO = "digests-list@example.org"


@pytest.fixture
def draft(make_ticket):
    make_week(make_ticket)
    return draft_digest(WEEK).digest


def test_the_candidates_are_the_weeks_handled_tickets_not_in_the_digest(draft):
    found = candidates.of_week(draft)
    # 91001 and 91002 are drafted (broad impact); 91004 had no event in the week, 91005 was
    # only with TPM, 91007 is next week's
    assert [(c.ggus_id, c.happened) for c in found.shown] == [(91003, "opened"), (91006, "opened")]
    assert found.total == 2 and found.more == 0
    DigestEntry.update(dropped=True).where(DigestEntry.ggus_id == 91001).execute()
    assert 91001 not in [c.ggus_id for c in candidates.of_week(draft).shown]  # "Add back" has it


def test_a_ticket_solved_in_the_week_comes_first(app, make_ticket):
    make_ticket(
        92001,
        subject="Changed in the week",
        created_at="2013-02-01T09:00:00+00:00",
        events=[
            {"at": "2013-02-01T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
            {"at": "2013-02-12T10:00:00+00:00", "type": "comment", "text": "Still looking."},
        ],
    )
    make_ticket(
        92002,
        subject="Solved in the week",
        created_at="2013-02-01T09:00:00+00:00",
        events=[
            {"at": "2013-02-01T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
            {"at": "2013-02-13T10:00:00+00:00", "type": "status", "status": "solved"},
        ],
    )
    digest = draft_digest(WEEK).digest
    shown = candidates.of_week(digest).shown
    assert [(c.ggus_id, c.happened_text) for c in shown] == [
        (92002, "solved in the week"),
        (92001, "changed in the week"),
    ]


def test_the_editor_lists_the_candidates_with_one_click_forms(assigner_client, draft):
    html = assigner_client.get(EDIT).get_data(as_text=True)
    section = html[html.index('id="candidates"') : html.index('id="add-ticket"')]
    assert "#91006" in section and "WMS loses sandbox" in section and "#91003" in section
    assert "#91001" not in section and "#91005" not in section
    assert (
        'name="ggus_id" value="91006"' in section
        and 'data-hx-post="/digests/2013-W07/entries"' in section
    )


def test_picking_a_candidate_with_htmx_adds_it_and_takes_it_off_the_list(assigner_client, draft):
    response = assigner_client.hx("post", f"/digests/{WEEK}/entries", {"ggus_id": "91006"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<fieldset") and "WMS loses sandbox" in html
    section = html[html.index('id="candidate-section" data-hx-swap-oob="true"') :]
    assert 'id="candidate-91006"' not in section and 'id="candidate-91003"' in section
    assert '<span class="badge">1</span>' in section  # the list comes again, recounted
    assert DigestEntry.get(DigestEntry.ggus_id == 91006).source == "manual"
    page = assigner_client.get(EDIT).get_data(as_text=True)
    assert 'id="candidate-91006"' not in page and 'id="candidate-91003"' in page


def test_adding_a_candidate_by_number_takes_it_off_the_list_too(assigner_client, draft):
    html = assigner_client.hx("post", f"/digests/{WEEK}/entries", {"ggus_id": "91003"}).get_data(
        as_text=True
    )
    section = html[html.index('id="candidate-section" data-hx-swap-oob="true"') :]
    assert 'id="candidate-91003"' not in section and 'id="candidate-91006"' in section


def test_picking_a_candidate_works_without_javascript(assigner_client, draft):
    response = assigner_client.form(f"/digests/{WEEK}/entries", {"ggus_id": "91003"})
    assert response.status_code == 302
    assert DigestEntry.get(DigestEntry.ggus_id == 91003).digest_id == draft.id


def test_the_empty_state_says_nothing_is_left_out(assigner_client, make_ticket):
    draft_digest("2013-W20")
    html = assigner_client.get("/digests/2013-W20/edit").get_data(as_text=True)
    assert "No ticket handled in 2013-W20 is left out of the digest." in html


def test_add_a_ticket_sits_above_publish(assigner_client, draft):
    html = assigner_client.get(EDIT).get_data(as_text=True)
    assert html.index('id="add-ticket"') < html.index('value="publish"')
    assert html.index('id="candidates"') < html.index('value="publish"')


def test_the_confirmation_says_what_becomes_public_and_that_no_mail_goes_out(
    assigner_client, draft
):
    html = assigner_client.get(EDIT).get_data(as_text=True)
    start = html.index('<details class="publish-confirm"')
    details = html[start : html.index("</details>", start)]
    assert "<summary>Publish…</summary>" in details
    assert "DMSU digest 2013-W07 (11–17 February 2013)" in details
    assert "2 tickets (#91001, #91002)" in details
    assert "No e-mail will go out: no recipients are configured" in details
    assert 'form="digest-form" name="action" value="publish">Publish now</button>' in details


def test_the_confirmation_names_the_list_when_one_is_configured(app, assigner_client, draft):
    app.config.update(DMSU_DIGEST_MAILTO=MAILTO, DMSU_SMTP_HOST="smtp.example.org")
    html = assigner_client.get(EDIT).get_data(as_text=True)
    assert f"The digest will be mailed to 1 recipient ({MAILTO}) (DMSU_DIGEST_MAILTO)." in html


def test_the_confirmation_says_mail_waits_in_the_outbox_without_smtp(app, assigner_client, draft):
    app.config.update(DMSU_DIGEST_MAILTO=MAILTO, DMSU_SMTP_HOST="")
    html = assigner_client.get(EDIT).get_data(as_text=True)
    assert f"mailed to 1 recipient ({MAILTO}) (DMSU_DIGEST_MAILTO); but no SMTP server" in html


def test_the_confirmation_of_a_correction_says_it_is_mailed_as_updated(app, assigner_client, draft):
    app.config.update(DMSU_DIGEST_MAILTO=MAILTO, DMSU_SMTP_HOST="smtp.example.org")
    Digest.update(state="published", revision=1).where(Digest.id == draft.id).execute()
    html = assigner_client.get(EDIT).get_data(as_text=True)
    assert "<summary>Publish correction…</summary>" in html
    assert "The correction, marked [updated], will be mailed to 1 recipient" in html


def test_after_publishing_the_page_says_the_mail_was_queued(app, assigner_client, draft):
    app.config.update(
        DMSU_DIGEST_MAILTO=f"{MAILTO}, second@example.org", DMSU_SMTP_HOST="smtp.example.org"
    )
    response = assigner_client.form(EDIT, edit_form(draft, action="publish"), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert (
        "Published the digest of 2013-W07 (revision 1); e-mail queued for 2 recipients "
        f"({MAILTO}, second@example.org)." in html
    )
    assert Notification.get(Notification.key == "digest:2013-W07:r1").state == "queued"


def test_after_publishing_without_smtp_the_page_says_the_mail_waits(app, assigner_client, draft):
    app.config.update(DMSU_DIGEST_MAILTO=MAILTO, DMSU_SMTP_HOST="")
    response = assigner_client.form(EDIT, edit_form(draft, action="publish"), follow_redirects=True)
    assert (
        f"e-mail queued for 1 recipient ({MAILTO}); no SMTP server is configured "
        "(DMSU_SMTP_HOST), so it waits in the outbox." in response.get_data(as_text=True)
    )


def test_after_publishing_without_a_list_the_page_says_no_mail(assigner_client, draft):
    response = assigner_client.form(EDIT, edit_form(draft, action="publish"), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "(revision 1); no mail: no recipients configured." in html
    assert Digest.get_by_id(draft.id).state == "published"
    assert Notification.select().count() == 0


def test_the_personal_check_box_belongs_to_the_digestedit_form(assigner_client, draft):
    entry = entries_of(draft)[0]
    data = edit_form(draft, action="publish", **{f"entry-{entry.id}-impact": "Call Sam Submitter."})
    html = assigner_client.form(EDIT, data).get_data(as_text=True)
    assert 'name="confirm_personal" value="yes" form="digest-form"' in html


def test_the_confirmation_follows_htmx_adds_and_drops(assigner_client, draft):
    added = assigner_client.hx("post", f"/digests/{WEEK}/entries", {"ggus_id": "91006"}).get_data(
        as_text=True
    )
    assert '<p id="publish-what" data-hx-swap-oob="true">' in added
    assert "3 tickets (#91001, #91002, #91006)" in added
    entry = entries_of(draft)[0]
    dropped = assigner_client.hx("post", f"/digests/{WEEK}/entries/{entry.id}/drop").get_data(
        as_text=True
    )
    assert '<p id="publish-what" data-hx-swap-oob="true">' in dropped
    assert "2 tickets (#91002, #91006)" in dropped
