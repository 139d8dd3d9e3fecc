"""A fault-injecting HTTP server on loopback in front of real repositories (a folder of yum
and apt repositories, as :mod:`tests.support.repo_builder` or the bench writes them).

Per request it answers by a schedule: a fixed ``plan`` (path part -> list of faults, taken in
order, then the real file) or, with ``rate`` > 0, a seeded :class:`random.Random` drawing one of
:data:`FAULTS` (so a run is repeatable). The faults:

- ``kill``: headers announcing the full length and part of the body, then the connection is
  closed (a server killed mid-transfer);
- ``kill-nolength``: the same without a Content-Length (HTTP/1.0 style: only the content can
  tell it is cut);
- ``slow``: headers, then one byte every ``trickle`` seconds (each read within any per-read
  timeout, the whole far beyond the scan's), until ``slow_for`` seconds have passed;
- ``garbage``: a 200 whose body is wrong for the file asked: an HTML page (``garbage:0``),
  the file truncated with a Content-Length to match (``garbage:1``), a repomd.xml naming a
  missing primary (``garbage:2``) or giving a checksum that does not match (``garbage:3``);
- ``5xx``: a burst: this request and the next ``burst - 1`` answer 503;
- ``change``: ``publish()`` is called (a new snapshot of the repositories) before the file is
  served: asked between repomd.xml (or Release) and the primary (or Packages), the repository
  changed mid-scan.

``counts`` tells how many of each fault were served.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FAULTS = ("kill", "kill-nolength", "slow", "garbage", "5xx", "change")
HTML = b"<!DOCTYPE html>\n<html><head><title>Mirror maintenance</title></head><body>" + (
    b"<p>This mirror is being updated; please come back later.</p></body></html>\n"
)


def _garbage_repomd(body: bytes, choice: int) -> bytes:
    if choice == 0:
        return re.sub(
            rb'href="repodata/[^"]*primary[^"]*"', b'href="repodata/missing-primary.xml.gz"', body
        )
    return re.sub(
        rb"<checksum type=\"sha256\">[0-9a-f]{8}",
        b'<checksum type="sha256">00000000',
        body,
        count=1,
    )


class _Handler(SimpleHTTPRequestHandler):
    server: _Server

    def log_message(self, *_args) -> None:
        pass

    def _file(self) -> bytes | None:
        path = Path(self.translate_path(self.path))
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError:
            return None

    def _send(self, status: int, body: bytes, length: int | None = None, close=False) -> None:
        self.send_response(status)
        if length is not None:
            self.send_header("Content-Length", str(length))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self) -> None:  # noqa: N802 (http.server's API)
        fault = self.server.next_fault(self.path)
        if fault is None:
            return super().do_GET()
        fault, _, variant = fault.partition(":")
        self.server.count(fault)
        if fault == "change":
            self.server.publish_snapshot()
            return super().do_GET()
        if fault == "5xx":
            self.close_connection = True
            return self._send(503, b"Service Unavailable\n", 20)
        body = self._file()
        if body is None:
            return super().do_GET()
        self.close_connection = True
        if fault == "kill":
            return self._send(200, body[: len(body) // 2], len(body))
        if fault == "kill-nolength":
            self.protocol_version = "HTTP/1.0"
            return self._send(200, body[: len(body) // 2], None, close=True)
        if fault == "slow":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            ends = time.monotonic() + self.server.slow_for
            for byte in body:
                if time.monotonic() > ends or self.server.stopping:
                    return
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return  # the client gave up
                time.sleep(self.server.trickle)
            return
        # garbage
        choice = int(variant) if variant else self.server.pick(4)
        if self.path.endswith("repomd.xml") and choice >= 2:
            return self._send(200, _garbage_repomd(body, choice - 2), None, close=True)
        if choice == 0:
            return self._send(200, HTML, len(HTML))
        cut = body[: max(1, len(body) * 2 // 3)]
        return self._send(200, cut, len(cut))


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A client that gave up breaks the pipe: not worth a trace."""


class FaultyRepoServer:
    """``root`` served on 127.0.0.1 with faults; see the module's docstring."""

    def __init__(
        self,
        root: Path,
        *,
        seed: int = 0,
        rate: float = 0.0,
        faults: tuple[str, ...] = FAULTS,
        publish: Callable[[], None] | None = None,
        trickle: float = 0.2,
        slow_for: float = 6.0,
        burst: int = 3,
    ):
        self.root = Path(root)
        self.httpd = _Server(("127.0.0.1", 0), partial(_Handler, directory=str(self.root)))
        httpd = self.httpd
        httpd.stopping = False
        httpd.trickle, httpd.slow_for = trickle, slow_for
        self.random = random.Random(seed)
        self.rate, self.faults, self.burst = rate, faults, burst
        self.plan: dict[str, list[str]] = {}
        self.counts: Counter[str] = Counter()
        self.requests = 0
        self._burst_left = 0
        self._lock = threading.Lock()
        self._publish = publish
        httpd.next_fault, httpd.count = self._next_fault, self._count
        httpd.publish_snapshot, httpd.pick = self._publish_snapshot, self._pick
        self.thread = threading.Thread(target=httpd.serve_forever, daemon=True)

    def __enter__(self) -> FaultyRepoServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.httpd.stopping = True
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{path}"

    def heal(self) -> None:
        """No more faults from now on."""
        with self._lock:
            self.rate, self.plan, self._burst_left = 0.0, {}, 0

    def _pick(self, n: int) -> int:
        with self._lock:
            return self.random.randrange(n)

    def _count(self, fault: str) -> None:
        with self._lock:
            self.counts[fault] += 1

    def _publish_snapshot(self) -> None:
        if self._publish is not None:
            self._publish()

    def _next_fault(self, path: str) -> str | None:
        with self._lock:
            self.requests += 1
            for part, queue in self.plan.items():
                if part in path and queue:
                    return queue.pop(0)
            if self._burst_left:
                self._burst_left -= 1
                return "5xx"
            if self.rate <= 0 or self.random.random() >= self.rate:
                return None
            fault = self.random.choice(self.faults)
            if fault == "change" and not re.search(r"primary|Packages", path):
                return None  # a change only matters between the index and the file it names
            if fault == "5xx":
                self._burst_left = self.burst - 1
            return fault
