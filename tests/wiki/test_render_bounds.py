"""The one markdown path takes bounded time on any text: length limits per kind of text, a
parser whose work grows linearly with the text (counted in parser steps, which do not depend
on the machine's load), a time budget that stops a render with one sentence, raw HTML nested
too deep shown as text, and code highlighted only by lexers that run in linear time.

Before this, Python-Markdown took 30 s on a comment of 15,000 '[' (its link parsing is
quadratic); these inputs are the shapes a fuzzer and a penetration test found.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dmsu.core import markdown as render
from dmsu.core.markdown import TEXT_LIMITS, MarkdownRefused, render_document, render_markdown
from dmsu.core.markdown_rules import HIGHLIGHT_MAX_CHARS, MAX_RAW_HTML_DEPTH

# Pieces whose repetition is slow in one markdown parser or another: brackets (nested,
# unbalanced, images, wiki links), emphasis runs, link labels and destinations, entities,
# backticks, raw HTML, lists and quotes (deep nesting), setext headings, tables.
PATHOLOGICAL = [
    "[", "]", "![", "[[", "]]", "[a", "](", "[]("  , "![x](", "[x]: ", "*", "_", "**", "*a ",
    "_a", "*_", "`", "``", "<", "<a ", "<div>", "</div>", "<span>", "<em>", "<!--", "&", "&#",
    "\\", "> ", "- ", "1. ", "  ", "\n", "---\n", "|", "|---|\n", "#1234 ", "(", ")", '"', "a",
]  # fmt: skip
WORST = {
    "open brackets": "[",
    "images": "![",
    "wiki links": "[[",
    "unbalanced labels": "[a",
    "emphasis": "*_",
    "image destinations": "![x]([[![x]([[[[<!--![x]([[",
    "equal headings": "---\n---\n<em>",
    "html blocks and rules": "&<div>]<div>---\n---\n",
    "quotes": "> ",
    "lists": "- ",
}
STEPS_PER_CHAR = 4  # measured: at most 2 on every input above


def _repeat(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


units = st.lists(st.sampled_from(PATHOLOGICAL), min_size=1, max_size=6).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit=units, length=st.integers(min_value=500, max_value=4000))
@example(unit="[", length=4000)
@example(unit="---\n---\n<em>", length=4000)
@example(unit="``|(\\", length=706)
def test_pathological_markdown_takes_linear_work(unit: str, length: int) -> None:
    """The parser's steps grow with the text, not with its square: at most a few per
    character, at any length (a ratio of two lengths is no test: a code span that happens to
    close at the end of the shorter text makes it one step)."""
    for size in (length, 2 * length):
        assert render_document(_repeat(unit, size), budget=3600).steps <= STEPS_PER_CHAR * size + 64


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit=units, length=st.integers(min_value=1, max_value=5000))
def test_pathological_markdown_renders_within_the_budget(unit: str, length: int) -> None:
    """Under the site's own budget (2 s), every such text of a comment's usual size renders:
    the budget is a safety net, not what keeps these inputs fast."""
    html = render_markdown(_repeat(unit, length), kind="comment")
    assert "<script" not in html


@pytest.mark.parametrize("unit", WORST.values(), ids=WORST.keys())
def test_worst_known_inputs_at_the_comment_limit_take_linear_work(unit: str) -> None:
    limit = TEXT_LIMITS["comment"]
    steps = render_document(_repeat(unit, limit), kind="comment", budget=3600).steps
    assert steps <= STEPS_PER_CHAR * limit


def test_a_render_past_its_budget_stops_with_one_sentence() -> None:
    with pytest.raises(MarkdownRefused) as refused:
        render_markdown(_repeat("![", 20_000), kind="comment", budget=0.0)
    assert str(refused.value).startswith("The comment could not be formatted within 0 seconds")
    assert "code block" in str(refused.value)


def test_the_budget_default_is_read_when_rendering(monkeypatch) -> None:
    monkeypatch.setattr(render, "RENDER_BUDGET_SECONDS", 0.0)
    with pytest.raises(MarkdownRefused):
        render_markdown(_repeat("[", 5000))


@pytest.mark.parametrize("kind", sorted(TEXT_LIMITS))
def test_each_kind_of_text_has_a_length_limit_with_one_sentence(kind: str) -> None:
    limit = TEXT_LIMITS[kind]
    assert render_markdown("a" * limit, kind=kind).startswith("<p>a")
    with pytest.raises(MarkdownRefused) as refused:
        render_markdown("a" * (limit + 1), kind=kind)
    assert str(refused.value) == (
        f"The {kind} is {limit + 1:,} characters long; at most {limit:,} are allowed. "
        "Shorten it (long logs are best linked, not pasted)."
    )


def test_raw_html_nested_too_deep_is_shown_as_text() -> None:
    """The sanitiser's HTML parser needs time quadratic in the depth of open elements (50,000
    nested <div> took it 8 s); past the limit, raw HTML is text."""
    assert render_markdown("<div>" * 20_000) == "&lt;div&gt;" * 20_000
    html = render_markdown("<div>\n\n" * 200)  # one raw block each: the first ones stay HTML
    assert html.count("<div>") == MAX_RAW_HTML_DEPTH
    assert html.count("&lt;div&gt;") == 200 - MAX_RAW_HTML_DEPTH


def test_raw_html_that_closes_its_tags_is_not_limited() -> None:
    html = render_markdown("<div>x</div>\n\n" * 200)
    assert html.count("<div>") == 200
    assert "&lt;" not in html


def test_many_equal_headings_get_distinct_ids_in_linear_time() -> None:
    html = render_markdown("# Same\n\n" * 3000)
    assert 'id="md-same"' in html and 'id="md-same_2999"' in html
    assert html.count('id="md-same_1"') == 1


def test_only_lexers_that_run_in_linear_time_highlight() -> None:
    python = render_markdown("```python\nimport os\n```")
    yaml = render_markdown("```yaml\nkey: value\n```")
    assert '<span class="kn">import</span>' in python
    assert yaml == '<div class="highlight"><pre><span></span><code>key: value\n</code></pre></div>'


def test_highlighting_stops_after_its_share_of_a_text() -> None:
    block = "```python\n" + "x = 1\n" * (HIGHLIGHT_MAX_CHARS // 6) + "```\n\n"
    html = render_markdown(block + "```python\nimport os\n```")
    assert html.count('<div class="highlight">') == 2
    assert '<span class="kn">import</span>' not in html  # the second block is shown plain


def test_a_control_character_between_digits_joins_no_ticket_ref() -> None:
    """Control characters are taken out of the text, but never glue two words or numbers
    together into something the writer did not write (found by the fuzzer on PostgreSQL)."""
    assert render_document("#12345\x000").ticket_ids == {12345}
    assert render_markdown("a\x00b\x07c") == "<p>abc</p>"
