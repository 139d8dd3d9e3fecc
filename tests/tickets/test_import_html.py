"""The import's fast text-to-HTML path gives exactly what the one markdown path gives."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from dmsu.core.markdown import render_markdown
from dmsu.tickets.exchange.texthtml import ticket_html

PROSE = st.text(alphabet=string.ascii_letters + string.digits + " .,;:!?()'/%=+@-\n", max_size=80)
ANY = st.text(alphabet=string.printable, max_size=60)


@settings(max_examples=300, deadline=None)
@given(PROSE)
def test_plain_prose_renders_like_render_markdown(text):
    assert ticket_html(text) == render_markdown(text)


@settings(max_examples=150, deadline=None)
@given(ANY)
def test_any_text_renders_like_render_markdown(text):
    assert ticket_html(text) == render_markdown(text)


def test_markup_and_ticket_refs_take_the_full_path():
    text = "See #91039 and <script>alert(1)</script> **now**"
    html = ticket_html(text)
    assert html == render_markdown(text)
    assert "<script" not in html and 'href="/tickets/91039"' in html


def test_paragraphs_and_empty_text():
    assert ticket_html("") == ""
    assert ticket_html("One line\nsame paragraph\n\nSecond one") == (
        "<p>One line\nsame paragraph</p>\n<p>Second one</p>"
    )
