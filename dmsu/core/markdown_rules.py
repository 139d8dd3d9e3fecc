"""The site's markdown syntax as rules of markdown-it-py, the parser behind the one markdown path.

markdown-it-py parses CommonMark in time linear in the text (its rules scan forward and never
back, nesting is capped by ``maxNesting``); the rules added here keep that property:

- ``[[Page name]]`` / ``[[Page name|label]]`` link to ``/wiki/<slug>`` (a scan that stops at
  the first bracket or line end), ``#12345`` (4 to 7 digits) links to the GGUS ticket;
- headings get ids ``md-<slug>`` (unique: ``_1``, ``_2`` ...) and ``[TOC]`` alone in a
  paragraph lists them;
- table cells carry ``align`` (the sanitiser allows no ``style``), task lists get their classes,
  fenced code is highlighted by Pygments for the languages of :data:`HIGHLIGHTED`;
- raw HTML nested deeper than :data:`MAX_RAW_HTML_DEPTH` is shown as text: the HTML parser of
  the sanitiser needs time quadratic in the depth of open elements;
- :class:`Budget` counts the parser's steps and stops a render that runs past its deadline.

Per-render state (link resolver, what was linked, the budget) lives in markdown-it's ``env``,
so one parser serves every thread.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name

HEADING_ID_PREFIX = "md-"  # so that user content never reuses the page layout's ids
MAX_NESTING = 20  # blocks in blocks, and brackets in brackets (CommonMark preset's own value)
MAX_RAW_HTML_DEPTH = 64
# Languages whose Pygments lexers run in time linear in the code (measured on random runs of
# punctuation; those of YAML, XML, INI, Java, Perl, Apache, console sessions and Makefiles take
# seconds on a few kilobytes). Any other name is shown as plain text in the same box.
HIGHLIGHTED = frozenset(
    {"bash", "sh", "shell", "python", "py", "pycon", "c", "cpp", "json", "toml", "sql", "diff"}
    | {"text", "nginx", "properties", "docker", "dockerfile", "javascript", "js"}
)
HIGHLIGHT_MAX_CHARS = 20_000  # of highlighted code per render; the rest is shown plain
_WIKILINK_RE = re.compile(r"\[\[([^\[\]|\n]+)(?:\|([^\[\]\n]+))?\]\]")
_TICKET_RE = re.compile(r"#(\d{4,7})(?!\w)")
_NOT_BEFORE_TICKET_REF = frozenset("/#&=\\-")  # and word characters: URLs, entities, escapes
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)
_FORMATTER = HtmlFormatter(wrapcode=True)

LinkResolver = Callable[[str], bool]


class TooComplex(ValueError):
    """The render ran past its budget."""


@dataclass
class Budget:
    """A deadline for one render, checked every 1,024 parser steps."""

    seconds: float
    steps: int = 0
    deadline: float = 0.0

    def start(self) -> None:
        self.deadline = time.perf_counter() + self.seconds

    def step(self) -> None:
        self.steps += 1
        if not self.steps & 1023:
            self.check()

    def check(self) -> None:
        if time.perf_counter() > self.deadline:
            raise TooComplex


@dataclass
class Links:
    """What one render linked: wiki slugs and GGUS ids (for the backlink tables)."""

    resolver: LinkResolver | None = None
    wiki_slugs: set[str] = field(default_factory=set)
    ticket_ids: set[int] = field(default_factory=set)
    _exists: dict[str, bool] = field(default_factory=dict)

    def page_exists(self, slug: str) -> bool:
        if self.resolver is None:
            return True
        if slug not in self._exists:
            self._exists[slug] = bool(self.resolver(slug))
        return self._exists[slug]


def make_parser(slugify: Callable[[str], str]) -> MarkdownIt:
    """The site's parser: CommonMark, raw HTML (sanitised afterwards), tables, task lists."""
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
    md.enable("table")
    md.use(tasklists_plugin)
    md.block.ruler.before("table", "budget", _block_budget)
    md.inline.ruler.before("text", "budget", _inline_budget)
    md.inline.ruler.before("link", "wikilink", _wikilink(slugify))
    md.inline.ruler.before("text", "ticketref", _ticket_ref)
    md.core.ruler.push("raw_html_depth", _raw_html_depth)
    md.core.ruler.push("task_list_classes", _task_list_classes)
    md.core.ruler.push("heading_ids", _heading_ids(slugify))
    md.add_render_rule("fence", _fence)
    md.add_render_rule("image", _image)
    md.add_render_rule("th_open", _cell_open)
    md.add_render_rule("td_open", _cell_open)
    return md


