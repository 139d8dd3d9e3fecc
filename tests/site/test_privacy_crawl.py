"""Submitters' personal data never reaches a public page, a feed or the digest's e-mail.

Tickets of one week carry real-looking letters (English, Italian, German, Czech, Polish; an
HTML-only one; titles, sites, telephone numbers in several formats, entity-written and
disguised addresses, a quoted reply) that plant distinctive names, addresses and numbers,
and name a supporter who acted on the ticket. The shift drafts and publishes the weekly
digest through its pages, a supporter saves a solution digest as a public wiki page from the
prefilled form, the open ones are on the operations digest, and the digest is mailed over
real SMTP. Then an anonymous reader crawls the public site (tests/support/crawl.py)
with the planted names as search words: none of them may appear anywhere, while the
technical content (errors, host names, versions, GGUS numbers) is still there.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from dmsu.notify import mail
from tests.support import crawl as crawling

WEEK = "2013-W07"
MAILTO = "digests-list@example.org"


def at(day: int, hour: int = 10) -> str:
    return f"2013-02-{day:02d}T{hour:02d}:00:00+00:00"


LETTERS = {
    92001: (
        "CREAM CE",
        "Cornelius Whitfield",
        "cornelius.whitfield@physics.ox.ac.uk",
        "CREAM CE ce01.infn.it loses jobs after proxy renewal",
        """Dear supporters,

our CREAM CE ce01.infn.it fails with `Error: proxy expired (code 14)` after the upgrade to
1.14.0-4. Ottokar Pfannenstiel suggested a restart, it did not help. See also GGUS #91039.

Please contact me at cornelius.whitfield&#64;physics.ox.ac.uk or +44 1865 273333.

Best regards,
Dr. Cornelius Whitfield
Particle Physics, Keble Road Laboratory
Tel: +44 1865 273333
""",
        "solved",
    ),
    92002: (
        "BDII top",
        "Mariangela Bertolucci",
        "mariangela.bertolucci@roma3.infn.it",
        "BDII top on bdii.cnaf.infn.it crashes after 1.4.3",
        """Gentile supporto DMSU,

il servizio BDII su bdii.cnaf.infn.it si blocca dopo l'aggiornamento alla versione 1.4.3:

    slapd[1234]: segfault at 0 ip 00007f

Anche Luchino Zampognaro (luchino.zampognaro at cnaf dot infn dot it) vede lo stesso errore.

Cordiali saluti,
Ing. Mariangela Bertolucci
Sezione di Roma Tre, Via della Vasca Navale 84
Tel. +39 06 1234 5678
""",
        "in progress",
    ),
    92003: (
        "dCache",
        "Wilhelmina Oberhauser",
        "wilhelmina.oberhauser@kit.edu",
        "dCache 2.6.5 SRM door refuses connections on srm.gridka.de",
        """Sehr geehrte Damen und Herren,

seit dem Update auf dCache 2.6.5 meldet die SRM-Tür auf srm.gridka.de
`CGSI-gSOAP: Could not open connection`. Rückfragen bitte an Frau Oberhauser,
Telefon +49 (0)721 608-12345, oder wilhelmina.oberhauser&commat;kit.edu.

Mit freundlichen Grüßen
Dipl.-Ing. Wilhelmina Oberhauser
Steinbuch Centre for Computing
""",
        "in progress",
    ),
    92004: (
        "DPM",
        "Jaroslav Dvořáček",
        "jaroslav.dvoracek@fzu.cz",
        "DPM 1.8.7 head node se01.farm.particle.cz fails to send",
        """Dobrý den,

na stroji se01.farm.particle.cz padá DPM 1.8.7 s chybou "Communication error on send".
Kontakt: jaroslav.dvoracek&#x40;fzu.cz, tel. 00420 123 456 789.

S pozdravem,
Mgr. Jaroslav Dvořáček
Fyzikální ústav AV ČR
""",
        "in progress",
    ),
    92005: (
        "ARC CE",
        "Grzegorz Brzęczyszczykiewicz",
        "g.brzeczyszczykiewicz@cyfronet.pl",
        "ARC 3.0.0 jobs on ce.cyfronet.pl end with LRMS error",
        """Dzień dobry,

