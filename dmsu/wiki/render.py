"""The one markdown path of the site.

Design rule 3, "One markdown path": "Markdown becomes HTML in one function that sanitises
with an allowlist (nh3). The rendered HTML is stored with the revision when saved, not
re-rendered per view."

Every piece of user-written markdown (wiki pages, solution digests, weekly digests,
requirements, notes) goes through :func:`render_markdown`; other HTML that must be cleaned
(feeds, diffs) through :func:`sanitize_html`, with the same allowlist; short single-line
fields (titles, user names) through :func:`render_inline`, which escapes everything.

Wiki syntax on top of Python-Markdown: ``[[Page name]]`` and ``[[Page name|label]]`` link
to ``/wiki/<slug>``; ``#12345`` (4 to 7 digits) links to the GGUS ticket
``/tickets/12345``. So that a line may start with a ticket ref, a heading needs a space
after its hashes (``# Title``), as in CommonMark.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as etree
from collections.abc import Callable
from html.parser import HTMLParser

import markdown
import nh3
from markdown.blockprocessors import HashHeaderProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markupsafe import Markup, escape
from pygments.token import STANDARD_TYPES

LinkResolver = Callable[[str], bool]
_Match = tuple[etree.Element | None, int | None, int | None]

SLUG_MAX_LENGTH = 80
HEADING_ID_PREFIX = "md-"  # so that user content never reuses the page layout's ids
URL_SCHEMES = frozenset({"http", "https", "mailto"})  # and relative URLs
ALLOWED_TAGS = frozenset(
    {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code"}
    | {"strong", "em", "del", "ul", "ol", "li", "a", "img", "span", "div", "input"}
    | {"table", "thead", "tbody", "tr", "th", "td"}
)
_ATTRIBUTES = {
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "input": {"checked"},
}
_ALIGN = {"left", "center", "right"}
_ATTRIBUTE_VALUES = {"th": {"align": _ALIGN}, "td": {"align": _ALIGN}}
_FORCED_ATTRIBUTES = {"input": {"type": "checkbox", "disabled": ""}}
_CLASSES = {
    "a": {"wikilink", "missing", "ticketref"},
    "div": {"highlight", "toc"},
    "ul": {"task-list"},
    "li": {"task-list-item"},
    "span": {name for name in STANDARD_TYPES.values() if name},  # Pygments tokens
}

_EXTENSIONS = ["tables", "pymdownx.superfences", "pymdownx.tasklist", "toc", "sane_lists"]
_CONTROL_CHARS = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")
_WIKILINK_RE = r"\[\[([^\[\]|\n]+)(?:\|([^\[\]\n]+))?\]\]"
# Not after a word, '/', '#', '&', '=', '-', a backslash or an inline placeholder (\x03):
# that keeps URL fragments, entities and escaped '\#12345' out.
_TICKET_RE = r"(?<![\w/#&=\\\x03-])#(\d{4,7})(?!\w)"


def slugify(title: str) -> str:
    """Lowercase ASCII words joined by '-', at most 80 characters; "" if none usable."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.decode().lower()).strip("-")
    return slug[:SLUG_MAX_LENGTH].rstrip("-")


class _RefProcessor(InlineProcessor):
    """Base of the wiki inline patterns: never inside another link."""

    ANCESTOR_EXCLUDES = ("a",)

    def __init__(self, pattern: str, wiki: _WikiExtension) -> None:
        super().__init__(pattern)
        self.wiki = wiki


class _WikiLinkProcessor(_RefProcessor):
    def handleMatch(self, m: re.Match[str], data: str) -> _Match:
        name, label = m.group(1).strip(), (m.group(2) or "").strip()
        slug = "" if "\x02" in name else slugify(name)  # \x02: a code span in the name
        if not slug:
            return None, None, None
        link = etree.Element("a", href=f"/wiki/{slug}", attrib={"class": "wikilink"})
        if not self.wiki.page_exists(slug):
            link.set("class", "wikilink missing")
        link.text = label or name
        self.wiki.wiki_slugs.add(slug)
        return link, m.start(0), m.end(0)


class _TicketRefProcessor(_RefProcessor):
    def handleMatch(self, m: re.Match[str], data: str) -> _Match:
        ggus_id = int(m.group(1))
        link = etree.Element("a", {"href": f"/tickets/{ggus_id}", "class": "ticketref"})
        link.text = m.group(0)
        self.wiki.ticket_ids.add(ggus_id)
        return link, m.start(0), m.end(0)


class _SpacedHashHeaderProcessor(HashHeaderProcessor):
    """'# Title' is a heading, '#12345' is not (Python-Markdown alone needs no space)."""

    RE = re.compile(
        r"(?:^|\n)(?P<level>#{1,6})(?=[ \t]|\n|$)"
        r"(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)"
    )


