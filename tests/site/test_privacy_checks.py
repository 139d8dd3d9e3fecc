"""Before anything is published or made public, what looks personal is named and the person
confirms or edits: the digest's edit form, the wiki's edit form, ``publish-digest``."""

from __future__ import annotations

import re
from html import unescape

from dmsu.digests.drafting import draft_digest
from dmsu.digests.models import Digest, DigestRevision
from dmsu.wiki.models import Page

WEEK = "2013-W07"
TYPED = "Thanks to Mario Rossi (mario.rossi&#64;infn.it, +39 06 1234 5678) for the report."


def _ticket(make_ticket):
    return make_ticket(
        91001,
        subject="CREAM CE drops jobs after proxy renewal",
        description="Dear all,\n\nJobs are lost on ce01.infn.it.\n\nRegards,\nMario Rossi",
        submitter="Mario Rossi",
        submitter_email="mario.rossi@infn.it",
        broad_impact=True,
        events=[{"at": "2013-02-12T10:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
    )


def _findings(html: str) -> list[str]:
    section = re.search(r'id="personal-findings".*?</section>', html, re.S)
    assert section, "no findings on the page"
    return [unescape(item) for item in re.findall(r"<li>(.*?)</li>", section.group())]


def _version() -> str:
    return str(Digest.get(Digest.week == WEEK).version)


def test_publishing_a_digest_that_looks_personal_asks_first(app, clients, make_ticket):
    _ticket(make_ticket)
    draft_digest(WEEK)
    shift = clients["assigner"]
    data = {"version": _version(), "intro": TYPED, "action": "publish", "note": "first"}
    refused = shift.form(f"/digests/{WEEK}/edit", data)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert _findings(html) == [
        "This looks like an e-mail address: 'mario.rossi@infn.it'",
        "This looks like a phone number: '+39 06 1234 5678'",
        "This looks like a personal name: 'Mario Rossi'",
    ]
    # Nothing was published or saved; the text is kept in the form, with the choice.
    assert not DigestRevision.select().exists()
    assert Digest.get(Digest.week == WEEK).intro == ""
    assert "Thanks to Mario Rossi (mario.rossi&amp;#64;infn.it" in html
    assert 'name="confirm_personal" value="yes"' in html
    assert not re.search(r"<[^>]+\son\w+=", html) and "<script>" not in html  # the CSP's rule
    published = shift.form(f"/digests/{WEEK}/edit", {**data, "confirm_personal": "yes"})
    assert published.status_code == 302
    # Confirmed, yet the submitter of the digest's ticket is still taken out of it.
    page = clients["anonymous"].get(f"/digests/{WEEK}").get_data(as_text=True)
    assert "Mario Rossi" not in page and "mario.rossi" not in page
    assert "[name removed]" in page and "[phone number removed]" not in page


def test_the_drafted_digest_publishes_without_a_question(app, clients, make_ticket):
    _ticket(make_ticket)
    draft_digest(WEEK)
    data = {"version": _version(), "action": "publish"}
    assert clients["assigner"].form(f"/digests/{WEEK}/edit", data).status_code == 302


def test_publish_digest_command_refuses_until_confirmed(app, runner, make_ticket):
    _ticket(make_ticket)
    draft_digest(WEEK)
    Digest.update(intro=TYPED, version=Digest.version + 1).execute()
    refused = runner.invoke(args=["dmsu", "publish-digest", "--week", WEEK])
    assert refused.exit_code == 1
    assert "Nothing was published: the digest of 2013-W07 looks personal." in refused.output
    assert "- This looks like a personal name: 'Mario Rossi'" in refused.output
    assert "--confirm" in refused.output
    assert not DigestRevision.select().exists()
    done = runner.invoke(args=["dmsu", "publish-digest", "--week", WEEK, "--yes"])
    assert done.exit_code == 0, done.output
    assert DigestRevision.select().count() == 1


def _wiki_form(page_html: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page_html))
    fields.pop("csrf_token", None)
    text = re.search(r'<textarea[^>]*name="markdown"[^>]*>(.*?)</textarea>', page_html, re.S)
    fields["markdown"] = unescape(text.group(1))
    return {k: unescape(v) for k, v in fields.items()}


def test_a_public_wiki_page_that_looks_personal_asks_first(app, clients, make_ticket):
    _ticket(make_ticket)
    writer = clients["resolver"]
    form = _wiki_form(writer.get("/wiki/new?ticket=91001").get_data(as_text=True))
    assert "Mario Rossi" not in form["markdown"] and "ce01.infn.it" in form["markdown"]
    form["markdown"] += "\n\nAsk Mario Rossi, he knows.\n"
    data = {**form, "visibility": "public", "action": "save"}
    refused = writer.form("/wiki/new", data)
    assert refused.status_code == 422
    assert _findings(refused.get_data(as_text=True)) == [
        "This looks like a personal name: 'Mario Rossi'"
    ]
    assert "Ask Mario Rossi, he knows." in refused.get_data(as_text=True)
    assert not Page.select().exists()
    # Internal pages are for staff: no question asked.
    internal = writer.form("/wiki/new", {**data, "visibility": "internal"})
    assert internal.status_code == 302
    page = Page.get()
    edit = _wiki_form(writer.get(f"/wiki/{page.slug}/edit").get_data(as_text=True))
    made_public = {**edit, "visibility": "public", "action": "save"}
    assert writer.form(f"/wiki/{page.slug}/edit", made_public).status_code == 422
    confirmed = writer.form(f"/wiki/{page.slug}/edit", {**made_public, "confirm_personal": "yes"})
    assert confirmed.status_code == 302
    # What was public and confirmed is not asked about again; a new name is.
    edit = _wiki_form(writer.get(f"/wiki/{page.slug}/edit").get_data(as_text=True))
    again = {**edit, "visibility": "public", "action": "save", "summary": "typo"}
    assert writer.form(f"/wiki/{page.slug}/edit", again).status_code == 302
    again["markdown"] += "\nCall +39 06 1234 5678.\n"
    # another edit: the token of a new render of the form (the saved one's is spent)
    fresh = _wiki_form(writer.get(f"/wiki/{page.slug}/edit").get_data(as_text=True))["once"]
    asked = writer.form(f"/wiki/{page.slug}/edit", {**again, "once": fresh, "base_revision": "3"})
    assert asked.status_code == 422
    assert _findings(asked.get_data(as_text=True)) == [
        "This looks like a phone number: '+39 06 1234 5678'"
    ]


def _known_submitter(make_ticket):
    """Another ticket's submitter: a name the site knows."""
    make_ticket(91777, subject="Other", submitter="Eva Horvath", submitter_email="eh@example.org")


def test_a_broad_impact_field_that_looks_personal_asks_first(app, clients, make_ticket):
    _ticket(make_ticket)
    _known_submitter(make_ticket)
    resolver = clients["resolver"]
    data = {
        "priority": "urgent",
        "dmsu_fields": "1",
        "broad_impact": "1",
        "impact": "All CREAM sites; Eva Horvath saw it at her site too.",
        "workaround": "Switch proxy renewal off.",
    }
    refused = resolver.form("/tickets/91001/fields", data)
    assert refused.status_code == 422
    html = unescape(refused.get_data(as_text=True))
    assert "This looks like a personal name: 'Eva Horvath'" in html
    assert "All CREAM sites; Eva Horvath saw it at her site too." in html  # the text kept
    assert 'name="confirm_personal"' in html
    from dmsu.tickets.models import Ticket

    assert Ticket.get(Ticket.ggus_id == 91001).impact == ""
    saved = resolver.form("/tickets/91001/fields", {**data, "confirm_personal": "yes"})
    assert saved.status_code == 302
    assert "Eva Horvath" in Ticket.get(Ticket.ggus_id == 91001).impact
    # The submitter's own letter is public text on the operations digest: nothing to ask.
    again = resolver.form("/tickets/91001/fields", {**data, "workaround": "Restart."})
    assert again.status_code == 302
    # Fields of a ticket that is not of broad impact are not public: nothing to ask.
    internal = {**data, "broad_impact": "", "impact": "Call Eva Horvath."}
    assert resolver.form("/tickets/91001/fields", internal).status_code == 302


def test_the_api_refuses_a_broad_impact_ticket_that_looks_personal(app, admin_client, make_ticket):
    from dmsu.api.tokens import create_token

    _known_submitter(make_ticket)
    _, secret = create_token(admin_client.user, "sync")
    headers = {"Authorization": f"Bearer {secret}"}
    ticket = {
        "ggus_id": 93001,
        "subject": "BDII top drops sites",
        "description": "Dear all,\n\nbdii.example.org drops sites.\n\nRegards,\nMario Rossi",
        "submitter": "Mario Rossi",
        "submitter_email": "mario.rossi@infn.it",
        "created_at": "2013-02-11T09:00:00Z",
        "broad_impact": True,
        "impact": "Ask Eva Horvath about it, or mario.rossi at infn dot it.",
        "events": [],
    }
    client = app.test_client()
    refused = client.post("/api/v1/tickets", json=ticket, headers=headers)
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["findings"] == [
        {"kind": "name", "value": "Eva Horvath",
         "message": "a personal name: 'Eva Horvath'"},
    ]  # fmt: skip
    assert "?confirm=1" in body["error"]
    created = client.post("/api/v1/tickets?confirm=1", json=ticket, headers=headers)
    assert created.status_code == 201
    # The same ticket again, and a ticket of no broad impact, go through without a question.
    assert client.post("/api/v1/tickets", json=ticket, headers=headers).status_code == 200
    quiet = {**ticket, "ggus_id": 93002, "broad_impact": False}
    assert client.post("/api/v1/tickets", json=quiet, headers=headers).status_code == 201
    ops = client.get("/digests/operations.txt").get_data(as_text=True)
    assert "bdii.example.org drops sites." in ops
    assert "Mario Rossi" not in ops and "mario.rossi" not in ops and "Dear all" not in ops
