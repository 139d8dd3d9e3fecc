"""The forums counted per list and quarter: states and links of the threads that started in
each quarter, on their own page, as the metrics page's section (staff only)."""

from __future__ import annotations

from datetime import date

from dmsu.forums import work
from dmsu.forums.counts import counts
from dmsu.forums.ingest import take_in_all
from dmsu.forums.lists import ensure_list
from dmsu.forums.models import ForumThread
from dmsu.metrics.periods import parse_period
from tests.support.forum_mail import BASE, mail

START = date(2025, 5, 1)  # PQ4 is 2026-02-01 .. 2026-05-01


def fill(make_ticket, actor):
    dcache, arc = (
        ensure_list("user-forum@dcache.org"),
        ensure_list("nordugrid-discuss@nordugrid.org"),
    )
    take_in_all([(str(n), mail(n, subject=f"Question {n}")) for n in (1, 2, 3)], dcache)
    take_in_all([("4", mail(4, subject="ARC", to="nordugrid-discuss@nordugrid.org"))], arc)
    make_ticket(91039)
    one, two, three = (ForumThread.get(ForumThread.subject == f"Question {n}") for n in (1, 2, 3))
    work.set_state(one, "answered", actor)
    work.link(two, 91039, actor)
    work.spawn(three, actor, ggus_id=170002)


def test_counted_per_list_and_quarter(app, make_ticket, make_user):
    fill(make_ticket, make_user("resolver"))
    [piece] = counts(parse_period("PQ4", START), START)
    assert BASE in piece.period
    assert [(line.label, line.values) for line in piece.lines] == [
        (
            "nordugrid-discuss@nordugrid.org",
            {"threads": 1, "seen": 0, "answered": 0, "linked": 0, "spawned": 0, "not relevant": 0},
        ),
        (
            "user-forum@dcache.org",
            {"threads": 3, "seen": 3, "answered": 1, "linked": 1, "spawned": 1, "not relevant": 0},
        ),
    ]
    assert piece.total.values["threads"] == 4
    assert counts(parse_period("PQ3", START), START)[0].lines == []


def test_the_counts_page_and_the_metrics_section_are_for_staff(clients, make_ticket):
    fill(make_ticket, clients["resolver"].user)
    page = clients["tpm"].get("/forums/counts?period=2026-03")
    assert page.status_code == 200 and "user-forum@dcache.org" in page.get_data(as_text=True)
    partial = clients["tpm"].hx("get", "/forums/counts?period=2026-03").get_data(as_text=True)
    assert "<html" not in partial and "<td>3</td>" in partial
    bad = clients["tpm"].get("/forums/counts?period=someday")
    assert bad.status_code == 400
    assert clients["anonymous"].get("/forums/counts").status_code == 302
    assert 'id="forums-section"' in clients["tpm"].get("/metrics/").get_data(as_text=True)
    assert 'id="forums-section"' not in clients["anonymous"].get("/metrics/").get_data(as_text=True)


def test_the_quarterly_report_has_the_section_for_staff(clients):
    html = clients["tpm"].get("/metrics/report/PQ10").get_data(as_text=True)
    assert 'data-hx-get="/forums/counts?period=PQ10"' in html
    public = clients["anonymous"].get("/metrics/report/PQ10").get_data(as_text=True)
    assert "forums-section" not in public


def test_the_quarterly_reports_markdown_and_mail_count_the_forums_for_staff(
    app, make_ticket, make_user
):
    from dmsu.core import clock
    from dmsu.metrics import quarterly

    fill(make_ticket, make_user("resolver"))
    config = {**app.config, "DMSU_PROJECT_START": START}
    with app.test_request_context():
        staff = quarterly.build("PQ4", config, clock.now(), with_recommendations=True)
        public = quarterly.build("PQ4", config, clock.now(), with_recommendations=False)
    text = quarterly.markdown(staff)
    assert "## Forums followed (proactive support)" in text
    assert "| user-forum@dcache.org | 3 | 3 | 1 | 1 | 1 | 0 |" in text
    assert "| **All lists** | **4** | **3** | **1** | **1** | **1** | **0** |" in text
    assert "Forums followed" not in quarterly.markdown(public)
