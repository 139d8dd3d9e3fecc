"""Comparing component versions for the UMD release stage ("this or older versions")."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dmsu.tickets.workflow.versions import (
    ComponentVersion,
    is_same_or_older,
    parse_version,
    version_key,
)


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("1.9", "1.10"),
        ("1.9.9", "1.10.0"),
        ("2.0.0", "2.0.0-1"),
        ("2.0.0-1", "2.0.0-2"),
        ("1.4.3", "1.4.3-1.el6"),
        ("1.4.3-1.el6", "1.4.4"),
        ("1.4.3-1.el6", "1.4.3-2.el6"),
        ("1.4.3-9.el6", "1.4.3-10.el6"),
        ("1.4.3-1.el5", "1.4.3-1.el6"),
        ("2.0.0-1", "2.0.0-1.el6"),
        ("1.0.1", "1.0.1e"),
        ("1.0.1e-15.el6", "1.0.1e-16.el6"),
        ("1.0.1e-16.el6", "1.0.2"),
        ("2.0.0rc1", "2.0.0"),
        ("2.0.0a1", "2.0.0b1"),
        ("2.0.0b1", "2.0.0rc1"),
        ("2.0.0.dev1", "2.0.0a1"),
        ("2.0.0", "2.0.0.post1"),
        ("2.0.0", "2.0.0+cern1"),
        ("2.0.0+cern1", "2.0.0.post1"),
        ("2.0.0~beta2", "2.0.0~rc1"),
        ("2.0.0~rc1", "2.0.0"),
        ("2.0.0~rc1-1", "2.0.0-1"),
        ("2.0.0-beta-1", "2.0.0"),
        ("2.0.0~git20130211", "2.0.0"),
        ("2.3-4ubuntu1", "2.3-5"),
        ("9.9", "1:0.5"),
        ("1:2.3-4", "2:0.1-1"),
        ("3.2.1-1.sl6", "3.2.10-1.sl6"),
    ],
)
def test_versions_compare_as_versions(older, newer):
    assert version_key(older) < version_key(newer)
    assert parse_version(older) < parse_version(newer)
    assert is_same_or_older(older, newer)
    assert not is_same_or_older(newer, older)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1.4", "1.4.0"),
        ("1.4.0", "1.4.0.0"),
        ("2.0.0-1", "2.0.0.post1"),
        ("1.0RC1", "1.0rc1"),
        (" 1.2 ", "1.2"),
        ("0:1.2-3.el6", "1.2-3.el6"),
        ("1.4.3-1.EL6", "1.4.3-1.el6"),
    ],
)
def test_equal_versions(a, b):
    assert version_key(a) == version_key(b)
    assert parse_version(a) == parse_version(b)
    assert is_same_or_older(a, b) and is_same_or_older(b, a)


def test_sorting_mixed_styles():
    ordered = [
        "1.0.1",
        "1.0.1e",
        "1.0.1e-16.el6",
        "1.4.3",
        "1.4.3-1.el6",
        "1.4.3-9.el6",
        "1.4.3-10.el6",
        "1.4.4",
        "1.9",
        "1.10",
        "2.0.0.dev1",
        "2.0.0a1",
        "2.0.0rc1",
        "2.0.0",
        "2.0.0-1",
        "1:0.5",
    ]
    shuffled = ordered[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=version_key) == ordered


def test_umd_release_closes_this_and_older_versions():
    """ "all the tickets referring to this or older versions of the component are closed"."""
    released = "1.4.3-1.el6"
    ticket_versions = [
        "1.4.2",
        "1.4.3",
        "1.4.3-1.el6",
        "1.4.3-2.el6",
        "1.4.10",
        "1.5.0rc1",
    ]
    closed = [v for v in ticket_versions if is_same_or_older(v, released)]
    assert closed == ["1.4.2", "1.4.3", "1.4.3-1.el6"]


def test_parse_version_keeps_the_text():
    version = parse_version(" 1.4.3-1.el6 ")
    assert isinstance(version, ComponentVersion)
    assert version.text == "1.4.3-1.el6"
    assert str(version) == "1.4.3-1.el6"


def test_equal_versions_hash_alike():
    assert len({parse_version("1.4"), parse_version("1.4.0"), parse_version("1.4.0.0")}) == 1


def test_max_of_parsed_versions():
    versions = [parse_version(v) for v in ("1.9", "1.10", "1.10-1.el6", "1.2")]
    assert str(max(versions)) == "1.10-1.el6"


@pytest.mark.parametrize("text", ["", "   ", "unknown", "n/a", "latest"])
def test_text_without_numbers_is_not_a_version(text):
    with pytest.raises(ValueError, match="not a version"):
        version_key(text)
    with pytest.raises(ValueError, match="not a version"):
        is_same_or_older(text, "1.0")


numbers = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=5)


def strip_zeros(parts: list[int]) -> tuple[int, ...]:
    parts = list(parts)
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def dotted(parts: list[int]) -> str:
    return ".".join(map(str, parts))


@given(numbers, numbers)
def test_dotted_numbers_compare_like_tuples(a, b):
    expected = strip_zeros(a) <= strip_zeros(b)
    assert is_same_or_older(dotted(a), dotted(b)) is expected


@given(
    numbers,
    numbers,
    st.integers(1, 50),
    st.integers(1, 50),
    st.sampled_from(["el5", "el6"]),
)
def test_rpm_versions_compare_by_version_then_release(a, b, ra, rb, dist):
    left, right = f"{dotted(a)}-{ra}.{dist}", f"{dotted(b)}-{rb}.{dist}"
    expected = (strip_zeros(a), ra) <= (strip_zeros(b), rb)
    assert is_same_or_older(left, right) is expected


version_texts = st.from_regex(
    r"(\d:)?\d{1,3}(\.\d{1,3}){0,3}((rc|a|b|~rc|~beta|e|\.post|\.dev)\d?)?(-\d{1,2}(\.el\d)?)?",
    fullmatch=True,
)


@given(st.lists(version_texts, min_size=2, max_size=8))
def test_any_mix_of_styles_sorts_without_error_and_consistently(texts):
    ordered = sorted(texts, key=version_key)
    keys = [version_key(text) for text in ordered]
    assert keys == sorted(keys)
    assert all(is_same_or_older(a, b) for a, b in pairwise(ordered))