# --- the budget -----------------------------------------------------------------------------


def _block_budget(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    state.env["budget"].step()
    return False


def _inline_budget(state: StateInline, silent: bool) -> bool:
    state.env["budget"].step()
    return False


# --- wiki links and ticket refs -------------------------------------------------------------


def _wikilink(slugify: Callable[[str], str]):
    def wikilink(state: StateInline, silent: bool) -> bool:
        src, start = state.src, state.pos
        if not src.startswith("[[", start) or state.linkLevel > 0:
            return False
        match = _WIKILINK_RE.match(src, start, state.posMax)
        if match is None:
            return False
        name, label = match.group(1).strip(), (match.group(2) or "").strip()
        slug = "" if "`" in name else slugify(name)  # a code span inside is not a page name
        if not slug:
            return False
        if not silent:
            links: Links = state.env["links"]
            links.wiki_slugs.add(slug)
            css = "wikilink" if links.page_exists(slug) else "wikilink missing"
            token = state.push("link_open", "a", 1)
            token.attrs = {"class": css, "href": f"/wiki/{slug}"}
            if label:
                label_start = match.start(2) + len(match.group(2)) - len(match.group(2).lstrip())
                end = state.posMax
                state.pos, state.posMax = label_start, label_start + len(label)
                state.linkLevel += 1
                state.md.inline.tokenize(state)
                state.linkLevel -= 1
                state.posMax = end
            else:
                state.push("text", "", 0).content = name
            state.push("link_close", "a", -1)
        state.pos = match.end()
        return True

    return wikilink


def _ticket_ref(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    if src[start] != "#" or state.linkLevel > 0:
        return False
    if start > 0:
        before = src[start - 1]
        if before.isalnum() or before == "_" or before in _NOT_BEFORE_TICKET_REF:
            return False
        raw_html_before = state.tokens and state.tokens[-1].type == "html_inline"
        if before == ">" and not state.pending and raw_html_before:
            return False  # '<span>#12345': raw HTML's own text
    match = _TICKET_RE.match(src, start, state.posMax)
    if match is None:
        return False
    if not silent:
        ggus_id = int(match.group(1))
        state.env["links"].ticket_ids.add(ggus_id)
        token = state.push("link_open", "a", 1)
        token.attrs = {"class": "ticketref", "href": f"/tickets/{ggus_id}"}
        state.push("text", "", 0).content = match.group(0)
        state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


# --- raw HTML, task lists, headings ----------------------------------------------------------


def _raw_html_depth(state: StateCore) -> None:
    """Raw HTML past the depth limit, and all raw HTML after it, is shown as text."""
    depth, too_deep = 0, False
    for token in _all_tokens(state.tokens):
        if token.type not in ("html_block", "html_inline"):
            continue
        if not too_deep:
            for closing, name, self_closing in _TAG_RE.findall(token.content):
                if closing:
                    depth = max(0, depth - 1)
                elif not self_closing and name.lower() not in _VOID:
                    depth += 1
            too_deep = depth > MAX_RAW_HTML_DEPTH
        if too_deep:
            token.type = "text"


def _task_list_classes(state: StateCore) -> None:
    """The task-list plugin's markup in the classes and the checkbox the site has always had."""
    for token in _all_tokens(state.tokens):
        if token.attrGet("class") == "contains-task-list":
            token.attrSet("class", "task-list")
        elif token.type == "html_inline" and 'class="task-list-item-checkbox"' in token.content:
            checked = " checked" if 'checked="checked"' in token.content else ""
            token.content = f'<input type="checkbox" disabled{checked}>'


def _heading_ids(slugify: Callable[[str], str]):
    def heading_ids(state: StateCore) -> None:
        used: dict[str, int] = {}
        headings: list[tuple[int, str, str]] = []
        tokens = state.tokens
        for index, token in enumerate(tokens):
            if token.type != "heading_open":
                continue
            text = _text_of(tokens[index + 1].children or [])
            anchor = _unique(HEADING_ID_PREFIX + (slugify(text) or "section"), used)
            token.attrSet("id", anchor)
            headings.append((int(token.tag[1]), anchor, text))
        for index in range(len(tokens) - 2, 0, -1):
            inline = tokens[index]
            if (
                inline.type == "inline"
                and inline.content.strip() == "[TOC]"
                and tokens[index - 1].type == "paragraph_open"
                and tokens[index - 1].level == 0
            ):
                toc = Token("html_block", "", 0)
                toc.content = _toc_html(headings)
                tokens[index - 1 : index + 2] = [toc]

    return heading_ids


def _unique(anchor: str, used: dict[str, int]) -> str:
    """``anchor`` the first time, then ``anchor_1``, ``anchor_2`` ... (slugs hold no '_', so
    these never meet another heading's anchor); a count per anchor keeps it linear."""
    count = used.get(anchor)
    used[anchor] = 0 if count is None else count + 1
    return anchor if count is None else f"{anchor}_{count + 1}"


def _text_of(children: list[Token]) -> str:
    return "".join(c.content for c in children if c.type in ("text", "code_inline"))


def _toc_html(headings: list[tuple[int, str, str]]) -> str:
    """Nested lists of the headings, as Python-Markdown's table of contents wrote them."""
    parts, levels = ['<div class="toc">\n'], []
    for level, anchor, text in headings:
        if levels and level > levels[-1]:
            parts.append("<ul>\n")
            levels.append(level)
        else:
            while levels and level < levels[-1]:
                parts.append("</li>\n</ul>\n")
                levels.pop()
            if levels:
                parts.append("</li>\n")
            else:
                parts.append("<ul>\n")
                levels.append(level)
        parts.append(f'<li><a href="#{anchor}">{escapeHtml(text)}</a>')
    while levels:
        parts.append("</li>\n</ul>\n")
        levels.pop()
    parts.append("</div>\n")
    return "".join(parts)


def _all_tokens(tokens: list[Token]):
    for token in tokens:
        yield token
        if token.children:
            yield from token.children


# --- rendering ----------------------------------------------------------------------------


def _fence(self, tokens, index, options, env) -> str:
    token = tokens[index]
    language = token.info.strip().split(maxsplit=1)[0].lower() if token.info.strip() else ""
    env["budget"].check()
    env["highlighted"] = highlighted = env.get("highlighted", 0) + len(token.content)
    if language not in HIGHLIGHTED or highlighted > HIGHLIGHT_MAX_CHARS:
        language = "text"
    return highlight(token.content, get_lexer_by_name(language), _FORMATTER)


def _image(self, tokens, index, options, env) -> str:
    token = tokens[index]
    alt = self.renderInlineAsText(token.children or [], options, env)
    title = token.attrGet("title")
    attrs = f' title="{escapeHtml(title)}"' if title else ""
    return f'<img alt="{escapeHtml(alt)}" src="{escapeHtml(token.attrGet("src") or "")}"{attrs}>'


def _cell_open(self, tokens, index, options, env) -> str:
    token = tokens[index]
    style = token.attrGet("style") or ""
    align = style.removeprefix("text-align:") if style.startswith("text-align:") else ""
    return f'<{token.tag} align="{align}">' if align else f"<{token.tag}>"
