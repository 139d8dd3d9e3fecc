"""Feeds: the Atom feed of published digests (feedgen) and the shift rota as iCalendar
(icalendar), so that readers and assigners can subscribe.

"an Atom feed of published digests that a real feed reader parses", and "a Shift
rota page: who is on shift each week, with an iCalendar feed (icalendar package) so assigners
can subscribe". Each feed entry's content is the stored public HTML of the digest's current
revision: nothing else, so only public-safe text is in it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from feedgen.feed import FeedGenerator
from icalendar import Calendar, Event
from markupsafe import escape

from dmsu.core import clock
from dmsu.digests.models import Digest, Shift
from dmsu.digests.publishing import digest_title, page_url
from dmsu.digests.rota import monday_of

FEED_SIZE = 20
AUTHOR = {"name": "DMSU"}  # the unit, never the person on shift (RFC 4287 4.1.1 wants one)
FEED_BYTES = 512 * 1024  # the digests' text in one feed document, about
ISSUES_HEADING = "<h2>Issues likely to affect the broader community</h2>"
_ISSUE = re.compile(r'<h3 id="(?:md-)?ggus-\d+">')


def published_for_feed(limit: int = FEED_SIZE, *, with_html: bool = True) -> list[Digest]:
    """The newest published digests (with their stored public HTML): one query."""
    fields = [Digest.id, Digest.week, Digest.published_at, Digest.revised_at, Digest.revision]
    if with_html:
        fields.append(Digest.public_html)
    return list(
        Digest.select(*fields)
        .where(Digest.state == "published")
        .order_by(Digest.week.desc())
        .limit(limit)
    )


def feed_stamp(digests: list[Digest]) -> str:
    """What the feed was made from: the weeks and their revisions (for ETag and cache)."""
    return ";".join(f"{d.week}r{d.revision}" for d in digests)


def last_modified(digests: list[Digest]):
    return max((d.revised_at or d.published_at for d in digests), default=None)


def shortened(html: str, url: str) -> str:
    """A digest's stored public HTML up to its list of issues (who prepared it, the intro,
    the week in numbers), then how many issues there are and a link to read them."""
    head, heading, issues = html.partition(ISSUES_HEADING)
    if not heading:
        return html
    count = len(_ISSUE.findall(issues))
    words = "1 issue" if count == 1 else f"{count} issues"
    return f'{head}{heading}\n<p>{words}: <a href="{escape(url)}">read them in the digest</a>.</p>'


def entry_contents(digests: list[Digest], config, budget: int = FEED_BYTES) -> list[str]:
    """Each entry's content, newest first: the whole stored HTML of the newest digest, and of
    the next ones while the document stays within ``budget``; older ones shortened.

    Readers poll a feed over and over and have mostly read its older entries already; at
    hundreds of issues a week, twenty whole digests made a feed of megabytes per poll.
    """
    contents, used, whole = [], 0, True
    for digest in digests:
        html = digest.public_html
        whole = whole and (not contents or used + len(html) <= budget)
        if not whole:
            html = shortened(html, page_url(config, digest.week))
        contents.append(html)
        used += len(html)
    return contents


def atom_feed(digests: list[Digest], config) -> bytes:
    """The Atom document of ``digests`` (newest first)."""
    base = str(config.get("DMSU_BASE_URL", "")).rstrip("/")
    site = str(config.get("DMSU_SITE_NAME", "DMSU desk"))
    feed = FeedGenerator()
    feed.id(f"{base}/digests/")
    feed.title(f"{site}: weekly digests")
    feed.subtitle("Issues handled by DMSU that are likely to hit the broader user community.")
    feed.link(href=f"{base}/digests/", rel="alternate")
    feed.link(href=f"{base}/digests/feed.atom", rel="self")
    feed.language("en")
    feed.author(AUTHOR)
    feed.updated(last_modified(digests) or clock.now())
    contents = entry_contents(digests, config)
    for digest, content in reversed(list(zip(digests, contents, strict=True))):
        # feedgen puts the last added first
        entry = feed.add_entry()
        url = page_url(config, digest.week)
        entry.id(url)
        entry.title(digest_title(digest.week))
        entry.link(href=url, rel="alternate")
        entry.published(digest.published_at)
        entry.updated(digest.revised_at or digest.published_at)
        entry.content(content, type="html")
    return feed.atom_str(pretty=True)


def rota_calendar(shifts: list[Shift], config) -> bytes:
    """One all-day event per shift week (Monday to the next Monday), its UID stable per week
    so that a calendar updates the event when an admin reassigns the week."""
    base = str(config.get("DMSU_BASE_URL", "")).rstrip("/")
    host = base.split("://", 1)[-1].split("/", 1)[0] or "dmsu-desk"
    site = str(config.get("DMSU_SITE_NAME", "DMSU desk"))
    calendar = Calendar()
    calendar.add("prodid", f"-//{site}//DMSU shift rota//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{site}: DMSU shift rota")
    for shift in shifts:
        monday = monday_of(shift.week)
        event = Event()
        event.add("uid", f"dmsu-shift-{shift.week}@{host}")
        event.add("summary", f"DMSU shift: {shift.user.name} ({shift.week})")
        event.add("dtstart", monday)
        event.add("dtend", monday + timedelta(days=7))
        event.add("dtstamp", shift.updated_at)
        event.add("last-modified", shift.updated_at)
        event.add("url", f"{base}/digests/rota")
        event.add(
            "description",
            f"{shift.user.name} is on DMSU shift in {shift.week}, and prepares the weekly "
            "digest of that week as the final task.",
        )
        calendar.add_component(event)
    return calendar.to_ical()
