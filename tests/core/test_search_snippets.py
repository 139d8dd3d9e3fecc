"""A database snippet becomes safe HTML: its text escaped, its match markers ``<mark>``,
balanced whatever the cut."""

from __future__ import annotations

from markupsafe import Markup

from dmsu.core.search.snippets import START, STOP, marked_html


def test_matches_are_marked_and_the_text_escaped():
    html = marked_html(f"a <b>&{START}proxy{STOP} expired{START}x{STOP}")
    assert isinstance(html, Markup)
    assert html == "a &lt;b&gt;&amp;<mark>proxy</mark> expired<mark>x</mark>"


def test_a_cut_snippet_never_leaves_a_mark_open_or_closes_one_twice():
    assert marked_html(f"…{START}prox") == "…<mark>prox</mark>"
    assert marked_html(f"xy{STOP} z{START}{START}w{STOP}{STOP}") == "xy z<mark>w</mark>"
    assert marked_html(None) == marked_html("") == ""
