"""The component page: who handles it, the unit's SLA response times per severity (seed 001
Tables 2 and 3), its tickets for staff (counts only for the public), forums and docs."""

from __future__ import annotations

import pytest

from dmsu import content
from dmsu.cheatsheet import editing
from dmsu.cheatsheet.models import Component
from dmsu.cheatsheet.sheet import forget

OPEN = [{"at": "2013-02-11T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}]
SOLVED = OPEN + [{"at": "2013-02-12T09:00:00+00:00", "type": "status", "status": "solved"}]


@pytest.fixture
def loaded(app):
    content.load_all()
    return app


def test_public_page_shows_who_handles_it_and_the_sla(loaded, client):
    html = client.get("/components/cream-ce").get_data(as_text=True)
    assert "<h1>CREAM CE" in html
    assert "INFN (Italy)" in html and "CESNET (Czech Republic)" in html
    assert "Marco Rossi" in html and "marco.rossi@example.org" not in html
    assert "Response times declared by CREAM (Level 2)" in html
    assert '<th scope="row">1</th><td>top priority</td><td>1 working day</td>' in html
    assert '<th scope="row">4</th><td>less urgent</td><td>5 working days</td>' in html
    assert 'href="mailto:lcg-rollout@jiscmail.ac.uk"' in html
    assert 'href="https://wiki.italiangrid.it/CREAM"' in html


def test_sla_levels_read_like_the_seed(loaded, client):
    ggus = client.get("/components/ggus").get_data(as_text=True)  # level 3
    assert "<td>top priority</td><td>4 hours within working hours</td>" in ggus
    legacy = client.get("/components/dpm").get_data(as_text=True)
    assert (
        "EMI/IGE SLA (Table 2)" in legacy
        and "<td>less urgent</td><td>15 working days</td>" in legacy
    )
    best_effort = client.get("/components/grid-safe").get_data(as_text=True)
    assert "<td>top priority</td><td>Best effort</td>" in best_effort


def test_tickets_are_listed_for_staff_and_only_counted_for_the_public(
    loaded, client, tpm_client, make_ticket
):
    make_ticket(91001, events=OPEN, component="CREAM CE", subject="BLAH fails on torque")
    make_ticket(91002, events=SOLVED, component="CREAM CE", subject="Old solved thing")
    make_ticket(91003, events=OPEN, component="dCache", subject="Not mine")
    public = client.get("/components/cream-ce").get_data(as_text=True)
    assert "1 open ticket." in public
    assert "BLAH fails" not in public and "91001" not in public
    staff = tpm_client.get("/components/cream-ce").get_data(as_text=True)
    assert "1 open ticket, 2 in all." in staff
    assert '<a href="/tickets/91001">#91001</a>' in staff and "BLAH fails on torque" in staff
    assert "Old solved thing" in staff and "Not mine" not in staff


def test_retired_components_show_as_retired(loaded, client, make_user):
    editing.set_retired(make_user("admin"), Component.get(Component.slug == "qcg"), True)
    html = client.get("/components/qcg").get_data(as_text=True)
    assert '<span class="badge warn">retired</span>' in html
    assert "no longer on the cheat sheet" in html


def test_unknown_component_is_a_404(loaded, client):
    assert client.get("/components/no-such-thing").status_code == 404


def test_editors_get_edit_and_history_links(loaded, assigner_client):
    html = assigner_client.get("/components/cream-ce").get_data(as_text=True)
    assert 'href="/components/cream-ce/edit"' in html
    assert 'href="/components/cream-ce/history"' in html
    assert 'action="/components/cream-ce/retire"' in html


def test_links_stored_outside_the_editor_are_never_script_urls(loaded, client):
    Component.update(doc_url="javascript:alert(1)", forums="javascript:alert(2)").where(
        Component.slug == "dpm"
    ).execute()
    forget()
    html = client.get("/components/dpm").get_data(as_text=True)
    assert 'href="javascript:' not in html


def test_the_page_lists_the_components_solution_digests_apart_from_its_known_issues(
    loaded, client, make_user, make_ticket
):
    from dmsu.wiki.pages import Draft, create_page

    editor = make_user("resolver", "rita")
    cream = Component.get(Component.slug == "cream-ce")
    ticket = make_ticket(91039, events=SOLVED, component="CREAM CE")
    for title, tags, ticket_id in (
        ("Known issue: proxy renewal", "known-issue", None),
        ("Solution digest: jobs abort (#91039)", "solution-digest", ticket.id),
        ("Tuning notes", "cream", None),
    ):
        draft = Draft(title, "x", "public", tags, component_id=cream.id, ticket_id=ticket_id)
        create_page(draft, editor)
    html = client.get("/components/cream-ce").get_data(as_text=True)
    wiki = html[html.index("In the wiki") :]
    digests = wiki[wiki.index("Solution digests") : wiki.index("Other notes")]
    assert ">Solution digest: jobs abort (#91039)</a>" in digests
    assert "proxy renewal" not in digests and "Tuning notes" not in digests
    assert wiki.index("Known issues") < wiki.index("proxy renewal") < wiki.index("Solution digests")
    assert ">Tuning notes</a>" in wiki[wiki.index("Other notes") :]
    assert 'href="/wiki/#component-cream-ce"' in wiki