po aktualizacji do ARC 3.0.0 zadania na ce.cyfronet.pl kończą się błędem `LRMS error: (-1)`.

Pozdrawiam,
Grzegorz Brzęczyszczykiewicz
ACK Cyfronet AGH, tel. +48 12 345 67 89

W dniu 11.02.2013 10:00, Zdzisław Pietrzak <zdzislaw.pietrzak@cyfronet.pl> napisał(a):
> Proszę o logi.
""",
        "in progress",
    ),
    92006: (
        "VOMS",
        "Ingrid Bergström",
        "ingrid.bergstrom@nikhef.nl",
        "VOMS server voms.example.org answers VOMS error 5 since 2.0.10",
        """<html><body><p>Dear DMSU,</p>
<p>The <b>VOMS</b> server voms.example.org returns <code>VOMS error 5</code> since 2.0.10.</p>
<p>Regards,<br>Ingrid Bergstr&ouml;m<br>Nikhef Amsterdam, +31 20 592 2000</p>
<div class="gmail_quote">On Mon, Philomena Quast wrote:<blockquote>old letter</blockquote></div>
</body></html>""",
        "in progress",
    ),
}
PLANTED = [
    "Cornelius", "Whitfield", "Keble", "273333", "Pfannenstiel", "Ottokar",
    "Mariangela", "Bertolucci", "Vasca Navale", "1234 5678", "Zampognaro", "Luchino",
    "Wilhelmina", "Oberhauser", "608-12345", "Steinbuch",
    "Dvořáček", "Dvoracek", "Jaroslav", "456 789", "Fyzikální",
    "Brzęczyszczykiewicz", "Brzeczyszczykiewicz", "Grzegorz", "345 67 89", "Pietrzak",
    "Bergström", "Bergstrom", "592 2000", "Philomena", "Quast",
    "Dear supporters", "Gentile supporto", "Sehr geehrte", "Dobrý den", "Dzień dobry",
    "Best regards", "Cordiali saluti", "freundlichen Grüßen", "S pozdravem", "Pozdrawiam",
    "napisał", "physics.ox.ac.uk", "kit.edu", "fzu.cz", "nikhef.nl", "&#64;", "&commat;",
]  # fmt: skip
TECHNICAL = [
    "ce01.infn.it", "Error: proxy expired (code 14)", "1.14.0-4", "bdii.cnaf.infn.it",
    "slapd[1234]: segfault at 0 ip 00007f", "srm.gridka.de",
    "CGSI-gSOAP: Could not open connection", "se01.farm.particle.cz", "DPM 1.8.7",
    "Communication error on send", "ce.cyfronet.pl", "LRMS error: (-1)", "voms.example.org",
    "VOMS error 5", "2.0.10",
]  # fmt: skip
SEARCH_WORDS = [
    "Whitf",
    "Bertol",
    "Oberhau",
    "Dvořá",
    "Pietrz",
    "ce01",
]  # prefixes: never echoed whole


@pytest.fixture
def app_config(smtp_app_config):
    return {**smtp_app_config, "DMSU_DIGEST_MAILTO": MAILTO}


def _form_fields(html: str) -> dict[str, str]:
    """The named inputs and textareas of the page's wiki edit form, as a browser sends them."""
    fields = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        fields[name] = unescape(value)
    for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S
    ):
        fields[name] = unescape(value)
    selected = re.search(
        r'<select[^>]*name="component".*?<option value="(\d+)" selected', html, re.S
    )
    if selected:
        fields["component"] = selected.group(1)
    return fields


def _world(app, clients, make_user, make_ticket):
    from dmsu.digests.rota import set_shift
    from dmsu.tickets import workflow
    from dmsu.tickets.models import Ticket

    supporter = make_user("resolver", "ottokar", display_name="Ottokar Pfannenstiel")
    with app.app_context():
        set_shift(WEEK, clients["assigner"].user, clients["admin"].user)
    for n, (ggus_id, letter) in enumerate(LETTERS.items()):
        component, name, email, subject, description, status = letter
        events = [{"at": at(11 + n % 3), "type": "assigned", "support_unit": "DMSU"}]
        if status == "solved":
            events.append({"at": at(14), "type": "status", "status": "solved"})
        make_ticket(
            ggus_id,
            subject=subject,
            description=description,
            submitter=name,
            submitter_email=email,
            component=component,
            broad_impact=True,
            lack_of_expertise=status == "solved",
            impact=f"Sites running {component} are affected; ask {name.split()[0]} for details.",
            workaround=f"Restart the service (thanks, {name}).",
            assignee=supporter,
            events=events,
        )
    ticket = Ticket.get(Ticket.ggus_id == 92001)
    with app.app_context():
        workflow.add_comment(ticket, supporter, "Asked the product team.", public=False)


