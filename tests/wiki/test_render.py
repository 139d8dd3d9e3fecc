"""The one markdown path: rendering, wiki syntax, and the sanitiser's allowlist."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from dmsu.core.markdown import (
    plain_text,
    render_inline,
    render_markdown,
    sanitize_html,
    slugify,
    ticket_refs,
    wiki_links,
)

# Written out here, independent of the module, so that widening the allowlist fails a test.
EXPECTED_ATTRIBUTES = {
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "a": {"href", "title", "class", "rel"},
    "img": {"src", "alt", "title"},
    "input": {"type", "disabled", "checked"},
    "ol": {"start"},
    "ul": {"class"},
    "li": {"class"},
    "div": {"class"},
    "span": {"class"},
    "th": {"align"},
    "td": {"align"},
}
EXPECTED_TAGS = set(EXPECTED_ATTRIBUTES) | {"p", "br", "hr", "strong", "em", "del"}
EXPECTED_TAGS |= {"code", "pre", "blockquote", "table", "thead", "tbody", "tr"}
SAFE_SCHEMES = {"http", "https", "mailto"}


class Audit(HTMLParser):
    """Parses output HTML the way a browser would read its tags and attribute values."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.starttags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.starttags.append((tag, attrs))
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(tag)


def url_scheme(url: str) -> str | None:
    """The scheme a browser reads: outer C0/space stripped, tab/newline removed."""
    url = re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(33))))).lower()
    match = re.match(r"([a-z][a-z0-9+.\-]*):", url)
    return match.group(1) if match else None


def assert_safe(html: str) -> None:
    assert "<script" not in html.lower()
    audit = Audit(html)
    assert set(audit.tags) <= EXPECTED_TAGS, html
    for tag, name, value in audit.attributes:
        assert not name.startswith("on") and name != "style", html
        assert name in EXPECTED_ATTRIBUTES.get(tag, set()), html
        if name in {"href", "src"}:
            assert url_scheme(value) in SAFE_SCHEMES | {None}, html


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    (
        "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;"
        "&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>"
    ),
    (
        "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C"
        "&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>"
    ),
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="jAvAsCrIpT&colon;alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="java\x00script:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<a href=x onclick=alert(1)>x</a>",
    "<a href=`x` onmouseover=`alert(1)`>x</a>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    "![x](javascript:alert(1))",
    '![x](x.png "a\\" onerror=\\"alert(1)")',
    '[x](http://example.org "a\\" onmouseover=\\"alert(1)")',
    "[x](http://example.org 'a\" onmouseover=\"alert(1)')",
    "[click][x]\n\n[x]: javascript:alert(1)",
    '[click][1]\n\n[1]: JAVASCRIPT:alert(1) "title"',
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<style>body{background:url("javascript:alert(1)")}</style>',
    '<div style="background-image: url(javascript:alert(1))">x</div>',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    "<body onload=alert(1)>",
    '<table background="javascript:alert(1)"><td>x</td></table>',
    '<video><source onerror="alert(1)"></video>',
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<!-- --!><script>alert(1)</script><!-- -->",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<input type="text" onfocus="alert(1)" name="csrf_token" value="x">',
    '<h1 id="x" onclick="alert(1)" style="color:red">t</h1>',
    '<span class="htmx-indicator" hx-get="/logout" hx-trigger="load">x</span>',
    '<span data-hx-get="/logout" data-hx-trigger="load">x</span>',
    '<div markdown="1">[x](javascript:alert(1))</div>',
    "<x onclick=alert(1)>x</x>",
    "[[<script>alert(1)</script>]]",
    "[[x|<img src=x onerror=1>]]",
    '[[x" onmouseover="alert(1)]]',
    "[[javascript:alert(1)]]",
    "#12345<script>alert(1)</script>",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "`</code><script>alert(1)</script>`",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markdown_payload_renders_harmless(payload: str) -> None:
    assert_safe(render_markdown(payload, link_resolver=lambda slug: False))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_html_payload_is_sanitised(payload: str) -> None:
    assert_safe(sanitize_html(payload))


def test_script_in_code_is_shown_as_text() -> None:
    html = render_markdown("`<script>alert(1)</script>`")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_every_link_gets_nofollow_noopener() -> None:
    html = render_markdown('[a](https://example.org) <a href="/x" rel="opener">b</a>')
    assert html.count('rel="nofollow noopener"') == 2
    assert 'rel="opener"' not in html


