"""A faulty TCP proxy on loopback in front of the Dovecot fixture (tests/support/imap_server.py):
each connection it accepts takes the next fault of a schedule, and the fault strikes at the
``after``-th message body the client asks for (``UID FETCH n (BODY.PEEK[])``, RFC 3501 6.4.5),
or at its LOGIN, its SELECT or its listing of new messages (``Fault.at``):

- ``cut``: the request goes to Dovecot, ``keep`` bytes of its answer (the start of the literal)
  reach the client, then both sides are closed: the connection killed mid-transfer;
- ``stall``: the same, but the connection is held open and silent until the proxy closes (a
  server that stopped answering, beyond the client's timeout);
- ``garbage``: the request never reaches Dovecot; the client reads a line that is no IMAP
  response (RFC 3501 7: every server line is ``*``, ``+`` or the tag), then silence;
- ``no`` / ``bad``: the request never reaches Dovecot; the client gets the tagged ``NO`` or
  ``BAD`` completion RFC 3501 7.1.2 and 7.1.3 describe (Dovecot's own texts for a message it
  cannot read, "[SERVERBUG] Internal error occurred", and for a command it cannot parse);
- ``empty``: the request never reaches Dovecot; the client gets a well-formed FETCH response
  for the UID without the message (``* 1 FETCH (UID n FLAGS ())``) and ``OK``: garbage that an
  IMAP parser accepts;
- ``slow``: from that request on, Dovecot's answers reach the client in 512-byte pieces
  ``delay`` seconds apart (each piece within the client's timeout, the whole far slower);
- ``hook``: the proxy calls ``hook`` (say, to recreate the folder: a new UIDVALIDITY while the
  client has it selected), then forwards the request.

``None`` in the schedule is a healthy connection; once the schedule is used up every connection
is healthy. The proxy counts what it did in :attr:`struck`.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass

KINDS = ("cut", "stall", "garbage", "no", "bad", "empty", "slow", "hook")
WHERE = {  # the client command a fault strikes at
    "body": re.compile(rb"^(\S+) UID FETCH (\d+) \(BODY\.PEEK\[\]"),
    "list": re.compile(rb"^(\S+) UID FETCH (\S+) \(RFC822\.SIZE\)"),
    "login": re.compile(rb"^(\S+) (LOGIN) "),
    "select": re.compile(rb"^(\S+) (SELECT|EXAMINE) "),
}
GARBAGE = b")(\x00\xfe not IMAP at all {17\r\n"


@dataclass(frozen=True)
class Fault:
    kind: str  # one of KINDS
    after: int = 1  # strikes at this body request of the connection (1: the first)
    keep: int = 120  # cut/stall: bytes of the answer that still reach the client
    delay: float = 0.05  # slow: seconds between two pieces of 512 bytes
    at: str = "body"  # or "list" (the RFC822.SIZE listing), "login", "select"


class FaultyProxy:
    def __init__(self, target_port: int, schedule=(), hook=None) -> None:
        self.target_port = target_port
        self.hook = hook
        self.schedule: list[Fault | None] = list(schedule)
        self.struck: Counter[str] = Counter()
        self.struck_at: Counter[str] = Counter()  # "cut at body" -> count
        self.heard_after: list[str] = []  # the commands clients sent after a fault struck
        self.connections = 0
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._sockets: list[socket.socket] = []
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def plan(self, *faults: Fault | None) -> None:
        """Faults for the next connections, in order (replacing what was left)."""
        with self._lock:
            self.schedule = list(faults)

    def add(self, fault: Fault | None) -> None:
        """One more fault (or a healthy connection) at the end of the schedule."""
        with self._lock:
            self.schedule.append(fault)

    def _next(self) -> Fault | None:
        with self._lock:
            self.connections += 1
            return self.schedule.pop(0) if self.schedule else None

    def _serve(self) -> None:
        while not self._closing.is_set():
            try:
                downstream, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
                upstream.settimeout(None)
            except OSError:
                downstream.close()
                continue
            with self._lock:
                self._sockets += [downstream, upstream]
            _Connection(self, downstream, upstream, self._next()).start()

    def close(self) -> None:
        self._closing.set()
        self.listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class _Connection:
    """One client connection: a thread per direction; the fault is armed by the client side."""

    def __init__(self, proxy: FaultyProxy, down, up, fault: Fault | None) -> None:
        self.proxy, self.down, self.up, self.fault = proxy, down, up, fault
        self.bodies = 0
        self.limit: int | None = None  # server bytes the client may still get, once armed
        self.hold = False  # stall: stop forwarding, keep the connection open
        self.delay: float | None = None  # slow: seconds between pieces
        self.struck = False
        self.silent = False  # garbage: nothing more reaches Dovecot
        self.lock = threading.Lock()

    def start(self) -> None:
        threading.Thread(target=self._client_side, daemon=True).start()
        threading.Thread(target=self._server_side, daemon=True).start()

    def _strike(self, fault: Fault) -> None:
        with self.proxy._lock:
            self.proxy.struck[fault.kind] += 1
            self.proxy.struck_at[f"{fault.kind} at {fault.at}"] += 1

    def _client_side(self) -> None:
        buffer = b""
        try:
            while True:
                data = self.down.recv(65536)
                if not data:
                    break
                buffer += data
                while b"\r\n" in buffer:
                    line, buffer = buffer.split(b"\r\n", 1)
                    self._command(line + b"\r\n")
        except OSError:
            pass
        self._end()

    def _command(self, line: bytes) -> None:
        """Forward one client line, or answer it in the fault's place."""
        if self.struck:  # what the client says after the fault ("LOGOUT"?)
            words = line.split()
            with self.proxy._lock:
                self.proxy.heard_after.append(words[1].decode() if len(words) > 1 else "")
            if self.silent:
                return
        fault = self.fault
        match = WHERE[fault.at].match(line) if fault is not None else None
        if fault is not None and match:
            self.bodies += 1
            if self.bodies == fault.after:
                self.fault, self.struck = None, True
                self._strike(fault)
                if fault.kind in ("cut", "stall"):
                    with self.lock:
                        self.limit = fault.keep
                        self.hold = fault.kind == "stall"
                elif fault.kind == "garbage":
                    self.down.sendall(GARBAGE)
                    self.silent = True
                    return
                elif fault.kind == "slow":
                    with self.lock:
                        self.delay = fault.delay
                elif fault.kind == "hook":
                    if self.proxy.hook is not None:
                        self.proxy.hook()
                elif fault.kind == "empty":
                    tag, uid = match.group(1), match.group(2)
                    self.down.sendall(b"* 1 FETCH (UID " + uid + b" FLAGS ())\r\n")
                    self.down.sendall(tag + b" OK Fetch completed (0.001 + 0.000 secs).\r\n")
                    return
                else:
                    tag = match.group(1)
                    answer = (
                        b" NO [SERVERBUG] Internal error occurred. Refer to server log for more "
                        b"information.\r\n"
                        if fault.kind == "no"
                        else b" BAD Error in IMAP command UID FETCH: Invalid arguments.\r\n"
                    )
                    self.down.sendall(tag + answer)
                    return
        self.up.sendall(line)

    def _server_side(self) -> None:
        try:
            while True:
                data = self.up.recv(65536)
                if not data:
                    break
                with self.lock:
                    limit, hold, delay = self.limit, self.hold, self.delay
                    if limit is not None:
                        self.limit = max(limit - len(data), 0)
                if delay is not None:
                    for start in range(0, len(data), 512):
                        time.sleep(delay)
                        self.down.sendall(data[start : start + 512])
                    continue
                if limit is None:
                    self.down.sendall(data)
                    continue
                self.down.sendall(data[:limit])
                if len(data) >= limit:
                    if hold:  # the client side closes both when the client gives up
                        return None
                    break
        except OSError:
            pass
        self._end()

    def _end(self) -> None:
        for sock in (self.down, self.up):
            _shut(sock)
