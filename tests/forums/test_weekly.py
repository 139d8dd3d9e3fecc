"""The digest draft's forum candidates: threads of the week with broader impact, by their
tickets, with the reasons; threads without a ticket or outside the week are not offered."""

from __future__ import annotations

from dmsu.digests.drafting import draft_digest
from dmsu.forums import work
from dmsu.forums.ingest import take_in_all
from dmsu.forums.lists import ensure_list
from dmsu.forums.models import ForumThread
from dmsu.forums.weekly import threads_of_week
from tests.support.forum_mail import mail

WEEK = "2026-W10"  # BASE, 2026-03-02, is its Monday


def fill(make_ticket, actor):
    dcache = ensure_list("user-forum@dcache.org")
    ensure_list("lcg-rollout@jiscmail.ac.uk")
    raws = [
        ("1", mail(1, subject="Pools crash at many sites")),
        ("1b", mail(1, subject="Pools crash at many sites", to="lcg-rollout@jiscmail.ac.uk")),
        ("2", mail(2, subject="One site's question")),
        ("3", mail(3, subject="Spawned one")),
        ("4", mail(4, subject="Linked, narrow")),
    ]
    take_in_all(raws, dcache)
    make_ticket(91039, broad_impact=True)
    make_ticket(91040)
    by = {t.subject: t for t in ForumThread.select()}
    work.link(by["Pools crash at many sites"], 91039, actor)
    work.spawn(by["Spawned one"], actor, ggus_id=170003)
    work.link(by["Linked, narrow"], 91040, actor)


def test_threads_of_the_week_with_broader_impact(app, make_ticket, make_user):
    fill(make_ticket, make_user("resolver"))
    found = {t.subject: (t.tickets, t.reasons) for t in threads_of_week(WEEK)}
    assert found == {
        "Pools crash at many sites": (
            (91039,),
            ("its ticket is flagged broad impact", "on 2 lists"),
        ),
        "Spawned one": ((170003,), ("a ticket was spawned from it",)),
    }
    assert threads_of_week("2026-W11") == []


def test_the_digest_editor_offers_them(clients, make_ticket):
    fill(make_ticket, clients["resolver"].user)
    draft_digest(WEEK, actor=clients["assigner"].user)
    html = clients["assigner"].get(f"/digests/{WEEK}/edit").get_data(as_text=True)
    assert "From the forums this week" in html and "Pools crash at many sites" in html
    assert "Linked, narrow" not in html.split("From the forums this week")[1]