def _publish_through_the_pages(clients):
    shift = clients["assigner"]
    assert shift.form(f"/digests/{WEEK}/draft").status_code == 302
    edit = shift.get(f"/digests/{WEEK}/edit").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', edit).group(1)
    published = shift.form(f"/digests/{WEEK}/edit", {"version": version, "action": "publish"})
    assert published.status_code == 302, published.get_data(as_text=True)[:2000]


def _solution_digest_through_the_pages(clients) -> str:
    writer = clients["resolver"]
    form = writer.get("/wiki/new?ticket=92001").get_data(as_text=True)
    fields = _form_fields(form)
    fields.update(visibility="public", action="save")
    saved = writer.form("/wiki/new", fields)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    return saved.headers["Location"].rsplit("/", 1)[-1]


def test_public_pages_feeds_and_mail_carry_no_personal_data(
    app, client, clients, make_user, make_ticket, smtp_server, monkeypatch
):
    _world(app, clients, make_user, make_ticket)
    _publish_through_the_pages(clients)
    slug = _solution_digest_through_the_pages(clients)
    with app.app_context():
        assert mail.deliver_pending(app.config)["sent"] == 1
    (message,) = smtp_server.messages
    mailed = message.message.get_content()

    monkeypatch.setattr(crawling, "FORBIDDEN", [p.lower() for p in PLANTED])
    monkeypatch.setattr(crawling, "QUERIES", SEARCH_WORDS)
    seeds = [
        "/", "/digests/", f"/digests/{WEEK}", f"/digests/{WEEK}/revisions/1",
        "/digests/feed.atom", "/digests/operations", "/digests/operations.md",
        "/digests/operations.txt", "/wiki/", "/wiki/changes", "/wiki/changes.atom",
        f"/wiki/{slug}", f"/wiki/{slug}/history", f"/wiki/{slug}/revisions/1",
        "/api/v1/pages", f"/api/v1/pages/{slug}",
    ] + [f"/wiki/search?q={word}" for word in SEARCH_WORDS] + [
        f"/search?q={word}" for word in SEARCH_WORDS
    ]  # fmt: skip
    statuses, found = crawling.crawl(client, seeds)
    assert all(code < 500 for code in statuses.values())
    for name in PLANTED:
        if name.lower() in mailed.lower():
            found.append(f"{name.lower()} in the mailed digest")
    assert "\n".join(found) == ""

    # The technical content is all there.
    digest = unescape(client.get(f"/digests/{WEEK}").get_data(as_text=True))
    operations = unescape(client.get("/digests/operations").get_data(as_text=True))
    page = unescape(client.get(f"/wiki/{slug}").get_data(as_text=True))
    feed = unescape(unescape(client.get("/digests/feed.atom").get_data(as_text=True)))
    for technical in TECHNICAL:
        assert technical in digest, technical
        assert technical in feed, technical
        assert technical in mailed, technical
    for technical in TECHNICAL[3:]:
        assert technical in operations, technical
    for ggus_id in LETTERS:
        assert f"GGUS #{ggus_id}" in digest and f"#{ggus_id}" in mailed
    assert "ce01.infn.it" in page and "Error: proxy expired (code 14)" in page
    assert "#91039" in page


def test_the_planted_data_is_really_in_the_tickets(
    app, clients, make_user, make_ticket, smtp_server
):
    """Not vacuous: staff see every letter whole on the ticket pages."""
    _world(app, clients, make_user, make_ticket)
    for ggus_id, letter in LETTERS.items():
        body = unescape(clients["resolver"].get(f"/tickets/{ggus_id}").get_data(as_text=True))
        assert letter[1].split()[-1] in body, ggus_id
