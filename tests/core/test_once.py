"""A form sent twice is saved once (hardening round 2: a double-submitted comment or
requirement form created two). Sequentially (a browser's retry) and at the same moment over
real HTTP (a double click), on both databases."""

from __future__ import annotations

import re
from functools import partial

from dmsu.core.once import FormSubmission
from dmsu.requirements.models import Requirement
from dmsu.tickets.models import TicketEvent
from tests.support.live_http import LiveSession, race

ONCE = re.compile(r'name="once" value="([^"]+)"')
EVENTS = [{"at": "2013-02-11T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}]


def comments() -> int:
    return TicketEvent.select().where(TicketEvent.kind == "comment").count()


def test_a_comment_sent_twice_is_saved_once_and_the_repeat_goes_where_the_first_went(
    clients, make_ticket
):
    make_ticket(91039, events=EVENTS)
    client = clients["resolver"]
    token = ONCE.search(client.get("/tickets/91039").get_data(as_text=True)).group(1)
    form = {"text": "Restarted the tomcat.", "visibility": "internal", "once": token}
    first = client.form("/tickets/91039/comment", form)
    again = client.form("/tickets/91039/comment", form)
    assert first.status_code == 302 and again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert comments() == 1
    assert "sent twice; it was saved once" in client.get("/tickets/91039").get_data(as_text=True)


def test_a_refused_form_can_be_corrected_and_sent_with_the_same_token(clients, make_ticket):
    make_ticket(91039, events=EVENTS)
    client = clients["resolver"]
    token = ONCE.search(client.get("/tickets/91039").get_data(as_text=True)).group(1)
    refused = client.form("/tickets/91039/comment", {"text": "  ", "once": token})
    assert refused.status_code == 400 and not FormSubmission.select().exists()
    fixed = client.form("/tickets/91039/comment", {"text": "Now with words.", "once": token})
    assert fixed.status_code == 302 and comments() == 1


def test_a_double_click_at_the_same_moment_saves_one_comment(live_server, make_user, make_ticket):
    make_ticket(91039, events=EVENTS)
    person = LiveSession(live_server.url).log_in(make_user("resolver", "rita"))
    for n in range(6):
        token = ONCE.search(person.get("/tickets/91039").text).group(1)
        form = {"text": f"Note {n}", "visibility": "internal", "once": token}
        answers = race(*[partial(person.form, "/tickets/91039/comment", form)] * 2)
        assert sorted(a.status_code for a in answers) == [302, 303]
    assert comments() == 6


def test_a_requirement_form_sent_twice_records_one_requirement(clients):
    client = clients["resolver"]
    page = client.get("/requirements/new").get_data(as_text=True)
    form = {"title": "Batch submission over REST", "description": "Users ask for it.",
            "once": ONCE.search(page).group(1)}  # fmt: skip
    first = client.form("/requirements/new", form)
    again = client.form("/requirements/new", form)
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert Requirement.select().count() == 1


def test_every_ticket_action_form_carries_the_token_an_eta_sent_twice_is_one(clients, make_ticket):
    make_ticket(
        91040,
        events=[*EVENTS, {"at": "2013-02-11T10:00:00+00:00", "type": "assigned",
                          "support_unit": "CREAM"}],
    )  # fmt: skip
    client = clients["assigner"]
    page = client.get("/tickets/91040").get_data(as_text=True)
    forms = page.count('action="/tickets/91040/')
    assert forms > 3 and len(ONCE.findall(page)) == forms
    eta_form = page.split('action="/tickets/91040/eta"')[1]
    form = {"due": "2013-03-01", "confirm_past": "1", "once": ONCE.search(eta_form).group(1)}
    assert client.form("/tickets/91040/eta", form).status_code == 302
    assert client.form("/tickets/91040/eta", form).status_code == 303
    assert TicketEvent.select().where(TicketEvent.kind == "eta").count() == 1


def test_a_wiki_page_created_twice_is_one_page_and_an_edit_sent_twice_is_one_revision(clients):
    """Without the token the repeat of a new page was refused as a clash of titles, and the
    repeat of an edit as a conflict with the editor's own save."""
    from dmsu.wiki.models import Page, Revision

    client = clients["resolver"]
    form = {"title": "Proxy renewal fails", "markdown": "Restart the renewal daemon.",
            "visibility": "internal",
            "once": ONCE.search(client.get("/wiki/new").get_data(as_text=True)).group(1)}  # fmt: skip
    first = client.form("/wiki/new", form)
    again = client.form("/wiki/new", form)
    assert first.status_code == 302 and again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert Page.select().count() == 1
    edit_page = client.get("/wiki/proxy-renewal-fails/edit").get_data(as_text=True)
    base = re.search(r'name="base_revision" value="(\d+)"', edit_page).group(1)
    edit = {**form, "markdown": "Restart the renewal daemon, then the CE.", "base_revision": base,
            "once": ONCE.search(edit_page).group(1)}  # fmt: skip
    saved = client.form("/wiki/proxy-renewal-fails/edit", edit)
    repeat = client.form("/wiki/proxy-renewal-fails/edit", edit)
    assert saved.status_code == 302 and repeat.status_code == 303
    assert Revision.select().count() == 2


def test_a_publish_sent_twice_is_one_revision_and_the_repeat_goes_to_the_digest(
    assigner_client, make_ticket
):
    """Without the token the repeat of a double click on "Publish now" answered 422, "Nothing
    has changed since revision 1", on a digest that had just been published."""
    from dmsu.digests.drafting import draft_digest
    from dmsu.digests.models import DigestRevision
    from tests.support.digests_history import WEEK, edit_form, make_week

    make_week(make_ticket)
    digest = draft_digest(WEEK).digest
    page = assigner_client.get(f"/digests/{WEEK}/edit").get_data(as_text=True)
    form = edit_form(
        digest, intro="A busy week.", action="publish", once=ONCE.search(page).group(1)
    )
    first = assigner_client.form(f"/digests/{WEEK}/edit", form)
    again = assigner_client.form(f"/digests/{WEEK}/edit", form)
    assert first.status_code == 302 and again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"] == f"/digests/{WEEK}"
    assert DigestRevision.select().count() == 1


def test_a_page_brought_back_and_sent_with_new_text_is_saved_not_taken_for_a_repeat(
    clients, make_ticket
):
    """The Back button brings a page back with its old token: what is typed into it then is
    new work (the token is claimed with the form's text)."""
    make_ticket(91039, events=EVENTS)
    client = clients["resolver"]
    token = ONCE.search(client.get("/tickets/91039").get_data(as_text=True)).group(1)
    first = {"text": "Restarted the tomcat.", "visibility": "internal", "once": token}
    assert client.form("/tickets/91039/comment", first).status_code == 302
    later = {**first, "text": "It failed again an hour later."}
    assert client.form("/tickets/91039/comment", later).status_code == 302
    assert client.form("/tickets/91039/comment", later).status_code == 303
    assert comments() == 2