@pytest.mark.parametrize(
    "url", ["https://example.org/a?b=c#d", "http://x.org", "mailto:dmsu@example.org"]
)
def test_allowed_schemes_survive(url: str) -> None:
    assert f'href="{url}"' in render_markdown(f"[x]({url})")


@pytest.mark.parametrize("url", ["/wiki/page", "../page", "#section", "page.html"])
def test_relative_urls_survive(url: str) -> None:
    assert f'href="{url}"' in render_markdown(f"[x]({url})")


def test_image_keeps_src_alt_title() -> None:
    html = render_markdown('![Plot](/static/plot.png "Tickets per week")')
    assert '<img alt="Plot" src="/static/plot.png" title="Tickets per week">' in html


def test_table_alignment_uses_align_attribute_not_style() -> None:
    html = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")
    assert '<th align="left">a</th>' in html
    assert '<td align="center">2</td>' in html
    assert '<td align="right">3</td>' in html
    assert "style" not in html


def test_fenced_code_is_highlighted_with_token_classes() -> None:
    html = render_markdown('```python\nimport os\nprint("<b>")\n```')
    assert '<div class="highlight"><pre>' in html
    assert '<span class="kn">import</span>' in html
    assert "&lt;b&gt;" in html


def test_indented_code_block() -> None:
    assert "<pre><code>x = 1\n</code></pre>" in render_markdown("Text\n\n    x = 1")


def test_task_list_checkboxes_are_disabled() -> None:
    html = render_markdown("- [x] restart the CE\n- [ ] file a 3rd-line ticket")
    assert '<ul class="task-list">' in html
    boxes = [dict(attrs) for tag, attrs in Audit(html).starttags if tag == "input"]
    assert boxes == [
        {"type": "checkbox", "disabled": "", "checked": ""},
        {"type": "checkbox", "disabled": ""},
    ]


def test_raw_input_is_forced_to_a_disabled_checkbox() -> None:
    html = sanitize_html('<input type="text" name="csrf_token" value="x">')
    [(tag, attrs)] = Audit(html).starttags
    assert (tag, dict(attrs)) == ("input", {"type": "checkbox", "disabled": ""})


def test_unknown_classes_are_dropped() -> None:
    html = sanitize_html('<div class="toc modal-backdrop"><span class="k modal">a</span></div>')
    assert html == '<div class="toc"><span class="k">a</span></div>'


def test_headings_have_prefixed_unique_ids() -> None:
    html = render_markdown("# CREAM CE\n\n## Known issues\n\n## Known issues")
    assert '<h1 id="md-cream-ce">CREAM CE</h1>' in html
    assert '<h2 id="md-known-issues">' in html
    assert '<h2 id="md-known-issues_1">' in html


def test_raw_html_ids_get_the_prefix() -> None:
    assert sanitize_html('<h2 id="content">x</h2>') == '<h2 id="md-content">x</h2>'


def test_toc_marker_lists_headings() -> None:
    html = render_markdown("[TOC]\n\n# Symptoms\n\n## Workaround for #12345")
    toc = html.split("</div>")[0]
    assert toc.startswith('<div class="toc">')
    assert '<a href="#md-symptoms" rel="nofollow noopener">Symptoms</a>' in toc
    assert 'href="#md-workaround-for-12345"' in toc
    assert "permalink" not in html and "&para;" not in html and "¶" not in html


def test_single_newline_is_not_a_break() -> None:
    assert render_markdown("one\ntwo") == "<p>one\ntwo</p>"


def test_sane_lists_keep_start_and_do_not_mix_kinds() -> None:
    html = render_markdown("3. three\n4. four\n\n* bullet")
    assert '<ol start="3">' in html
    assert "<ul>\n<li>bullet</li>" in html


def test_wiki_link_to_existing_and_missing_pages() -> None:
    seen: list[str] = []

    def exists(slug: str) -> bool:
        seen.append(slug)
        return slug == "cream-ce"

    html = render_markdown(
        "[[CREAM CE]], [[dCache|the dCache page]], [[CREAM CE]]", link_resolver=exists
    )
    assert '<a class="wikilink" href="/wiki/cream-ce" rel="nofollow noopener">CREAM CE</a>' in html
    assert (
        '<a class="wikilink missing" href="/wiki/dcache" rel="nofollow noopener">'
        "the dCache page</a>"
    ) in html
    assert seen == ["cream-ce", "dcache"]


def test_wiki_link_without_resolver_is_not_marked_missing() -> None:
    assert 'class="wikilink"' in render_markdown("[[Any page]]")


