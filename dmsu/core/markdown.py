"""The one markdown path of the site.

Design rule 3, "One markdown path": "Markdown becomes HTML in one function that sanitises
with an allowlist (nh3). The rendered HTML is stored with the revision when saved, not
re-rendered per view."

Every piece of user-written markdown (wiki pages, solution digests, weekly digests,
requirements, ticket descriptions and comments) goes through :func:`render_markdown`; other
HTML that must be cleaned (feeds, diffs) through :func:`sanitize_html`, with the same
allowlist; short single-line fields (titles, user names) through :func:`render_inline`, which
escapes everything.

The time a render takes is bounded, so that no text can stall a worker: each kind of text has
a length limit (:data:`TEXT_LIMITS`), the parser (markdown-it-py, with the site's rules in
:mod:`dmsu.core.markdown_rules`) runs in time linear in the text, and a render that still runs
past :data:`RENDER_BUDGET_SECONDS` stops. Both refusals are a :class:`MarkdownRefused` with one
sentence for the person who wrote the text.

Wiki syntax on top of CommonMark: ``[[Page name]]`` and ``[[Page name|label]]`` link to
``/wiki/<slug>``; ``#12345`` (4 to 7 digits) links to the GGUS ticket ``/tickets/12345``; a
heading needs a space after its hashes (``# Title``), so a line may start with a ticket ref.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3
from markupsafe import Markup, escape
from pygments.token import STANDARD_TYPES

from dmsu.core import markdown_rules
from dmsu.core.markdown_rules import HEADING_ID_PREFIX, Budget, LinkResolver, Links, TooComplex

__all__ = [
    "HEADING_ID_PREFIX",
    "RENDER_BUDGET_SECONDS",
    "TEXT_LIMITS",
    "LinkResolver",
    "MarkdownRefused",
    "Document",
    "check_length",
    "html_text",
    "plain_text",
    "render_document",
    "render_inline",
    "render_markdown",
    "render_plain",
    "sanitize_html",
    "slugify",
    "ticket_refs",
    "wiki_links",
]

SLUG_MAX_LENGTH = 80
RENDER_BUDGET_SECONDS = 2.0
# The longest text of each kind, in characters. Far above anything written by hand or pasted
# from a log (a GGUS ticket's description is rarely above 10,000), low enough that the worst
# text of each kind renders well inside the budget.
TEXT_LIMITS = {
    "text": 200_000,
    "wiki page": 200_000,
    "description": 50_000,
    "comment": 20_000,
    "solution note": 20_000,
    "impact": 20_000,
    "workaround": 20_000,
    "digest text": 20_000,
    "requirement": 20_000,
}
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
# Control characters have no use in text (and PostgreSQL refuses NUL). Each becomes a NUL,
# which the parser reads as U+FFFD (CommonMark's rule), and U+FFFD is taken out of the HTML
# before it is sanitised (after, "java<NUL>script:" would become a scheme the sanitiser never
# saw): so "#12345<NUL>0" stays the ticket ref #12345 instead of joining into #123450.
_CONTROL_CHARS = dict.fromkeys((c for c in range(32) if chr(c) not in "\t\n\r"), "\0")
_REPLACED = "\ufffd"


class MarkdownRefused(ValueError):
    """A text the markdown path will not render; the message is one sentence for its writer."""


def slugify(title: str) -> str:
    """Lowercase ASCII words joined by '-', at most 80 characters; "" if none usable."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.decode().lower()).strip("-")
    return slug[:SLUG_MAX_LENGTH].rstrip("-")


_PARSER = markdown_rules.make_parser(slugify)


def check_length(text: str, kind: str = "text") -> None:
    """Refuse a text longer than its kind allows (see :data:`TEXT_LIMITS`), in one sentence."""
    limit = TEXT_LIMITS[kind]
    if len(text) > limit:
        raise MarkdownRefused(
            f"The {kind} is {len(text):,} characters long; at most {limit:,} are allowed. "
            "Shorten it (long logs are best linked, not pasted)."
        )


@dataclass(frozen=True)
class Document:
    """One render of a markdown text: the HTML to store, what it linked, and its plain text."""

    html: str
    wiki_slugs: frozenset[str]
    ticket_ids: frozenset[int]
    steps: int

    @property
    def text(self) -> str:
        """The plain text (for e-mails, search and snippets): no HTML at all."""
        return html_text(self.html)


def render_document(
    text: str,
    *,
    kind: str = "text",
    link_resolver: LinkResolver | None = None,
    budget: float | None = None,
) -> Document:
    """Markdown (with wiki links and ticket refs) to sanitised HTML, to store with a revision.

    ``kind`` names the text for its length limit and for the sentence of a refusal
    (:class:`MarkdownRefused`). ``link_resolver(slug)`` says whether a page exists and is
    visible; links to other pages get the class ``missing``. Without a resolver every wiki link
    is rendered as existing. ``budget``: seconds, :data:`RENDER_BUDGET_SECONDS` by default.
    """
    check_length(text, kind)
    budget = RENDER_BUDGET_SECONDS if budget is None else budget
    links, steps = Links(link_resolver), Budget(budget)
    steps.start()
    try:
        html = _PARSER.render(text.translate(_CONTROL_CHARS), {"links": links, "budget": steps})
    except (TooComplex, RecursionError):
        raise MarkdownRefused(
            f"The {kind} could not be formatted within {budget:g} seconds: it nests brackets, "
            "emphasis, lists or HTML too deeply. Simplify the markup, or put the text in a "
            "code block (between lines of ```)."
        ) from None
    return Document(
        html=sanitize_html(html.rstrip("\n").replace(_REPLACED, "")),
        wiki_slugs=frozenset(links.wiki_slugs),
        ticket_ids=frozenset(links.ticket_ids),
        steps=steps.steps,
    )


def render_markdown(
    text: str,
    *,
    kind: str = "text",
    link_resolver: LinkResolver | None = None,
    budget: float | None = None,
) -> str:
    """The HTML of :func:`render_document`."""
    return render_document(text, kind=kind, link_resolver=link_resolver, budget=budget).html


def render_plain(text: str) -> str:
    """A text as escaped paragraphs, with no markup at all: for text taken from another system
    that the markdown path refused, so that it is kept and shown as it was written."""
    paragraphs = re.split(r"\n\s*\n", text.translate(_CONTROL_CHARS).replace("\0", "").strip())
    return "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs if p)


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


def ticket_refs(text: str, kind: str = "text") -> set[int]:
    """GGUS ids referenced as '#12345' in markdown source, outside code; for backlinks."""
    return set(render_document(text, kind=kind).ticket_ids)


def wiki_links(text: str, kind: str = "text") -> set[str]:
    """Slugs of the pages linked with '[[...]]' in markdown source, outside code."""
    return set(render_document(text, kind=kind).wiki_slugs)


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


def plain_text(markdown_text: str, kind: str = "text") -> str:
    """A text version of markdown (for e-mails and search snippets): no HTML at all."""
    return render_document(markdown_text, kind=kind).text


def html_text(html: str) -> str:
    """The text of sanitised HTML: blocks become paragraphs, list items '- '."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = "\n".join(line.rstrip() for line in "".join(extractor.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")
