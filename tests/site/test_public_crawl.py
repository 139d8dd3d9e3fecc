"""An anonymous reader crawls the whole public site and never meets internal content.

Markers are planted (tests/support/world.py) in internal wiki page titles, bodies and
revision summaries, internal ticket notes, ticket subjects and descriptions (tickets are
staff-only), submitter e-mail addresses, requirement texts, a digest draft, a TCB
recommendation and a queued mail. The crawl starts at ``/`` and the known public entry points
(feeds, searches with parts of the markers as the query, the API, lists, components, metrics
with their CSV and SVG, digest pages and operations digests, the rota calendar), follows every
same-site link, submits every GET form (search boxes get part of a marker), and reads JSON
answers for further addresses. No marker may appear in any body or header.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.support import world as site_world
from tests.support.crawl import QUERIES, crawl
from tests.support.world import MARK, SUBMITTER_EMAIL


def seeds(world) -> list[str]:
    urls = [
        "/",
        "/wiki/",
        "/wiki/changes",
        "/wiki/changes.atom",
        "/wiki/help",
        f"/wiki/tags/{world.tag}",
        f"/wiki/tags/{world.internal_tag}",
        f"/wiki/{world.internal_slug}",
        f"/wiki/{world.internal_slug}/history",
        f"/wiki/{world.internal_slug}/diff",
        f"/wiki/{world.internal_slug}/revisions/1",
        f"/wiki/{world.internal_slug}/attachments",
        f"/wiki/{world.internal_slug}/files/{world.internal_attachment_id}/x.png",
        "/digests/",
        "/digests/feed.atom",
        f"/digests/{world.week}",
        f"/digests/{world.week}/revisions/1",
        f"/digests/{world.draft_week}",
        "/digests/operations",
        "/digests/operations.md",
        "/digests/operations.txt",
        "/digests/rota",
        "/digests/rota.ics",
        "/cheatsheet/",
        "/cheatsheet.csv",
        f"/components/{world.component_slug}",
        f"/components/{world.component_slug}/row",
        "/metrics/",
        "/metrics/sla",
        f"/metrics/report/{world.quarter}",
        f"/metrics/report/{world.quarter}.md",
        f"/metrics/recommendations/{world.quarter}",
        "/api/v1/",
        "/api/v1/openapi.json",
        "/api/v1/components",
        f"/api/v1/components/{world.component_slug}",
        "/api/v1/pages",
        f"/api/v1/pages/{world.internal_slug}",
        f"/api/v1/tickets/{world.ggus_id}",
        "/api/v1/tickets",
        f"/tickets/{world.ggus_id}",
        f"/requirements/{world.requirement_id}",
        "/healthz",
    ]
    from dmsu.metrics.charts import DRAW
    from dmsu.metrics.page import ALL_TABLES

    for period in ("", "?period=PY3", f"?period={world.quarter}"):
        urls += [f"/metrics/{name}.csv{period}" for name in ALL_TABLES]
        urls += [f"/metrics/charts/{name}.svg{period}" for name in DRAW]
    for query in QUERIES:
        q = urlencode({"q": query})
        urls += [f"/wiki/search?{q}", f"/cheatsheet/?{q}", f"/api/v1/pages?{q}", f"/search?{q}"]
        urls += [f"/api/v1/components?{q}", f"/digests/?{q}", f"/api/v1/search?{q}"]
    return urls


@pytest.fixture
def world(app, clients, make_ticket):
    return site_world.build(app, clients, make_ticket)


def test_an_anonymous_crawl_finds_no_internal_content(app, client, world):
    statuses, found = crawl(client, seeds(world))
    assert "\n".join(found) == ""
    assert all(code < 500 for code in statuses.values()), {
        u: c for u, c in statuses.items() if c >= 500
    }
    # The crawl really went places: pages of every public area, and the staff-only ones refused.
    visited = set(statuses)
    for expected in (
        f"/wiki/{world.public_slug}",
        f"/digests/{world.week}",
        "/digests/feed.atom",
        "/cheatsheet/",
        f"/components/{world.component_slug}",
        "/metrics/",
        "/api/v1/pages",
    ):
        assert expected in visited, expected
    assert statuses[f"/wiki/{world.internal_slug}"] == 404
    assert statuses[f"/tickets/{world.ggus_id}"] == 302
    assert len(statuses) > 100


def test_markers_are_really_there_for_staff(app, clients, world):
    """The crawl is not vacuous: staff do meet the markers on the same kind of pages."""
    staff = clients["resolver"]
    for url in (
        f"/wiki/{world.internal_slug}",
        f"/tickets/{world.ggus_id}",
        f"/requirements/{world.requirement_id}",
        "/wiki/search?q=7f3a",
        "/search?q=7f3a",
    ):
        body = staff.get(url).get_data(as_text=True)
        assert MARK.lower() in body.lower(), url
    body = staff.get(f"/tickets/{world.ggus_id}").get_data(as_text=True)
    assert SUBMITTER_EMAIL in body
