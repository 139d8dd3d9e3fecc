"""The one cache layer (dmsu/core/cache/): the bounded store, the two bodies of a kept page,
the stamps that say whether data changed, and the registry that empties every cache."""

from __future__ import annotations

import gzip
import threading

from flask import Flask

import dmsu.core.cache.bodies as bodies
import dmsu.core.cache.registry as registry
import dmsu.core.cache.stamp as stamp
from dmsu.core.cache.store import Store
from dmsu.core.db import database, generation, is_postgres, make_database


def test_the_store_keeps_at_most_its_entries_dropping_the_least_recently_used():
    kept = Store("t", max_entries=3)
    for key in "abc":
        kept.put(key, key.upper())
    assert kept.get("a") == "A"  # now the most recently used
    kept.put("d", "D")
    assert kept.keys() == ["c", "a", "d"] and kept.get("b") is None
    assert (kept.hits, kept.misses) == (1, 1)


def test_the_store_keeps_at_most_its_bytes_and_refuses_a_value_larger_than_all():
    kept = Store("t", max_entries=100, max_bytes=10)
    kept.put("a", 1, size=4)
    kept.put("b", 2, size=4)
    kept.put("c", 3, size=4)
    assert kept.keys() == ["b", "c"] and kept.size == 8
    kept.put("b", 20, size=1)  # a new value replaces the old one's size
    assert kept.size == 5 and kept.get("b") == 20
    kept.put("huge", 0, size=11)
    assert "huge" not in kept and kept.size == 5


def test_an_entry_with_seconds_expires_and_cached_computes_once():
    kept = Store("t", max_entries=10)
    calls = []
    assert kept.cached("k", lambda: calls.append(1) or len(calls)) == 1
    assert kept.cached("k", lambda: calls.append(1) or len(calls)) == 1
    kept.put("short", "x", seconds=60)
    assert kept.get("short") == "x"
    kept.expire_all()
    assert kept.get("short") is None and kept.get("k") is None
    assert kept.cached("none", lambda: None) is None  # None is a value like any other
    assert len(kept) == 1


def test_discard_where_and_clear_keep_the_size_right():
    kept = Store("t", max_entries=10, max_bytes=100)
    for week in ("2013-W01", "2013-W02"):
        kept.put(("digest", week), week, size=10)
    kept.put(("feed", "s"), "feed", size=5)
    kept.discard_where(lambda key: key[0] == "feed" or "2013-W01" in key)
    assert kept.keys() == [("digest", "2013-W02")] and kept.size == 10
    kept.clear()
    assert not kept and kept.size == 0


def test_the_store_holds_its_bounds_under_threads():
    kept = Store("t", max_entries=50, max_bytes=500)

    def work(offset):
        for i in range(2000):
            kept.put((offset, i), i, size=7)
            kept.get((offset, i - 3))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(kept) <= 50 and kept.size == 7 * len(kept) <= 500


def test_a_kept_page_holds_both_bodies_and_serves_each_client_its_own():
    text = b"<p>" + b"A line of a digest. " * 200 + b"</p>"
    headers = [("Content-Type", "text/html"), ("Content-Length", str(len(text))), ("ETag", '"x"')]
    page = bodies.Bodies("200 OK", headers, text, compressible=True)
    plain_headers, plain = page.form({})
    assert plain is text and plain_headers is headers
    packed_headers, packed = page.form({"HTTP_ACCEPT_ENCODING": "gzip, deflate"})
    assert gzip.decompress(packed) == text
    found = dict(packed_headers)
    assert found["Content-Encoding"] == "gzip" and found["ETag"] == '"x-gzip"'
    assert found["Content-Length"] == str(len(packed))
    assert page.form({"HTTP_ACCEPT_ENCODING": "gzip;q=0"})[1] is text
    assert page.size == len(text) + len(packed)


def test_small_or_binary_pages_are_kept_identity_only():
    small = bodies.Bodies("200 OK", [], b"tiny", compressible=True)
    binary = bodies.Bodies("200 OK", [], b"\x89PNG" * 1000, compressible=False)
    for page in (small, binary):
        assert page.gzip_body is None
        assert page.form({"HTTP_ACCEPT_ENCODING": "gzip"})[1] is page.body


def test_caches_are_registered_on_their_app_and_emptied_by_one_call():
    one, two = Flask("one"), Flask("two")
    declared = registry.Cache("test.things", max_entries=5)
    with one.app_context():
        declared.put("k", 1)
    with two.app_context():
        assert declared.get("k") is None  # each app (each worker) has its own
        declared.put("k", 2)
    declared.put("k", 3)  # outside an app: the process's own
    own = registry.register(one, Store("test.own", max_entries=1))
    own.put("x", 1)
    assert set(registry.stores(one)) == {"test.things", "test.own"}
    registry.clear_all(one)
    with one.app_context():
        assert declared.get("k") is None
    assert not own and declared.get("k") is None
    with two.app_context():
        assert declared.get("k") == 2


def test_the_generation_names_the_database_a_value_was_read_from(app, tmp_path):
    before = generation()
    previous = database.obj
    database.initialize(make_database(f"sqlite:///{tmp_path}/other.sqlite3"))
    try:
        assert generation() == before + 1
    finally:
        database.initialize(previous)
    assert generation() == before + 2  # the same database again is told apart too


def test_the_commit_stamp_moves_with_every_commit_and_area_stamps_with_their_area(app):
    with app.app_context():
        database.connect(reuse_if_open=True)
        first, areas = stamp.commit(), stamp.areas()
        assert first == stamp.commit() is not None
        assert set(areas) <= set(stamp.AREAS)  # a stamp row is written by the first change
        database.execute_sql("UPDATE support_unit SET contact_email = contact_email")
        assert stamp.commit() != first
        after = stamp.areas()  # the units are shown on the cheat sheet, not in the wiki
        assert after["cheatsheet"] != areas.get("cheatsheet")
        assert after.get("wiki") == areas.get("wiki")


def test_a_new_connection_gets_a_new_commit_stamp(app):
    if is_postgres():
        return  # PostgreSQL's stamp is the database's own, the same on every connection
    database.connect(reuse_if_open=True)
    first = stamp.commit()
    database.close()
    database.connect()
    assert stamp.commit()[1] != first[1]
