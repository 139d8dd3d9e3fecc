"""The Atom feed of wiki changes. Feeds are fetched anonymously, so the feed is always built
from what an anonymous reader may see (:meth:`Revision.visible_to(None)`): public revisions
of public pages. Entry content is the stored, sanitised revision HTML, cleaned once more
with the one sanitiser; titles are text (feedgen escapes them).

The author of the feed and of every entry is "DMSU", never an editor's name (the wiki is
DMSU's knowledge base; no person's name or address goes into a public feed). RFC 4287
wants an author on the feed or on each entry and an ``updated`` on the feed: the newest
entry's time, or the site clock while there is none."""

from __future__ import annotations

from datetime import datetime

from feedgen.feed import FeedGenerator

from dmsu.core import clock
from dmsu.core.markdown import sanitize_html
from dmsu.wiki.models import Page, Revision

FEED_ENTRIES = 50
AUTHOR = {"name": "DMSU"}


def public_changes(limit: int = FEED_ENTRIES):
    """The latest public revisions of public pages, newest first, with their page's slug."""
    return list(
        Revision.visible_to(
            None,
            Revision.id,
            Revision.number,
            Revision.title,
            Revision.summary,
            Revision.html,
            Revision.created_at,
        )
        .select_extend(Page.slug)
        .order_by(Revision.created_at.desc(), Revision.id.desc())
        .limit(limit)
        .objects()
    )


def last_change() -> datetime | None:
    latest = (
        Revision.visible_to(None, Revision.created_at)
        .order_by(Revision.created_at.desc())
        .limit(1)
        .scalar()
    )
    return latest


def atom(base_url: str, site_name: str, revisions) -> bytes:
    base = base_url.rstrip("/")
    feed = FeedGenerator()
    feed.id(f"{base}/wiki/changes.atom")
    feed.title(f"{site_name}: wiki changes")
    feed.link(href=f"{base}/wiki/changes", rel="alternate")
    feed.link(href=f"{base}/wiki/changes.atom", rel="self")
    feed.language("en")
    feed.author(AUTHOR)
    feed.updated(revisions[0].created_at if revisions else clock.now())
    for revision in reversed(revisions):
        entry = feed.add_entry()
        url = f"{base}/wiki/{revision.slug}/revisions/{revision.number}"
        entry.id(url)
        entry.link(href=url)
        entry.title(f"{revision.title} (revision {revision.number})")
        entry.updated(revision.created_at)
        entry.published(revision.created_at)
        entry.author(AUTHOR)
        if revision.summary:
            entry.summary(revision.summary)
        entry.content(sanitize_html(revision.html), type="html")
    return feed.atom_str(pretty=True)
