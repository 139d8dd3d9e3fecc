"""Comparing component versions for the UMD release stage ("this or older versions")."""

from __future__ import annotations

import random
import re
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dmsu.tickets.workflow.versions import (
    ComponentVersion,
    dpkg_compare,
    dpkg_key,
    is_same_or_older,
    parse_version,
    rpm_evr_compare,
    rpm_vercmp,
    split_evr,
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
        ("2.0.0~beta2", "2.0.0~rc1"),
        ("2.0.0~rc1", "2.0.0"),
        ("2.0.0~rc1-1", "2.0.0-1"),
        ("2.0.0~git20130211", "2.0.0"),
        ("2.0.0", "2.0.0^git20130211"),
        ("2.0.0^git20130211", "2.0.1"),
        ("2.3-4ubuntu1", "2.3-5"),
        ("9.9", "1:0.5"),
        ("1:2.3-4", "2:0.1-1"),
        ("3.2.1-1.sl6", "3.2.10-1.sl6"),
        ("9.2.10", "9.2.10-1.el9"),
        ("9.2.10-1.el9", "9.2.11"),
        ("1.4", "1.4.0"),
    ],
)
def test_versions_compare_as_versions(older, newer):
    assert version_key(older) < version_key(newer)
    assert parse_version(older) < parse_version(newer)
    assert is_same_or_older(older, newer)
    assert not is_same_or_older(newer, older)


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        # PEP 440 put these the other way round; rpm has no notion of pre-releases without a
        # tilde: letters after the base make a newer version.
        ("2.0.0", "2.0.0rc1"),
        ("2.0.0a1", "2.0.0.dev1"),
        ("2.0.0", "2.0.0-beta-1"),
        ("1.0RC1", "1.0rc1"),  # letters compare as bytes, case included
    ],
)
def test_answers_that_are_rpms_not_pep_440s(older, newer):
    assert rpm_evr_compare(older, newer) == -1
    assert is_same_or_older(older, newer) and not is_same_or_older(newer, older)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (" 1.2 ", "1.2"),
        ("0:1.2-3.el6", "1.2-3.el6"),
        ("2.0", "2_0"),
        ("10.0001", "10.1"),
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
        "2.0.0~rc1",
        "2.0.0",
        "2.0.0-1",
        "2.0.0^git1",
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
        "1.5.0~rc1",
    ]
    closed = [v for v in ticket_versions if is_same_or_older(v, released)]
    assert closed == ["1.4.2", "1.4.3", "1.4.3-1.el6"]


def test_parse_version_keeps_the_text():
    version = parse_version(" 1.4.3-1.el6 ")
    assert isinstance(version, ComponentVersion)
    assert version.text == "1.4.3-1.el6"
    assert str(version) == "1.4.3-1.el6"


def test_equal_versions_hash_alike():
    assert len({parse_version("1.4"), parse_version("0:1.4"), parse_version(" 1.4")}) == 1


def test_max_of_parsed_versions():
    versions = [parse_version(v) for v in ("1.9", "1.10", "1.10-1.el6", "1.2")]
    assert str(max(versions)) == "1.10-1.el6"


def test_split_evr():
    assert split_evr("1:9.2.10-1.el9") == (1, "9.2.10", "1.el9")
    assert split_evr("9.2.10") == (0, "9.2.10", "")
    assert split_evr("2.0.0-beta-1") == (0, "2.0.0-beta", "1")


# --- rpm's own test vectors and rpm itself as ground truth --------------------------------

_VECTOR = re.compile(r"RPMVERCMP\(([^,]*), ([^,]*), (-?1|0)\)")


def _rpm_vectors() -> list[tuple[str, str, int]]:
    text = (Path(__file__).parent / "data" / "rpmvercmp.at.txt").read_text()
    return [(m[1], m[2], int(m[3])) for m in _VECTOR.finditer(text)]


RPM_VECTORS = _rpm_vectors()


def test_all_of_rpms_vectors_are_read():
    assert len(RPM_VECTORS) == 91


@pytest.mark.parametrize(("a", "b", "expected"), RPM_VECTORS)
def test_rpmvercmp_vectors_of_rpms_test_suite(a, b, expected):
    """rpm's tests/rpmvercmp.at (rpm-software-management/rpm), copied to data/."""
    assert rpm_vercmp(a, b) == expected


def _rpm_says(pairs: list[tuple[str, str]]) -> list[int]:
    """rpm's own rpm.vercmp over every pair, in one run of rpm."""
    calls = " ".join(f'print(rpm.vercmp("{a}", "{b}")) print(" ")' for a, b in pairs)
    out = subprocess.run(
        ["rpm", "--eval", "%{lua: " + calls + "}"], capture_output=True, text=True, check=True
    ).stdout
    return [int(word) for word in out.split()]


