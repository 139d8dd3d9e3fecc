"""A kept page in both forms a client may ask for: the identity body and, for a text body of
1 KB or more, the gzip body, each with its headers, both made once when the page is kept.

A client that sends no ``Accept-Encoding: gzip`` (a feed reader, a script) is served the
identity body as kept, and a browser the gzip body as kept: no request decompresses or
compresses anything, and a digest of hundreds of issues shrinks about tenfold for browsers.
"""

from __future__ import annotations

import gzip

from werkzeug.http import parse_accept_header

MIN_GZIP = 1024
COMPRESSIBLE = ("text/", "application/atom+xml", "application/json", "application/xml")


def wants_gzip(environ) -> bool:
    accepted = environ.get("HTTP_ACCEPT_ENCODING")
    return bool(accepted) and parse_accept_header(accepted)["gzip"] > 0


def gzip_etag(etag: str) -> str:
    """The ETag of the compressed form: another representation, another tag."""
    weak = etag.startswith("W/")
    bare = etag.removeprefix("W/").strip('"')
    return f'{"W/" if weak else ""}"{bare}-gzip"'


def compress(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=6, mtime=0)


class Bodies:
    """Status, headers and body of a kept page, with the gzip form when it has one (its ETag
    marked as another representation unless ``retag`` is false)."""

    __slots__ = ("status", "headers", "body", "gzip_headers", "gzip_body")

    def __init__(
        self, status, headers: list, body: bytes, compressible: bool, retag: bool = True
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.gzip_headers: list | None = None
        self.gzip_body: bytes | None = None
        if compressible and len(body) >= MIN_GZIP:
            self.gzip_body = compress(body)
            self.gzip_headers = []
            for name, value in headers:
                lower = name.lower()
                if lower == "content-length":
                    value = str(len(self.gzip_body))
                elif lower == "etag" and retag:
                    value = gzip_etag(value)
                self.gzip_headers.append((name, value))
            self.gzip_headers.append(("Content-Encoding", "gzip"))

    def form(self, environ) -> tuple[list, bytes]:
        """The headers and body for this request's client."""
        if self.gzip_body is not None and wants_gzip(environ):
            return self.gzip_headers, self.gzip_body  # type: ignore[return-value]
        return self.headers, self.body

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzip_body or b"")
