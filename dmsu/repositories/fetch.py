"""Fetching one file of a repository: over HTTP(S), from a ``file://`` URL or a local path.

Every failure (refused, unreachable, too slow, an error status, cut off before its end, too
large) is one :class:`RepositoryError` whose message is one sentence for the page and the job
log. The whole file is read before anything is parsed, so a half-read file is never used.

The timeout is for the whole file, not only for each read: requests' ``timeout`` bounds one
wait on the socket, so a mirror trickling a byte a second would be read for hours (the faults
run of issue 23 found it); the body is read as it arrives and given up at the deadline.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import requests
import urllib3

MAX_BYTES = 512 * 1024 * 1024


class RepositoryError(Exception):
    """A repository could not be read; the message is one sentence for the user."""


def join(base: str, relative: str) -> str:
    """``relative`` (a path named by the repository's own metadata) under ``base``."""
    if not base.endswith("/"):
        base += "/"
    joined = urljoin(base, relative)
    if not joined.startswith(base) and urlparse(base).scheme:
        raise RepositoryError(f"The repository at {base} names a file outside it: {relative}.")
    return joined


def _local_path(url: str) -> Path | None:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme == "":
        return Path(url)
    return None


def fetch(url: str, *, timeout: float = 30, max_bytes: int = MAX_BYTES) -> bytes:
    """The whole body at ``url``; :class:`RepositoryError` when it cannot be read whole."""
    path = _local_path(url)
    if path is not None:
        try:
            if path.stat().st_size > max_bytes:
                raise RepositoryError(f"{url} is larger than {max_bytes} bytes.")
            return path.read_bytes()
        except OSError as error:
            raise RepositoryError(f"{url} could not be read: {error.strerror}.") from None
    deadline = time.monotonic() + timeout
    too_slow = RepositoryError(f"{url} did not answer within {timeout:g} s.")
    try:
        with requests.get(url, timeout=timeout, stream=True) as response:
            if response.status_code != 200:
                raise RepositoryError(f"{url} answered HTTP {response.status_code}.")
            chunks, size = [], 0
            while chunk := response.raw.read1(64 * 1024, decode_content=True):
                size += len(chunk)
                if size > max_bytes:
                    raise RepositoryError(f"{url} is larger than {max_bytes} bytes.")
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise too_slow
    except (requests.Timeout, urllib3.exceptions.TimeoutError):
        raise too_slow from None
    except (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError):
        raise RepositoryError(f"{url} was cut off before its end.") from None
    except requests.ConnectionError:
        raise RepositoryError(f"{url} could not be reached.") from None
    except (requests.RequestException, urllib3.exceptions.HTTPError):
        raise RepositoryError(f"{url} could not be read.") from None
    body = b"".join(chunks)
    expected = response.headers.get("Content-Length")
    if expected and expected.isdigit() and int(expected) != len(body):
        raise RepositoryError(f"{url} was cut off before its end.")
    return body