def test_rpmvercmp_agrees_with_rpm_on_a_generated_sample():
    rng = random.Random(22)
    alphabet = "0123456789ab.~^_+"
    pairs = []
    for _ in range(600):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7)))
        b = a[: rng.randint(0, len(a))] + "".join(
            rng.choice(alphabet) for _ in range(rng.randint(1, 4))
        )  # rpm refuses an empty version
        pairs.append((a, b) if rng.random() < 0.5 else (b, a))
    expected = _rpm_says(pairs)
    assert len(expected) == len(pairs)
    disagreements = [
        (a, b, e) for (a, b), e in zip(pairs, expected, strict=True) if rpm_vercmp(a, b) != e
    ]
    assert disagreements == []


# --- dpkg's order ---------------------------------------------------------------------------

# lib/dpkg/t/t-version.c (guillemj/dpkg): dpkg_version_compare of (epoch, version, revision)
# objects, written here as version strings; and Debian Policy 5.6.12's tilde example
# ("~~" < "~~a" < "~" < "" < "a", as upstream versions after "1.0").
DPKG_VECTORS = [
    ("0:0-0", "0:0-0", 0),
    ("0-00", "00-0", 0),
    ("1:2-3", "1:2-3", 0),
    ("0:0-0", "1:0-0", -1),
    ("1:0-0", "0:0-0", 1),
    ("0:a-0", "0:b-0", -1),
    ("0:b-0", "0:a-0", 1),
    ("0:0-a", "0:0-b", -1),
    ("0:0-b", "0:0-a", 1),
    ("1-1", "2-1", -1),
    ("1-1", "1-2", -1),
    ("0", "0:0", 0),
    ("1.0~~", "1.0~~a", -1),
    ("1.0~~a", "1.0~", -1),
    ("1.0~", "1.0", -1),
    ("1.0", "1.0a", -1),
]


@pytest.mark.parametrize(("a", "b", "expected"), DPKG_VECTORS)
def test_dpkg_vectors(a, b, expected):
    assert dpkg_compare(a, b) == expected


def _dpkg_says(a: str, b: str) -> int:
    def holds(op: str) -> bool:
        return subprocess.run(["dpkg", "--compare-versions", a, op, b]).returncode == 0

    return -1 if holds("lt") else (0 if holds("eq") else 1)


def test_dpkg_order_agrees_with_dpkg_on_a_generated_sample():
    rng = random.Random(5)
    alphabet = "0123456789ab.~+"
    pairs = []
    for _ in range(120):
        a = str(rng.randint(0, 9)) + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 5)))
        b = a[: rng.randint(1, len(a))] + "".join(rng.choice(alphabet) for _ in range(3))
        pairs.append((a, b))
    disagreements = [(a, b) for a, b in pairs if dpkg_compare(a, b) != _dpkg_says(a, b)]
    assert disagreements == []


def test_dpkg_key_sorts_debian_versions():
    assert sorted(["1.0", "1.0~rc1", "1:0.1", "1.0-1", "1.0+b1"], key=dpkg_key) == [
        "1.0~rc1",
        "1.0",
        "1.0-1",
        "1.0+b1",
        "1:0.1",
    ]


@pytest.mark.parametrize("text", ["", "   ", "unknown", "n/a", "latest"])
def test_text_without_numbers_is_not_a_version(text):
    with pytest.raises(ValueError, match="not a version"):
        version_key(text)
    with pytest.raises(ValueError, match="not a version"):
        is_same_or_older(text, "1.0")


numbers = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=5)


def dotted(parts: list[int]) -> str:
    return ".".join(map(str, parts))


@given(numbers, numbers)
def test_dotted_numbers_compare_like_tuples(a, b):
    expected = tuple(a) <= tuple(b)  # rpm: "1.4" is older than "1.4.0"
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
    expected = (tuple(a), ra) <= (tuple(b), rb)
    assert is_same_or_older(left, right) is expected


version_texts = st.from_regex(
    r"(\d:)?\d{1,3}(\.\d{1,3}){0,3}((rc|a|b|~rc|~beta|\^git|e|\.post|\.dev)\d?)?(-\d{1,2}(\.el\d)?)?",
    fullmatch=True,
)


@given(st.lists(version_texts, min_size=2, max_size=8))
def test_any_mix_of_styles_sorts_without_error_and_consistently(texts):
    ordered = sorted(texts, key=version_key)
    keys = [version_key(text) for text in ordered]
    assert keys == sorted(keys)
    assert all(is_same_or_older(a, b) for a, b in pairwise(ordered))
