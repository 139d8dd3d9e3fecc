"""The public side: archive, one page per digest, revisions, conditional GET, the Atom feed."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
import pytest

from dmsu.core import clock
from dmsu.digests.drafting import draft_digest, entries_of
from dmsu.digests.editing import DigestForm, save_digest
from dmsu.digests.models import Digest
from dmsu.digests.publishing import publish
from tests.support.atom import author_names, rule_breaks
from tests.support.digests_history import WEEK, make_week
from tests.support.queries import QueryCounter


def _publish(app, week, user=None, note=""):
    with app.app_context():
        digest = Digest.get(Digest.week == week)
        return publish(digest, user, config=app.config, note=note)


@pytest.fixture
def published(app, make_ticket):
    """2013-W07 published (with entries), 2013-W08 drafted only."""
    make_week(make_ticket)
    draft_digest(WEEK)
    with clock.frozen(datetime(2013, 2, 18, 9, 0, tzinfo=UTC)):
        _publish(app, WEEK)
    draft_digest("2013-W08")
    return Digest.get(Digest.week == WEEK)


def test_archive_lists_published_digests_by_year_for_readers(client, published):
    html = client.get("/digests/").get_data(as_text=True)
    assert '<h2 id="year-2013">2013</h2>' in html
    assert 'href="/digests/2013-W07"' in html
    assert "2013-W08" not in html  # a draft
    assert 'rel="alternate" type="application/atom+xml"' in html
    assert 'href="/digests/feed.atom"' in html


def test_staff_see_drafts_in_the_archive(clients, published):
    html = clients["tpm"].get("/digests/").get_data(as_text=True)
    assert "2013-W08" in html and "draft" in html
    assert clients["tpm"].get("/digests/2013-W08").status_code == 200


def test_archive_is_newest_first(client, app, make_ticket):
    for week in ("2012-W50", "2013-W02", "2013-W01"):
        draft_digest(week)
        Digest.update(intro="Quiet week.").where(Digest.week == week).execute()
        _publish(app, week)
    html = client.get("/digests/").get_data(as_text=True)
    assert html.index("2013-W02") < html.index("2013-W01") < html.index("2012-W50")
    assert html.index('id="year-2013"') < html.index('id="year-2012"')


def test_digest_page_shows_the_published_revision(client, published):
    response = client.get(f"/digests/{WEEK}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "DMSU digest 2013-W07 (11–17 February 2013)" in html
    assert "GGUS #91001" in html and "CREAM CE drops jobs after proxy renewal" in html
    assert "New in DMSU: <strong>3</strong>" in html
    assert "Published <time" in html and "updated" not in html
    assert 'type="application/atom+xml"' in html


def test_unpublished_and_nonexistent_weeks_are_404_for_readers(client, published):
    assert client.get("/digests/2013-W08").status_code == 404  # draft
    assert client.get("/digests/2013-W09").status_code == 404  # none
    response = client.get("/digests/2013-W53")  # no such week
    assert response.status_code == 404
    assert "not an existing ISO week" in response.get_data(as_text=True)


def test_a_correction_is_a_new_revision_shown_as_updated(client, app, published, make_user):
    admin = make_user("admin", "boss")
    entry = entries_of(published)[0]
    form = DigestForm(published.version, "", {entry.id: {"impact": "Corrected impact text."}})
    save_digest(published, form, admin)
    with clock.frozen(datetime(2013, 2, 20, 9, 0, tzinfo=UTC)):
        revision = _publish(app, WEEK, admin, note="impact corrected")
    assert revision.number == 2
    html = client.get(f"/digests/{WEEK}").get_data(as_text=True)
    assert "Corrected impact text." in html
    assert "updated <time" in html and "2013-02-20" in html
    assert "Revision history" in html and "impact corrected" in html
    old = client.get(f"/digests/{WEEK}/revisions/1").get_data(as_text=True)
    assert "Corrected impact text." not in old and "Revision 1, published" in old
    assert client.get(f"/digests/{WEEK}/revisions/9").status_code == 404


def test_digest_page_answers_conditional_get(client, published):
    first = client.get(f"/digests/{WEEK}")
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = client.get(f"/digests/{WEEK}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get(
        f"/digests/{WEEK}", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304


def test_conditional_get_sees_a_new_revision(client, app, published):
    etag = client.get(f"/digests/{WEEK}").headers["ETag"]
    Digest.update(intro="Now with an intro.", version=Digest.version + 1).where(
        Digest.id == published.id
    ).execute()
    _publish(app, WEEK)
    response = client.get(f"/digests/{WEEK}", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_feed_is_read_by_a_real_feed_reader(client, app, published):
    draft_digest("2013-W06")
    Digest.update(intro="A *quiet* week.").where(Digest.week == "2013-W06").execute()
    with clock.frozen(datetime(2013, 2, 11, 9, 0, tzinfo=UTC)):
        _publish(app, "2013-W06")
    response = client.get("/digests/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "DMSU desk: weekly digests"
    titles = [entry.title for entry in feed.entries]
    assert titles == [
        "DMSU digest 2013-W07 (11–17 February 2013)",
        "DMSU digest 2013-W06 (4–10 February 2013)",
    ]
    first = feed.entries[0]
    assert first.link == "http://localhost/digests/2013-W07"
    assert first.updated_parsed[:5] == (2013, 2, 18, 9, 0)
    content = first.content[0]
    assert content.type == "text/html"
    assert "GGUS #91001" in content.value and "proxy_renewal = false" in content.value
    assert "2013-W08" not in response.get_data(as_text=True)  # drafts never in the feed


def test_feed_answers_conditional_get(client, published):
    first = client.get("/digests/feed.atom")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/digests/feed.atom", headers={"If-None-Match": etag}).status_code == 304
    assert (
        client.get("/digests/feed.atom", headers={"If-Modified-Since": modified}).status_code == 304
    )


def test_empty_feed_is_still_valid(client):
    document = client.get("/digests/feed.atom").data
    feed = feedparser.parse(document)
    assert not feed.bozo and feed.entries == []
    assert rule_breaks(document) == []


def test_feed_keeps_the_feed_validators_rules_with_dmsu_as_author(client, app, published):
    """RFC 4287: id, title, updated with a zone, an author (the W3C validator refused the
    feed for "no author" in each entry), unique absolute entry ids, absolute links. The
    author is DMSU, never the person on shift."""
    draft_digest("2013-W06")
    with clock.frozen(datetime(2013, 2, 11, 9, 0, tzinfo=UTC)):
        _publish(app, "2013-W06")
    document = client.get("/digests/feed.atom").data
    assert len(feedparser.parse(document).entries) == 2
    assert rule_breaks(document) == []
    assert author_names(document) == {"DMSU"}


def test_public_page_serves_stored_html_in_few_queries(client, published, app):
    from dmsu.core.db import database

    def counted(sql: str) -> bool:
        return "schema_migration" not in sql and sql != "SELECT 1"

    client.get(f"/digests/{WEEK}")  # warm up (schema guard)
    client.get("/digests/feed.atom")  # the document is cached until the next publication
    with QueryCounter(database.obj, keep=counted, at="execute_sql") as counter:
        queries = counter.statements
        assert client.get(f"/digests/{WEEK}").status_code == 200
        page_queries = len(queries)
        queries.clear()
        assert client.get("/digests/feed.atom").status_code == 200
        feed_queries = len(queries)
    assert page_queries == 1, queries
    assert feed_queries <= 1, queries


def test_ticket_references_lead_public_readers_to_ggus(client, app, make_ticket):
    draft_digest("2013-W10")
    Digest.update(intro="See #91039 and [[Some page]].").where(Digest.week == "2013-W10").execute()
    from dmsu.core.markdown import render_markdown

    Digest.update(intro_html=render_markdown("See #91039 and [[Some page]].")).where(
        Digest.week == "2013-W10"
    ).execute()
    _publish(app, "2013-W10")
    html = client.get("/digests/2013-W10").get_data(as_text=True)
    assert 'href="https://ggus.eu/?mode=ticket_info&amp;ticket_id=91039"' in html
    assert 'href="/tickets/91039"' not in html


def test_feed_keeps_whole_digests_within_its_budget_and_shortens_older_ones(client, app):
    from dmsu.digests import feeds

    weeks = ("2013-W01", "2013-W02", "2013-W03")
    for week in weeks:
        draft_digest(week)
        Digest.update(intro="Quiet week.").where(Digest.week == week).execute()
        _publish(app, week)
    issue = '<h3 id="md-ggus-{0}"><a href="x">GGUS #{0}</a>: t</h3>\n<p>{1}</p>\n'
    for n, week in enumerate(weeks):
        html = Digest.get(Digest.week == week).public_html
        assert feeds.ISSUES_HEADING in html
        big = html + "".join(issue.format(91000 + i, "x" * 1000) for i in range(3 + n))
        Digest.update(public_html=big).where(Digest.week == week).execute()
    digests = feeds.published_for_feed()
    with app.app_context():
        whole = feeds.entry_contents(digests, app.config)
        cut = feeds.entry_contents(digests, app.config, budget=len(digests[0].public_html) + 10)
    assert whole == [d.public_html for d in digests]
    assert cut[0] == digests[0].public_html  # the newest is always whole
    for digest, content in zip(digests[1:], cut[1:], strict=True):
        assert len(content) < 1000 and "The week in numbers" in content
        assert f'href="http://localhost/digests/{digest.week}"' in content
    assert "4 issues: " in cut[1] and "3 issues: " in cut[2]
    feed = feedparser.parse(client.get("/digests/feed.atom").data)
    assert not feed.bozo and len(feed.entries) == 3
