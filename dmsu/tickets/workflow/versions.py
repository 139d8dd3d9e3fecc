"""Comparing component versions as RPM and dpkg compare them, not as text.

Seed 001 on the UMD release stage: "When the new component release passes the UMD
verification and stage rollout, all the tickets referring to this or older versions of the
component are closed." :func:`is_same_or_older` answers "this or older".

Issue 22: "Version order as RPM and dpkg define it, not as text: epoch first (a missing epoch
is 0), then version, then release; tildes sort before everything, carets after the base;
numeric runs compare as numbers".

- A component version (a ticket's fixed version, a recorded release) is an RPM EVR,
  ``[epoch:]version[-release]``, ordered by :func:`rpm_evr_key`. UMD ships RPMs, so this is
  the order "this or older" uses for every component.
- A Debian package version is ordered by dpkg's rules, through python-debian
  (:func:`dpkg_compare`), when the apt reader picks the newest version of a package.

No maintained pure-Python rpmvercmp with caret support was found (rpm-vercmp 0.1.2 is from
2018, before ``^``; rpm-version 0.5.1 is a compiled binding without a sort key), so
:func:`rpm_segments` is rpm's ``rpmvercmp()`` (rpm's ``rpmio/rpmvercmp.c``) rewritten as a sort
key: it gives the same answers for every vector of rpm's ``tests/rpmvercmp.at`` and for a
generated sample checked against ``rpm --eval '%{lua: print(rpm.vercmp(a, b))}'``
(``tests/tickets/test_versions.py``).

This replaced a PEP 440 order (``packaging``), which gave other answers than rpm for versions
such as ``2.0.0rc1`` (before ``2.0.0`` there, after it in rpm) or ``1.4`` and ``1.4.0`` (equal
there, ``1.4`` older in rpm); plain component versions such as ``9.2.10`` < ``9.2.10-1.el9``
< ``9.2.11`` < ``1:0.1`` keep their order.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from debian.debian_support import version_compare

# One segment of rpmvercmp's walk, ranked as rpm ranks them against each other: a tilde
# before the end of the string, the end before a caret, a caret before letters, letters
# before digits.
_TILDE, _END, _CARET, _ALPHA, _DIGITS = 0, 1, 2, 3, 4
_SEGMENT = re.compile(r"~|\^|[0-9]+|[A-Za-z]+")
_EPOCH = re.compile(r"([0-9]+):(.*)", re.S)

Segment = tuple  # (rank,) or (rank, value)
VersionKey = tuple[int, tuple[Segment, ...], tuple[Segment, ...]]


def rpm_segments(text: str) -> tuple[Segment, ...]:
    """rpmvercmp as a sort key: ``rpm_segments(a) < rpm_segments(b)`` iff
    ``rpmvercmp(a, b) == -1``.

    rpmvercmp skips every character that is not an ASCII letter or digit, ``~`` or ``^`` (so
    ``2.0`` equals ``2_0``); compares runs of digits as numbers (leading zeros ignored) and
    runs of letters as byte strings; a digit run is newer than a letter run; ``~`` is older
    than anything, even the end of the string; ``^`` is newer than the end of the string but
    older than any other segment. A final ``(_END,)`` stands for the end of the string.
    """
    segments: list[Segment] = []
    for run in _SEGMENT.findall(text):
        if run == "~":
            segments.append((_TILDE,))
        elif run == "^":
            segments.append((_CARET,))
        elif run.isdigit():
            segments.append((_DIGITS, int(run)))
        else:
            segments.append((_ALPHA, run))
    segments.append((_END,))
    return tuple(segments)


def rpm_vercmp(a: str, b: str) -> int:
    """rpm's ``rpmvercmp(a, b)``: -1, 0 or 1."""
    left, right = rpm_segments(a), rpm_segments(b)
    return (left > right) - (left < right)


def split_evr(text: str) -> tuple[int, str, str]:
    """``[epoch:]version[-release]`` as (epoch, version, release); a missing epoch is 0 and a
    missing release is empty (rpm's ``rpmverParse``: the release follows the last ``-``)."""
    epoch, rest = 0, text.strip()
    if match := _EPOCH.fullmatch(rest):
        epoch, rest = int(match[1]), match[2]
    version, dash, release = rest.rpartition("-")
    if not dash:
        version, release = rest, ""
    return epoch, version, release


def rpm_evr_key(text: str) -> VersionKey:
    """The order of RPM EVRs: epoch, then version, then release, each by rpmvercmp. A missing
    release sorts before any release (``9.2.10`` < ``9.2.10-1.el9``), so the order is total."""
    epoch, version, release = split_evr(text)
    return (epoch, rpm_segments(version), rpm_segments(release))


def rpm_evr_compare(a: str, b: str) -> int:
    left, right = rpm_evr_key(a), rpm_evr_key(b)
    return (left > right) - (left < right)


def dpkg_compare(a: str, b: str) -> int:
    """dpkg's order of two Debian versions (``dpkg --compare-versions``), by python-debian."""
    result = version_compare(a.strip(), b.strip())
    return (result > 0) - (result < 0)


dpkg_key = functools.cmp_to_key(dpkg_compare)


@dataclass(frozen=True, order=True)
class ComponentVersion:
    """A version that compares as a version; ``text`` is kept as written."""

    key: VersionKey = field(repr=False)
    text: str = field(compare=False)

    def __str__(self) -> str:
        return self.text


def parse_version(text: str) -> ComponentVersion:
    """``text`` as a comparable version; ``ValueError`` when it holds no digit at all."""
    return ComponentVersion(version_key(text), text.strip())


def version_key(text: str) -> VersionKey:
    """A sort key comparing component versions as RPM does: ``sorted(texts, key=version_key)``."""
    if not any(char.isdigit() for char in text):
        raise ValueError(f"{text!r} is not a version: it has no number in it")
    return rpm_evr_key(text)


def is_same_or_older(version: str, than: str) -> bool:
    """Whether ``version`` is ``than`` or an older version of it ("this or older")."""
    return version_key(version) <= version_key(than)
