"""Rendered staff pages, kept per worker process and per user, and checked against the
database's own change counter on every use.

Staff pages (ticket list, ticket, sweep) are costly to make afresh at a hundred thousand
tickets, and most of what a supporter asks for again has not changed since.

How a kept page stays correct:

- Before the view reads anything, the request's commit stamp is read
  (:func:`dmsu.core.cache.stamp.for_request`): a value that changes whenever *anything* is
  committed to the database by anyone. A write anywhere therefore only makes the next
  request a miss; it never leaves a page stale.
- A kept page also depends on the time (ages, SLA clocks, the sweep's "no update for 3
  working days"): it is used for at most ``seconds`` (60 by default), and a pinned clock
  (tests, ``tick --now``) is part of the key.
- It is kept per session (the user's navigation, permissions and "my tickets", and the
  session's CSRF token, which stays valid: ``WTF_CSRF_TIME_LIMIT`` is off) and per address
  and htmx headers, so a kept page carries a token its session can post with.
- A kept page of 1 KB or more goes gzip-compressed to browsers that accept it (compressed
  once, when kept, beside the identity body: the sweep's 230 KB of row forms shrink about
  tenfold).
- The pages live in the ``staff`` :class:`dmsu.core.cache.store.Store` of the app, keyed by
  the database's generation, the user, the session's token, the address and the pinned clock.
- Not kept: a request carrying flash messages (they are shown once), answers other than 200,
  and anything but ``GET``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import current_app, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

import dmsu.core.cache.bodies as bodies
import dmsu.core.cache.registry as registry
import dmsu.core.cache.stamp as stamp
from dmsu.core import clock
from dmsu.core.db import generation

PAGES = registry.Cache("staff", max_entries=256, max_bytes=8 * 1024 * 1024)  # per worker
DEFAULT_SECONDS = 60.0
_VARY = ("HX-Request", "HX-Target", "HX-Boosted", "HX-History-Restore-Request")
_DROPPED_HEADERS = {"content-length", "set-cookie"}


def _key() -> tuple:
    environ = request.environ
    return (
        generation(),
        current_user.get_id(),
        session.get("csrf_token"),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        clock.pinned(),
        *(request.headers.get(name) for name in _VARY),
    )


def _answer(entry: bodies.Bodies):
    headers, body = entry.form(request.environ)
    response = current_app.response_class(body, entry.status, headers)
    response.vary.add("Accept-Encoding")
    return response


def staff_page(view: Callable | None = None, *, seconds: float = DEFAULT_SECONDS):
    """Keep the ``GET`` answers of a logged-in view (put it under ``login_required``)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if (
                not current_app.config.get("DMSU_PAGE_CACHE", True)
                or request.method != "GET"
                or not current_user.is_authenticated
                or "_flashes" in session
            ):
                return view(*args, **kwargs)
            read = stamp.for_request()  # before the view reads anything
            generate_csrf()  # the session's token exists before the key is made
            key = (*_key(), read)  # a page kept under another stamp is never found again
            entry = PAGES.get(key) if read is not None else None
            if entry is not None:
                return _answer(entry)
            response = make_response(view(*args, **kwargs))
            if read is not None and response.status_code == 200 and not response.is_streamed:
                headers = [
                    (name, value)
                    for name, value in response.headers.items()
                    if name.lower() not in _DROPPED_HEADERS
                ]
                compressible = "Content-Encoding" not in response.headers
                entry = bodies.Bodies(200, headers, response.get_data(), compressible, retag=False)
                PAGES.put(key, entry, size=entry.size, seconds=seconds)
            response.vary.add("Accept-Encoding")
            return response

        return wrapper

    return decorate(view) if view is not None else decorate
