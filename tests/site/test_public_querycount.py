"""Issue 10: "no N+1 queries (a test counts the queries of each main page and fails if it grows
with the number of rows)" — here for the public pages: the cheat sheet, its search partial, a
published digest, a wiki page and the digest feed. Each is counted when it is rendered (the
page cache missed because the data changed) with few rows and with many; a page answered from
the page cache costs exactly one query (the stamps)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dmsu.cheatsheet.models import Component, ComponentPartner, Expert, Partner
from dmsu.digests.models import Digest, DigestRevision
from dmsu.tickets.units import SupportUnit
from dmsu.wiki.models import Attachment
from dmsu.wiki.pages import Draft, create_page, save_page
from tests.support.queries import QueryCounter

PUBLISHED = datetime(2013, 2, 18, 9, 0, tzinfo=UTC)


def queries_of(client, url: str, **kwargs):
    with QueryCounter(at="execute_sql") as counter:
        response = client.get(url, **kwargs)
    return response, counter.statements


def add_components(start: int, count: int) -> None:
    unit, _ = SupportUnit.get_or_create(
        name="CREAM", defaults={"kind": "third_line", "sla_level": "level2"}
    )
    for i in range(start, start + count):
        partner = Partner.create(name=f"Partner {i}", country="IT")
        component = Component.create(
            name=f"Cream part {i}",
            slug=f"cream-part-{i}",
            aliases=f"cp{i}",
            description="A CREAM component.",
            support_unit=unit,
        )
        ComponentPartner.create(component=component, partner=partner)
        Expert.create(component=component, name=f"Expert {i}", email=f"e{i}@example.org")


@pytest.fixture
def writer(make_user):
    return make_user("resolver", "rita", display_name="Rita Resolver")


class WikiPage:
    url = "/wiki/target"

    def __init__(self, writer):
        self.writer = writer
        self.target = create_page(
            Draft(title="Target", markdown="#12345 [[Linker 0]]", visibility="public"), writer
        )
        self.count = 0

    def grow(self, count: int) -> None:
        for i in range(self.count, self.count + count):
            create_page(
                Draft(title=f"Linker {i}", markdown="[[Target]]", visibility="public"), self.writer
            )
            Attachment.create(
                page=self.target.id,
                filename=f"f{i}.txt",
                stored_name=f"s{i}",
                content_type="text/plain",
                size=1,
            )
        self.count += count
        tags = " ".join(f"tag{i}" for i in range(self.count))
        markdown = " ".join(f"#{20000 + i}" for i in range(self.count))
        page = self.target.__class__.get_by_id(self.target.id)
        save_page(
            page,
            Draft(title="Target", markdown=markdown, visibility="public", tags=tags),
            self.writer,
            page.revision_number,
        )


class CheatSheet:
    url = "/cheatsheet/"
    headers: dict = {}

    def __init__(self, writer):
        self.count = 0

    def grow(self, count: int) -> None:
        add_components(self.count, count)
        self.count += count


class SearchPartial(CheatSheet):
    url = "/cheatsheet/?q=cream"
    headers = {"HX-Request": "true"}


class PublicDigest:
    """A published digest and its corrections: the revision list grows."""

    url = "/digests/2013-W07"

    def __init__(self, writer):
        self.digest = Digest.create(
            week="2013-W07",
            year=2013,
            state="published",
            public_html="<p>The week.</p>",
            revision=1,
            published_at=PUBLISHED,
            revised_at=PUBLISHED,
        )

    def grow(self, count: int) -> None:
        first = self.digest.revision
        for number in range(first + 1, first + count + 1):
            DigestRevision.create(
                digest=self.digest,
                number=number,
                html=f"<p>Revision {number}.</p>",
                created_at=PUBLISHED + timedelta(hours=number),
                note="correction",
            )
        self.digest.revision = first + count
        self.digest.public_html = f"<p>Revision {self.digest.revision}.</p>"
        self.digest.revised_at = PUBLISHED + timedelta(hours=self.digest.revision)
        self.digest.save()


class DigestFeed:
    url = "/digests/feed.atom"

    def __init__(self, writer):
        self.count = 0

    def grow(self, count: int) -> None:
        for i in range(self.count, self.count + count):
            moment = PUBLISHED + timedelta(weeks=i)
            Digest.create(
                week=f"{moment.isocalendar().year}-W{moment.isocalendar().week:02d}",
                year=moment.isocalendar().year,
                state="published",
                public_html=f"<p>Digest {i}.</p>",
                revision=1,
                published_at=moment,
                revised_at=moment,
            )
        self.count += count


PAGES = {
    "cheat sheet": CheatSheet,
    "cheat-sheet search partial": SearchPartial,
    "public digest": PublicDigest,
    "wiki page": WikiPage,
    "digest feed": DigestFeed,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_public_page_queries_do_not_grow_with_rows_and_a_kept_page_costs_one(
    name, app, client, writer
):
    page = PAGES[name](writer)
    headers = getattr(page, "headers", {})
    client.get("/")  # the once-per-process schema check
    counts, seen = [], []
    for grow in (1, 11):
        page.grow(grow)
        response, queries = queries_of(client, page.url, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert "Set-Cookie" not in response.headers
        counts.append(len(queries))
        seen.append(queries)
    assert counts[0] == counts[1], (name, seen)
    assert counts[1] <= 8, (name, queries)
    again, queries = queries_of(client, page.url, headers=headers)
    assert again.data == response.data
    assert queries == ['SELECT area, version FROM "page_cache_stamp"'], queries
