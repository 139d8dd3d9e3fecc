"""Rendered public pages, kept per worker process for anonymous readers and checked against
the database on every use.

"a cached public page should cost little more than Flask itself", with "a cache
for rendered public pages invalidated on change" and "conditional GET (ETag /
Last-Modified) for public pages and feeds".

How it stays correct with several worker processes (and several hosts):

- Every table a public page is made from has a trigger (migration ``m0010_page_cache``) that
  writes a new random *stamp* for its area (``cheatsheet``, ``digests``, ``wiki``) into the
  one-row-per-area table ``page_cache_stamp``, in the same transaction as the change
  (:func:`dmsu.core.cache.stamp.areas`). Every write path is covered: views, CLI, jobs,
  imports, the API and raw SQL alike.
- A view marked with :func:`public_page` reads the stamps of its areas *before* it reads
  anything else, and the response is kept with them. A change committed later moves a stamp,
  so the kept page no longer matches.
- :class:`PageCache` (WSGI middleware in front of Flask) answers a later anonymous ``GET`` of
  the same address from the kept page after ONE small query (the stamps); on a mismatch, or
  for anyone with a session, the request goes through Flask as usual.

Only anonymous requests take part: no session or remember-me cookie and no
``Authorization`` header, no ``Set-Cookie`` in the answer, status 200. Every kept page also
expires after ``seconds`` (a guard for anything that depends on the time of day).
Kept pages carry an ``ETag`` (the view's own, or a hash of the body), so a browser's
``If-None-Match`` / ``If-Modified-Since`` is answered ``304`` from the cache too. A kept text
page holds both its identity and its gzip body (:mod:`dmsu.core.cache.bodies`), so each
client is answered without compressing or decompressing anything. The pages are kept in a
:class:`dmsu.core.cache.store.Store` registered on the app as ``pages``, under the database's
generation, the address and the htmx headers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from flask import current_app, request
from werkzeug.http import parse_date, parse_etags

import dmsu.core.cache.bodies as bodies
import dmsu.core.cache.registry as registry
import dmsu.core.cache.stamp as stamp
import dmsu.core.cache.store as store
from dmsu.core.db import generation

AREAS = stamp.AREAS
ENVIRON_KEY = "dmsu.core.cache.pages"
STAMPS_KEY = "dmsu.core.cache.pages.stamps"  # stamps the middleware read for this request
STORE_NAME = "pages"
MAX_ENTRIES = 512
MAX_BYTES = 16 * 1024 * 1024  # per worker process
MAX_BODY = 4 * 1024 * 1024
DEFAULT_SECONDS = 300.0
# Request headers that change what a public view answers (htmx asks for partials).
_VARY = (
    "HTTP_HX_REQUEST",
    "HTTP_HX_HISTORY_RESTORE_REQUEST",
    "HTTP_HX_BOOSTED",
    "HTTP_HX_TARGET",
)
_NOT_MODIFIED_DROPS = {"content-length", "content-type"}


def cookie_names(config) -> tuple[str, ...]:
    """The cookies that may carry a login or a flash message (``name=`` as sent)."""
    return (
        str(config.get("SESSION_COOKIE_NAME") or "session") + "=",
        str(config.get("REMEMBER_COOKIE_NAME") or "remember_token") + "=",
    )


def anonymous(environ, names: tuple[str, ...]) -> bool:
    """No login can come with this request: no session or remember-me cookie (a plain
    substring test: a look-alike name only makes the request skip the cache), no token."""
    if environ.get("HTTP_AUTHORIZATION"):
        return False
    cookies = environ.get("HTTP_COOKIE")
    return not cookies or not any(name in cookies for name in names)


def public_page(*areas: str, seconds: float = DEFAULT_SECONDS) -> Callable:
    """Mark a view whose anonymous ``GET`` answer depends only on the URL and the tables of
    ``areas`` (names in :data:`AREAS`; none for a page made of templates only)."""
    unknown = set(areas) - set(AREAS)
    if unknown:
        raise ValueError(f"unknown page-cache areas: {sorted(unknown)}")

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            environ = request.environ
            if request.method != "GET" or not anonymous(environ, cookie_names(current_app.config)):
                return view(*args, **kwargs)
            stamps = environ.get(STAMPS_KEY) or stamp.areas()  # before the view reads
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.is_streamed:
                return response
            if not response.get_etag()[0]:
                response.add_etag()
            response.cache_control.no_cache = True
            response.vary.add("Cookie")
            response.vary.add("Accept-Encoding")  # kept pages may be sent compressed
            if stamps is not None and all(area in stamps for area in areas):
                environ[ENVIRON_KEY] = (tuple((a, stamps[a]) for a in areas), seconds)
            return response.make_conditional(request)

        return wrapper

    return decorate


class Entry:
    """A kept page: both bodies, the area stamps it was made under, its validators."""

    __slots__ = ("bodies", "stamps", "etag", "modified")

    def __init__(self, status, headers, body, stamps):
        found = {name.lower(): value for name, value in headers}
        compressible = "content-encoding" not in found and found.get("content-type", "").startswith(
            bodies.COMPRESSIBLE
        )
        self.bodies = bodies.Bodies(status, headers, body, compressible)
        self.stamps = stamps
        self.etag = found.get("etag", "")
        modified = found.get("last-modified")
        self.modified = parse_date(modified) if modified else None


class PageCache:
    """WSGI middleware answering anonymous ``GET``/``HEAD`` requests from kept pages."""

    def __init__(self, app):
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.entries = registry.register(app, store.Store(STORE_NAME, MAX_ENTRIES, MAX_BYTES))
        self.cookie_names = cookie_names(app.config)
        self.enabled = bool(app.config.get("DMSU_PAGE_CACHE", True))

    @property
    def hits(self) -> int:
        return self.entries.hits

    def clear(self) -> None:
        self.entries.clear()

    def key(self, environ) -> tuple | None:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        if not anonymous(environ, self.cookie_names):
            return None
        return (
            generation(),
            environ.get("wsgi.url_scheme"),
            environ.get("HTTP_HOST"),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            *(environ.get(name) for name in _VARY),
        )

    def __call__(self, environ, start_response):
        key = self.key(environ) if self.enabled else None
        if key is None:
            return self.wsgi_app(environ, start_response)
        entry = self.entries.get(key)
        if entry is not None:
            answer = self._answer(entry, environ, start_response)
            if answer is not None:
                return answer
        captured: list = []

        def capture(status, headers, exc_info=None):
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, capture)
        mark = environ.get(ENVIRON_KEY)
        if (
            mark is None
            or environ["REQUEST_METHOD"] != "GET"
            or not captured
            or not captured[0].startswith("200")
            or any(name.lower() == "set-cookie" for name, _ in captured[1])
        ):
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        stamps, seconds = mark
        if len(data) <= MAX_BODY:
            entry = Entry(captured[0], list(captured[1]), data, stamps)
            self.entries.put(key, entry, size=entry.bodies.size, seconds=seconds)
        return [data]

    def _answer(self, entry: Entry, environ, start_response) -> Iterable[bytes] | None:
        stamps = stamp.areas()
        if stamps is None or any(stamps.get(area) != value for area, value in entry.stamps):
            environ[STAMPS_KEY] = stamps  # read before the view runs: good for its new page
            return None
        headers, body = entry.bodies.form(environ)
        if self._not_modified(entry, environ):
            headers = [(n, v) for n, v in headers if n.lower() not in _NOT_MODIFIED_DROPS]
            start_response("304 NOT MODIFIED", headers)
            return [b""]
        start_response(entry.bodies.status, headers)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    @staticmethod
    def _not_modified(entry: Entry, environ) -> bool:
        match = environ.get("HTTP_IF_NONE_MATCH")
        if match:
            if not entry.etag:
                return False
            tags = parse_etags(match)
            bare = entry.etag.removeprefix("W/").strip('"')
            return tags.contains_weak(bare) or tags.contains_weak(f"{bare}-gzip")
        since = environ.get("HTTP_IF_MODIFIED_SINCE")
        if since and entry.modified is not None:
            moment = parse_date(since)
            return moment is not None and moment >= entry.modified
        return False


def init_app(app) -> PageCache:
    """Put the page cache in front of the app (``app.extensions['dmsu_page_cache']``)."""
    cache = PageCache(app)
    app.wsgi_app = cache
    app.extensions["dmsu_page_cache"] = cache
    return cache
