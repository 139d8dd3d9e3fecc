"""dmsu/core/paging.py: the one reading of a list's ``?page=``."""

from __future__ import annotations

import pytest

from dmsu.core.paging import MAX_PAGE, page_number


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 1), ("", 1), ("  ", 1), ("3", 3), (" 4 ", 4), ("0", 1), ("-7", 1), ("2.5", 1),
     ("abc", 1), ("99999999999999999999999", MAX_PAGE), ("1" + "0" * 5000, MAX_PAGE), ("²", 1), (7, 7)],
)  # fmt: skip
def test_a_page_number_is_a_whole_number_from_1_to_the_last_page(value, expected):
    assert page_number(value) == expected


def test_each_list_names_its_own_last_page():
    assert page_number("500000", maximum=500) == 500
