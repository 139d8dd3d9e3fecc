"""Comparing component versions as versions, not as text ("1.10" is newer than "1.9").

Seed 001 on the UMD release stage: "When the new component release passes the UMD
verification and stage rollout, all the tickets referring to this or older versions of the
component are closed." :func:`is_same_or_older` answers "this or older".

PEP 440 versions are read with :mod:`packaging.version`; anything else (RPM ``1.4.3-1.el6``,
Debian ``1:2.3-4ubuntu1``, ``2.0.0~rc1``) falls back to numeric and alphabetic runs, numbers
compared as integers. Both kinds map onto one key, so they compare with each other:
``1.4.3`` < ``1.4.3-1.el6`` < ``1.4.4``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from packaging.version import InvalidVersion, Version

# A run of a version string: (0, "el") for letters, (1, 6) for digits, so that within a
# position numbers sort after letters, as in RPM and in PEP 440 local versions.
Atom = tuple[int, int | str]
# (epoch, release numbers, pre-release, post-release/package revision, dev, local).
VersionKey = tuple[
    int,
    tuple[int, ...],
    tuple[int, ...],
    tuple[object, ...],
    tuple[int, ...],
    tuple[Atom, ...],
]

_ALPHA, _NUMBER = 0, 1
_RUN = re.compile(r"\d+|[a-z]+")
_EPOCH = re.compile(r"(\d+):(.*)")
_RELEASE = re.compile(r"\d+(?:\.\d+)*")
_PRE_RANK = {
    "a": 0,
    "alpha": 0,
    "b": 1,
    "beta": 1,
    "c": 2,
    "rc": 2,
    "pre": 2,
    "preview": 2,
}
_UNNAMED_PRE = -1  # Debian "~" without a pre-release word: before alpha

_NO_PRE: tuple[int, ...] = (1,)
_DEV_ONLY: tuple[int, ...] = (-1,)
_NO_POST: tuple[object, ...] = (-1,)
_NO_DEV: tuple[int, ...] = (1,)


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
    """A sort key comparing versions as versions: ``sorted(texts, key=version_key)``."""
    cleaned = text.strip().lower()
    if not any(char.isdigit() for char in cleaned):
        raise ValueError(f"{text!r} is not a version: it has no number in it")
    try:
        return _pep440_key(Version(cleaned))
    except InvalidVersion:
        return _fallback_key(cleaned)


def is_same_or_older(version: str, than: str) -> bool:
    """Whether ``version`` is ``than`` or an older version of it ("this or older")."""
    return version_key(version) <= version_key(than)


def _runs(text: str) -> tuple[Atom, ...]:
    return tuple(
        (_NUMBER, int(run)) if run.isdigit() else (_ALPHA, run) for run in _RUN.findall(text)
    )


def _release(numbers: tuple[int, ...]) -> tuple[int, ...]:
    """Release numbers without trailing zeros, so "1.4" equals "1.4.0"."""
    end = len(numbers)
    while end and numbers[end - 1] == 0:
        end -= 1
    return numbers[:end]


def _pep440_key(version: Version) -> VersionKey:
    if version.pre is not None:
        pre: tuple[int, ...] = (0, _PRE_RANK[version.pre[0]], version.pre[1])
    elif version.post is None and version.dev is not None:
        pre = _DEV_ONLY
    else:
        pre = _NO_PRE
    post = _NO_POST if version.post is None else (0, (), ((_NUMBER, version.post),))
    dev = _NO_DEV if version.dev is None else (0, version.dev)
    local = _runs(version.local) if version.local else ()
    return (version.epoch, _release(version.release), pre, post, dev, local)


def _fallback_key(text: str) -> VersionKey:
    """RPM/Debian-style versions: ``[epoch:]upstream[-revision]``."""
    epoch, rest = 0, text
    if match := _EPOCH.fullmatch(text):
        epoch, rest = int(match[1]), match[2]
    upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "")
    release_match = _RELEASE.match(upstream)
    numbers = release_match[0] if release_match else ""
    release = tuple(int(part) for part in numbers.split(".") if part)
    tail = upstream[len(numbers) :]
    pre, tail_runs = _fallback_pre(tail)
    revision_runs = _runs(revision)
    post = (0, tail_runs, revision_runs) if tail_runs or revision_runs else _NO_POST
    return (epoch, _release(release), pre, post, _NO_DEV, ())


def _fallback_pre(tail: str) -> tuple[tuple[int, ...], tuple[Atom, ...]]:
    """The pre-release part of ``tail`` ("~rc1", "beta2") and the runs left after it."""
    runs = _runs(tail)
    named = bool(runs) and runs[0][0] == _ALPHA and runs[0][1] in _PRE_RANK
    if not (tail.startswith("~") or named):
        return _NO_PRE, runs
    rank = _PRE_RANK[str(runs[0][1])] if named else _UNNAMED_PRE
    rest = runs[1:] if named else runs
    if rest and rest[0][0] == _NUMBER:
        return (0, rank, int(rest[0][1])), rest[1:]
    return (0, rank, 0), rest
