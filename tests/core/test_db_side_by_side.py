"""dmsu.core.db.side_by_side: independent read-only calls on a few connections at once, results
in the order given, the first failure raised in the caller."""

from __future__ import annotations

import threading

import pytest

from dmsu.core.db import database, side_by_side


def test_results_come_back_in_order_and_lanes_share_the_calls(app):
    threads: set[int] = set()

    def call(n):
        def run():
            threads.add(threading.get_ident())
            return database.execute_sql(f"SELECT {n} * 2").fetchone()[0]

        return run

    assert side_by_side(*(call(n) for n in range(7)), lanes=3) == [n * 2 for n in range(7)]
    assert 1 <= len(threads) <= 3  # never more threads than lanes
    assert side_by_side(call(1), call(2), lanes=1) == [2, 4]


def test_a_failing_call_raises_in_the_caller(app):
    def boom():
        raise ValueError("the query failed")

    with pytest.raises(ValueError, match="the query failed"):
        side_by_side(lambda: 1, boom, lambda: 3, lanes=2)


def test_inside_a_transaction_the_calls_run_one_after_another(app):
    with database.atomic():
        ident = threading.get_ident()
        assert side_by_side(threading.get_ident, threading.get_ident) == [ident, ident]