class _WikiExtension(Extension):
    """Wiki links and ticket refs; records what it linked, for the backlink tables."""

    def __init__(self, link_resolver: LinkResolver | None = None) -> None:
        super().__init__()
        self.link_resolver = link_resolver
        self.wiki_slugs: set[str] = set()
        self.ticket_ids: set[int] = set()
        self._exists: dict[str, bool] = {}

    def page_exists(self, slug: str) -> bool:
        if self.link_resolver is None:
            return True
        if slug not in self._exists:
            self._exists[slug] = bool(self.link_resolver(slug))
        return self._exists[slug]

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Above links (160), so that '[[x]]' is not a reference link; below code (190).
        md.inlinePatterns.register(_WikiLinkProcessor(_WIKILINK_RE, self), "wiki", 175)
        # Below raw HTML (90) and entities (80), so that '&#12345;' stays an entity.
        md.inlinePatterns.register(_TicketRefProcessor(_TICKET_RE, self), "ggus", 70)
        heading = _SpacedHashHeaderProcessor(md.parser)
        md.parser.blockprocessors.register(heading, "hashheader", 70)


def _heading_id(value: str, separator: str) -> str:
    return HEADING_ID_PREFIX + (slugify(value) or "section")


def _convert(text: str, link_resolver: LinkResolver | None = None) -> tuple[str, _WikiExtension]:
    wiki = _WikiExtension(link_resolver)
    md = markdown.Markdown(
        extensions=[*_EXTENSIONS, wiki],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "toc": {"permalink": False, "marker": "[TOC]", "slugify": _heading_id},
        },
        output_format="html",
    )
    # STX/ETX are Python-Markdown's placeholder markers; other controls have no use in text.
    html = md.convert(text.translate(_CONTROL_CHARS))
    return sanitize_html(html), wiki


def render_markdown(text: str, *, link_resolver: LinkResolver | None = None) -> str:
    """Markdown (with wiki links and ticket refs) to sanitised HTML, to store with a revision.

    ``link_resolver(slug)`` says whether a page exists and is visible; links to other pages
    get the class ``missing``. Without a resolver every wiki link is rendered as existing.
    """
    return _convert(text, link_resolver)[0]


def sanitize_html(html: str) -> str:
    """Clean any HTML with the site's allowlist: the same one :func:`render_markdown` uses."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        tag_attribute_values=_ATTRIBUTE_VALUES,
        set_tag_attribute_values=_FORCED_ATTRIBUTES,
        allowed_classes=_CLASSES,
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow noopener",
        id_prefix=HEADING_ID_PREFIX,
        strip_comments=True,
    )


def render_inline(text: str) -> Markup:
    """A short single-line field (title, name) as HTML: everything escaped, no markdown."""
    return escape(text)


def ticket_refs(text: str) -> set[int]:
    """GGUS ids referenced as '#12345' in markdown source, outside code; for backlinks."""
    return _convert(text)[1].ticket_ids


def wiki_links(text: str) -> set[str]:
    """Slugs of the pages linked with '[[...]]' in markdown source, outside code."""
    return _convert(text)[1].wiki_slugs


_PARAGRAPHS = {"p", "div", "pre", "blockquote", "table", "hr"}
_PARAGRAPHS |= {f"h{level}" for level in range(1, 7)}
_LAYOUT = _PARAGRAPHS | {"ul", "ol", "li", "thead", "tbody", "tr", "th", "td", "br"}


class _TextExtractor(HTMLParser):
    """Collects the text of sanitised HTML: blocks become paragraphs, list items '- '."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = ["\n"]
        self.in_pre = self.list_depth = 0
        self.after_layout_tag = True

    def _add(self, text: str) -> None:
        text = text.lstrip() if self.parts[-1].endswith("\n") else text
        if text:
            self.parts.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag in {"ul", "ol"}:
            self.parts.append("" if self.list_depth else "\n\n")
            self.list_depth += 1
        elif tag == "li":
            self.parts.append("\n" + "  " * (self.list_depth - 1) + "- ")
        elif tag in {"br", "tr"}:
            self.parts.append("\n")
        elif tag in {"td", "th"} and not self.parts[-1].endswith("\n"):
            self.parts.append(" | ")
        elif tag == "img":
            self._add(dict(attrs).get("alt") or "")
        elif tag == "input":
            self._add("[x]" if "checked" in dict(attrs) else "[ ]")
        self.in_pre += tag == "pre"
        self.after_layout_tag = tag in _LAYOUT

    def handle_endtag(self, tag: str) -> None:
        if tag in _PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag in {"ul", "ol"} and self.list_depth:
            self.list_depth -= 1
            self.parts.append("" if self.list_depth else "\n\n")
        self.in_pre -= tag == "pre" and self.in_pre > 0
        self.after_layout_tag = tag in _LAYOUT

    def handle_data(self, data: str) -> None:
        if self.in_pre:
            self.parts.append(data)
        elif data.strip() or not self.after_layout_tag:
            self._add(re.sub(r"\s+", " ", data))


def plain_text(markdown_text: str) -> str:
    """A text version of markdown (for e-mails and search snippets): no HTML at all."""
    extractor = _TextExtractor()
    extractor.feed(render_markdown(markdown_text))
    extractor.close()
    text = "\n".join(line.rstrip() for line in "".join(extractor.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")
