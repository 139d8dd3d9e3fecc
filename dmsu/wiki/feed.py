"""The Atom feed of wiki changes. Feeds are fetched anonymously, so the feed is always built
from what an anonymous reader may see (:meth:`Revision.visible_to(None)`): public revisions
of public pages. Entry content is the stored, sanitised revision HTML, cleaned once more
with the one sanitiser; titles and names are text (feedgen escapes them)."""

from __future__ import annotations

from datetime import datetime

from feedgen.feed import FeedGenerator

from dmsu.auth.models import User
from dmsu.core.markdown import sanitize_html
from dmsu.wiki.models import Page, Revision

FEED_ENTRIES = 50


def public_changes(limit: int = FEED_ENTRIES):
    """The latest public revisions of public pages, newest first, with page and author."""
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
        .select_extend(Page.slug, User.username, User.display_name)
        .join_from(Revision, User, on=(Revision.author == User.id), join_type="LEFT OUTER JOIN")
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
    feed.updated(revisions[0].created_at if revisions else datetime.fromtimestamp(0).astimezone())
    for revision in reversed(revisions):
        entry = feed.add_entry()
        url = f"{base}/wiki/{revision.slug}/revisions/{revision.number}"
        entry.id(url)
        entry.link(href=url)
        entry.title(f"{revision.title} (revision {revision.number})")
        entry.updated(revision.created_at)
        entry.published(revision.created_at)
        author = revision.display_name or revision.username or "DMSU"
        entry.author({"name": author})
        if revision.summary:
            entry.summary(revision.summary)
        entry.content(sanitize_html(revision.html), type="html")
    return feed.atom_str(pretty=True)
