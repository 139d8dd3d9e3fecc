"""Differences between two revisions of a page, line by line on the markdown (difflib).

The result is plain data (operation, line text); templates escape every text and mark the
changes with ``<ins>`` and ``<del>``, so a diff can never carry markup from a page.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

CONTEXT_LINES = 3


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same", "add", "remove", "gap"
    text: str
    old_number: int | None = None
    new_number: int | None = None


@dataclass(frozen=True)
class FieldChange:
    name: str
    old: str
    new: str


def diff_lines(old: str, new: str, context: int = CONTEXT_LINES) -> list[DiffLine]:
    """The changed lines of ``new`` against ``old`` with ``context`` lines around each change."""
    a, b = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    lines: list[DiffLine] = []
    for group in matcher.get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for offset, text in enumerate(a[i1:i2]):
                    lines.append(DiffLine("same", text, i1 + offset + 1, j1 + offset + 1))
                continue
            for offset, text in enumerate(a[i1:i2]):
                lines.append(DiffLine("remove", text, i1 + offset + 1, None))
            for offset, text in enumerate(b[j1:j2]):
                lines.append(DiffLine("add", text, None, j1 + offset + 1))
    return lines


def field_changes(old, new) -> list[FieldChange]:
    """Title, visibility and tags that differ between two revisions."""
    changes = []
    for name in ("title", "visibility", "tags"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(FieldChange(name, before, after))
    return changes


def stats(lines: list[DiffLine]) -> tuple[int, int]:
    return sum(x.op == "add" for x in lines), sum(x.op == "remove" for x in lines)
