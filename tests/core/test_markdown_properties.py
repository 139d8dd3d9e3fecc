"""Property tests (hypothesis) of the markdown text helpers: plain text, ticket references
and wiki links. Example counts stay modest so the suite is fast.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dmsu.core.markdown import plain_text, slugify, ticket_refs, wiki_links

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- markdown: plain text, ticket references, wiki links -----------------------------------

plain_words = st.lists(
    st.from_regex(r"[A-Za-z][a-z0-9]{0,8}", fullmatch=True), min_size=1, max_size=12
)
markdown_noise = st.lists(
    st.sampled_from(
        [
            "#12345",
            "[[A page]]",
            "`#777`",
            "```\n#888 [[Code page]]\n```\n",
            "\n\n",
            "**",
            "<b>",
            "<script>#999</script>",
            "[[x|y]]",
            "[[",
            "]]",
            "#",
            "&amp;",
            "\x00",
            "- ",
            "> ",
        ]
    )
    | st.text(max_size=10),
    max_size=20,
).map("".join)


@FAST
@given(plain_words)
def test_plain_text_keeps_the_words_of_plain_prose(words):
    text = " ".join(words)
    assert plain_text(text).split() == words


@FAST
@given(markdown_noise)
def test_plain_text_never_fails_and_is_tidy(text):
    out = plain_text(text)
    assert "\n\n\n" not in out and out == out.strip("\n")
    assert "<script" not in out.lower() or "<script" in text.lower()


@FAST
@given(st.lists(st.integers(min_value=1000, max_value=9_999_999), max_size=5), plain_words)
def test_ticket_refs_find_the_referenced_ids_and_nothing_else(ids, words):
    """GGUS ids are written '#' and 4 to 7 digits."""
    text = " ".join(words) + " " + " ".join(f"see #{n}." for n in ids) + " `#4242` done"
    refs = ticket_refs(text)
    assert set(ids) <= refs
    assert 4242 not in refs or 4242 in ids  # references in code do not count


@FAST
@given(markdown_noise)
def test_every_ticket_ref_is_written_in_the_source(text):
    for ggus_id in ticket_refs(text):
        assert f"#{ggus_id}" in text


@FAST
@given(st.lists(plain_words.map(" ".join), min_size=1, max_size=4))
def test_wiki_links_are_the_slugs_of_the_linked_titles(titles):
    text = "Read " + ", ".join(f"[[{t}]]" for t in titles) + " and `[[Not a link]]`."
    found = wiki_links(text)
    assert {slugify(t) for t in titles} == found


@FAST
@given(markdown_noise)
def test_wiki_links_are_always_slugs(text):
    for slug in wiki_links(text):
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) and len(slug) <= 80
