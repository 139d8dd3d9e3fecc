"""How the lists mark a status and a priority (dmsu/tickets/pages/marks.py)."""

from __future__ import annotations

import pytest

from dmsu.tickets.models import PRIORITIES, STATUSES
from dmsu.tickets.pages.marks import STATUS_GROUPS, priority_mark, status_mark


@pytest.mark.parametrize(
    "status,unit_kind,group",
    [
        ("new", "first_line", "waiting-for-us"),
        ("assigned", "dmsu", "waiting-for-us"),
        ("in progress", "dmsu", "waiting-for-us"),
        ("reopened", "dmsu", "waiting-for-us"),
        ("waiting for reply", "dmsu", "waiting-for-submitter"),
        ("assigned", "third_line", "with-third-line"),
        ("in progress", "third_line", "with-third-line"),
        ("on hold", "dmsu", "in-release"),  # a known problem, its fix due in a release
        ("assigned", "umd_release", "in-release"),
        ("solved", "dmsu", "solved"),
        ("verified", "third_line", "solved"),
        ("unsolved", "dmsu", "closed-unsolved"),
        ("closed", None, "closed-unsolved"),
    ],
)
def test_a_status_is_grouped_by_what_it_waits_for(status, unit_kind, group):
    assert status_mark(status, unit_kind).key == group


def test_every_status_has_a_group_with_words_and_open_and_finished_never_share_one():
    finished = {"solved", "unsolved", "verified", "closed"}
    for status in STATUSES:
        for kind in (None, "first_line", "dmsu", "third_line", "umd_release"):
            mark = status_mark(status, kind)
            assert mark in STATUS_GROUPS and mark.meaning
            assert (mark.key in ("solved", "closed-unsolved")) == (status in finished)


def test_each_priority_has_its_own_mark():
    assert len({priority_mark(p).key for p in PRIORITIES}) == len(PRIORITIES)
    assert priority_mark("top priority").key == "top"
    assert priority_mark("no such thing").key == "less-urgent"
