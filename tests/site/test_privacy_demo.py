"""The demo's public texts are made through the one public-text function: its submitters'
letters stay realistic (staff read them), but no demo submitter's name, greeting or sign-off
reaches a published digest, its e-mail text, a public wiki page, a feed or the operations
digest — and the demo publishes without a single "this looks personal"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dmsu import demo
from dmsu.content import load_all
from dmsu.digests.models import Digest, DigestRevision
from dmsu.tickets.demo.texts import SUBMITTERS
from dmsu.tickets.models import Ticket
from dmsu.wiki.models import Page, Revision

END = datetime(2013, 4, 30, 12, 0, tzinfo=UTC)
LETTER_WORDS = ["Dear supporters", "Regards,"]


@pytest.fixture
def demo_site(app):
    with app.app_context():
        load_all()
        demo.load(250, seed=2012, end=END, echo=lambda line: None)
    return app


def _personal(text: str) -> list[str]:
    surnames = [name.split()[-1] for name in SUBMITTERS]
    return [word for word in [*SUBMITTERS, *surnames, *LETTER_WORDS] if word in text]


def test_demo_letters_are_realistic_and_internal(demo_site):
    letters = [t.description for t in Ticket.select(Ticket.description).limit(50)]
    assert any("Dear supporters" in text and "Regards," in text for text in letters)
    assert any(name in text for text in letters for name in SUBMITTERS)


def test_demo_public_texts_carry_no_personal_data(demo_site, client):
    published = list(Digest.select().where(Digest.state == "published"))
    assert len(published) == 8  # every publication went through the check without a finding
    texts = {f"digest {d.week}": d.public_html for d in published}
    for revision in DigestRevision.select():
        texts[f"digest mail r{revision.id}"] = revision.text
    public_pages = list(Page.select().where(Page.visibility == "public"))
    assert any(page.ticket_id for page in public_pages)  # a public solution digest
    for page in public_pages:
        texts[f"page {page.slug}"] = page.html
    for revision in Revision.select().where(Revision.visibility == "public"):
        texts[f"revision {revision.id}"] = revision.markdown
    for url in ("/digests/operations", "/digests/operations.txt", "/digests/feed.atom",
                "/wiki/changes.atom"):  # fmt: skip
        texts[url] = client.get(url).get_data(as_text=True)
    assert "Symptoms" in texts["/digests/operations.txt"]
    leaks = {where: _personal(text) for where, text in texts.items() if _personal(text)}
    assert leaks == {}
