"""Rendered staff pages, kept per worker process and per user, and checked against the
database's own change counter on every use.

Staff pages (ticket list, ticket, sweep) are costly to make afresh at a hundred thousand
tickets, and most of what a supporter asks for again has not changed since.

How a kept page stays correct:

- Before the view reads anything, :func:`data_stamp` reads a value that changes whenever
  *anything* is committed to the database by anyone — every table, every process, every
  host, raw SQL included — at no cost to the writers (no trigger, no lock):

  * PostgreSQL: ``pg_current_snapshot()``. A committed transaction leaves the snapshot's
    list of running transactions (or moves its upper bound), and transaction ids only grow,
    so an unchanged snapshot means no transaction that wrote has started or ended since.
  * SQLite: ``PRAGMA data_version`` (changes when another connection commits) with the
    connection's own ``total_changes`` (changes when this one writes), for this connection.

  A write anywhere therefore only makes the next request a miss; it never leaves a page stale.
- A kept page also depends on the time (ages, SLA clocks, the sweep's "no update for 3
  working days"): it is used for at most ``seconds`` (60 by default), and a pinned clock
  (tests, ``tick --now``) is part of the key.
- It is kept per session (the user's navigation, permissions and "my tickets", and the
  session's CSRF token, which stays valid: ``WTF_CSRF_TIME_LIMIT`` is off) and per address
  and htmx headers, so a kept page carries a token its session can post with.
- A kept page of 1 KB or more goes gzip-compressed to browsers that accept it (compressed
  once, when first asked for: the sweep's 230 KB of row forms shrink about tenfold).
- Not kept: a request carrying flash messages (they are shown once), answers other than 200,
  and anything but ``GET``.
"""

from __future__ import annotations

import gzip
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from threading import Lock

import peewee
from flask import current_app, g, has_request_context, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from dmsu.core import clock
from dmsu.core.cache.pages import MIN_GZIP, wants_gzip
from dmsu.core.db import database

MAX_ENTRIES = 256
MAX_BYTES = 8 * 1024 * 1024  # per worker process
DEFAULT_SECONDS = 60.0
_VARY = ("HX-Request", "HX-Target", "HX-Boosted", "HX-History-Restore-Request")
_DROPPED_HEADERS = {"content-length", "set-cookie"}


def data_stamp() -> tuple | None:
    """A value that differs as soon as anything has been committed to the database (see the
    module text), or None when it cannot be read."""
    try:
        database.connect(reuse_if_open=True)
        if isinstance(database.obj, peewee.PostgresqlDatabase):
            row = database.execute_sql("SELECT pg_current_snapshot()::text").fetchone()
            return ("pg", row[0])
        version = database.execute_sql("PRAGMA data_version").fetchone()[0]
        connection = database.connection()
        return ("sqlite", id(connection), version, connection.total_changes)
    except (peewee.OperationalError, peewee.InterfaceError, peewee.ProgrammingError):
        return None


def request_stamp() -> tuple | None:
    """:func:`data_stamp` read once per request (the logged-in user is loaded under it too,
    see :mod:`dmsu.auth.loader`); outside a request, read afresh."""
    if not has_request_context():
        return data_stamp()
    if "dmsu_data_stamp" not in g:
        g.dmsu_data_stamp = data_stamp()
    return g.dmsu_data_stamp


class Entry:
    __slots__ = ("body", "status", "headers", "stamp", "expires", "gzipped")

    def __init__(self, body: bytes, status: int, headers: list, stamp, expires):
        self.body = body
        self.status = status
        self.headers = headers
        self.stamp = stamp
        self.expires = expires
        self.gzipped: bytes | None = None

    def compressed(self) -> bytes | None:
        """The gzip form of a text body of 1 KB or more (made on first use), else None."""
        if self.gzipped is None and len(self.body) >= MIN_GZIP:
            self.gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self.gzipped

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


class StaffPages:
    """The kept pages of one worker process (``app.extensions['dmsu_staff_pages']``)."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.entries: OrderedDict[tuple, Entry] = OrderedDict()
        self.size = 0
        self.lock = Lock()
        self.hits = 0

    def get(self, key: tuple, stamp) -> Entry | None:
        entry = self.entries.get(key)
        if entry is None or entry.stamp != stamp or time.monotonic() >= entry.expires:
            return None
        self.hits += 1
        return entry

    def keep(self, key: tuple, entry: Entry) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= old.size
            self.entries[key] = entry
            self.size += entry.size
            while self.entries and (len(self.entries) > MAX_ENTRIES or self.size > MAX_BYTES):
                _, dropped = self.entries.popitem(last=False)
                self.size -= dropped.size

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


def _pages() -> StaffPages:
    pages = current_app.extensions.get("dmsu_staff_pages")
    if pages is None:
        pages = StaffPages(bool(current_app.config.get("DMSU_PAGE_CACHE", True)))
        current_app.extensions["dmsu_staff_pages"] = pages
    return pages


def _key() -> tuple:
    environ = request.environ
    return (
        id(database.obj),
        current_user.get_id(),
        session.get("csrf_token"),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        clock.pinned(),
        *(request.headers.get(name) for name in _VARY),
    )


def _answer(entry: Entry):
    response = current_app.response_class(entry.body, entry.status, entry.headers)
    response.vary.add("Accept-Encoding")
    if wants_gzip(request.environ) and "Content-Encoding" not in response.headers:
        packed = entry.compressed()
        if packed is not None:
            response.set_data(packed)
            response.headers["Content-Encoding"] = "gzip"
    return response


def staff_page(view: Callable | None = None, *, seconds: float = DEFAULT_SECONDS):
    """Keep the ``GET`` answers of a logged-in view (put it under ``login_required``)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            pages = _pages()
            if (
                not pages.enabled
                or request.method != "GET"
                or not current_user.is_authenticated
                or "_flashes" in session
            ):
                return view(*args, **kwargs)
            stamp = request_stamp()  # before the view reads anything
            generate_csrf()  # the session's token exists before the key is made
            key = _key()
            entry = pages.get(key, stamp) if stamp is not None else None
            if entry is not None:
                return _answer(entry)
            response = make_response(view(*args, **kwargs))
            if stamp is not None and response.status_code == 200 and not response.is_streamed:
                headers = [
                    (name, value)
                    for name, value in response.headers.items()
                    if name.lower() not in _DROPPED_HEADERS
                ]
                body = response.get_data()
                expires = time.monotonic() + seconds
                pages.keep(key, Entry(body, 200, headers, stamp, expires))
            response.vary.add("Accept-Encoding")
            return response

        return wrapper

    return decorate(view) if view is not None else decorate
