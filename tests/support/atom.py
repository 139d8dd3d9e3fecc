"""The feed validator's rules for an Atom document (RFC 4287), as a list of what breaks them.

Parsed with feedparser (requirements-dev), which keeps each value as written: ``id``,
``updated`` and ``href`` are checked in the form a feed reader receives them.

- the feed has an id (an absolute IRI), a title and an ``updated`` (RFC 3339 with a zone);
- an author on the feed, or on every entry (RFC 4287 4.1.1: "atom:feed elements MUST
  contain one or more atom:author elements, unless all of the atom:feed element's child
  atom:entry elements contain at least one atom:author element");
- every entry has a title, an id that is an absolute IRI and unique in the feed, and an
  ``updated`` in RFC 3339 with a zone;
- every link, of the feed and of the entries, is absolute.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import feedparser

RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\Z")


def _absolute(iri: str) -> bool:
    parts = urlsplit(iri or "")
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in ("urn", "tag"))


def _authors(node) -> list[str]:
    return [a.get("name", "") for a in node.get("authors", []) if a.get("name")]


def rule_breaks(document: bytes) -> list[str]:
    """What in ``document`` breaks the rules above; empty when it is a valid feed."""
    parsed = feedparser.parse(document)
    if parsed.bozo:
        return [f"not well-formed: {parsed.get('bozo_exception')}"]
    feed, breaks = parsed.feed, []
    if not _absolute(feed.get("id", "")):
        breaks.append(f"feed id {feed.get('id')!r} is not an absolute IRI")
    if not feed.get("title"):
        breaks.append("feed has no title")
    if not RFC3339.match(feed.get("updated", "")):
        breaks.append(f"feed updated {feed.get('updated')!r} is not RFC 3339 with a zone")
    if not _authors(feed) and not all(_authors(e) for e in parsed.entries):
        breaks.append("no author on the feed nor on every entry")
    links = [link.get("href", "") for link in feed.get("links", [])]
    seen: set[str] = set()
    for number, entry in enumerate(parsed.entries, 1):
        entry_id = entry.get("id", "")
        if not _absolute(entry_id):
            breaks.append(f"entry {number} id {entry_id!r} is not an absolute IRI")
        if entry_id in seen:
            breaks.append(f"entry {number} id {entry_id!r} is not unique")
        seen.add(entry_id)
        if not entry.get("title"):
            breaks.append(f"entry {number} has no title")
        if not RFC3339.match(entry.get("updated", "")):
            breaks.append(f"entry {number} updated {entry.get('updated')!r} is not RFC 3339")
        links += [link.get("href", "") for link in entry.get("links", [])]
    breaks += [f"link {href!r} is not absolute" for href in links if not _absolute(href)]
    return breaks


def author_names(document: bytes) -> set[str]:
    """Every author name in the feed and its entries."""
    parsed = feedparser.parse(document)
    names = set(_authors(parsed.feed))
    for entry in parsed.entries:
        names.update(_authors(entry))
    return names
