"""Conditional GET for the API's JSON answers (RFC 9110 section 13).

The ETag is strong, the SHA-256 of the exact body sent (keys sorted), so it changes exactly
when the answer does, whatever changed it (an event, a re-import of a field, a clock turning
violated with time) and whatever the token's owner may see. ``If-None-Match`` is compared
weakly, as the RFC asks, and wins over ``If-Modified-Since``; ``Last-Modified`` is given where
the caller knows when the data last changed. A 304 has no body and repeats the ETag,
``Cache-Control`` and ``Vary`` (RFC 9110 section 15.4.5; Werkzeug leaves out Last-Modified).
Answers are ``Cache-Control: private, no-cache`` and vary by ``Authorization``: a cache may
keep them for one token's owner, and must ask again before using them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from flask import Response, current_app, request
from werkzeug.http import is_resource_modified


def body_of(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def conditional_json(
    payload, last_modified: datetime | None = None, headers: dict | None = None
) -> Response:
    """``payload`` as JSON with its ETag (and ``last_modified``), or a 304 when the request's
    validators match."""
    body = body_of(payload)
    etag = hashlib.sha256(body).hexdigest()[:32]
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Authorization")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if not is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        response.status_code = 304
        response.set_data(b"")
        response.headers.pop("Content-Type", None)
        response.headers.pop("Content-Length", None)
    return response