def test_wiki_link_label_is_escaped_text_and_may_hold_emphasis() -> None:
    html = render_markdown("[[Page|a *b* & <i>c</i>]]")
    assert ">a <em>b</em> &amp; c</a>" in html


def test_wiki_link_without_usable_name_stays_text() -> None:
    assert render_markdown("[[!!!]]") == "<p>[[!!!]]</p>"


def test_wiki_links_in_code_are_not_links() -> None:
    source = "`[[Inline]]`\n\n```\n[[Fenced]]\n```\n\n    [[Indented]]\n\n[[Real page]]"
    assert wiki_links(source) == {"real-page"}
    assert render_markdown(source).count('class="wikilink"') == 1


@pytest.mark.parametrize(
    "source",
    [
        "#12345 fails at start of line",
        "see #12345",
        "see (#12345), then",
        "GGUS #12345.",
        "- #12345 in a list",
        "## Heading with #12345",
        "*#12345*",
    ],
)
def test_ticket_reference_is_linked(source: str) -> None:
    html = render_markdown(source)
    assert '<a class="ticketref" href="/tickets/12345" rel="nofollow noopener">#12345</a>' in html
    assert ticket_refs(source) == {12345}


@pytest.mark.parametrize(
    "source",
    [
        "#123 is too short",
        "#12345678 is too long",
        "`#12345` in a code span",
        "```\n#12345\n```",
        "text\n\n    #12345 indented code",
        "http://example.org/page#12345",
        "http://example.org/#12345",
        "[a link](http://example.org/#12345)",
        "<http://example.org/#12345>",
        "x#12345",
        "&#12345;",
        "\\#12345 escaped",
        "<span>#12345</span>",
    ],
)
def test_ticket_reference_is_not_linked(source: str) -> None:
    assert "ticketref" not in render_markdown(source)
    assert ticket_refs(source) == set()


def test_ticket_reference_is_not_nested_in_a_link() -> None:
    html = render_markdown("[about #12345](https://ggus.example.org/12345)")
    assert html.count("<a ") == 1


def test_heading_needs_a_space_after_hashes() -> None:
    assert render_markdown("## 12345") == '<h2 id="md-12345">12345</h2>'
    assert render_markdown("#12345").startswith("<p>")


def test_ticket_refs_collects_all() -> None:
    assert ticket_refs("#1234 and #7654321, again #1234") == {1234, 7654321}


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        (
            "CREAM CE: jobs stuck in REALLY-RUNNING",
            "cream-ce-jobs-stuck-in-really-running",
        ),
        ("  Leading and trailing  ", "leading-and-trailing"),
        ("Ünïcödé Çafé ﬁle", "unicode-cafe-file"),
        ("dCache 2.2 / SRM", "dcache-2-2-srm"),
        ("a--b__c", "a-b-c"),
        ("!!!", ""),
        ("日本語", ""),
        ("", ""),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slugify_is_at_most_80_chars_and_never_ends_with_a_dash() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= 80
    assert not slug.endswith("-")


def test_render_inline_escapes_everything_and_is_markup() -> None:
    rendered = render_inline("<b>Tom</b> & 'Jerry' *not bold*")
    assert rendered == "&lt;b&gt;Tom&lt;/b&gt; &amp; &#39;Jerry&#39; *not bold*"
    assert isinstance(rendered, Markup)


def test_plain_text_has_no_html() -> None:
    source = (
        "# Symptoms\n\nJobs *stay* in **REALLY-RUNNING** &amp; see #12345.\n\n"
        "- [x] restart\n- [ ] report\n    - nested\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "```\nif a < b:\n    pass\n```\n\n<script>alert(1)</script>done"
    )
    assert plain_text(source) == (
        "Symptoms\n\nJobs stay in REALLY-RUNNING & see #12345.\n\n"
        "- [x] restart\n- [ ] report\n  - nested\n\n"
        "a | b\n1 | 2\n\nif a < b:\n    pass\n\ndone"
    )


FRAGMENTS = [f for payload in XSS_PAYLOADS for f in re.split(r"(\W)", payload) if f]
FRAGMENTS += ["[[", "]]", "|", "#12345", "`", "```\n", "\n", "    ", "# ", "- [x] "]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text() | st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join))
def test_any_text_renders_without_script_or_event_handlers(text: str) -> None:
    assert_safe(render_markdown(text, link_resolver=lambda slug: len(slug) % 2 == 0))
