"""A Zammad REST API on loopback for the helpdesk tests and the benchmark.

No Zammad can run on these machines (it needs Ruby gems and Elasticsearch), so this server
answers the few ``/api/v1`` calls the connector makes with bodies shaped as Zammad's own
published documentation and sources show them:

- the expanded ticket (``?expand=true``): zammad/zammad-documentation ``api/intro.rst``,
  "Response Payloads (expand)", the ticket tab (``"group": "Sales"``, ``"state": "closed"``,
  ``"priority": "2 normal"``, ``article_ids``, ``"number": "71003"``...);
- tickets and the search answer: ``api/ticket/index.rst`` ("List", "Search": ``tickets`` ids
  with ``assets.Ticket``, "Show", "Update" with ``group``/``state``/``priority`` names);
- articles: ``api/ticket/articles.rst`` ("List Articles by Ticket": ``ticket_id``, ``from``,
  ``subject``, ``body``, ``content_type``, ``type``, ``internal``, ``created_at``);
- tags: ``api/ticket/tags.rst`` (``POST /api/v1/tags/add``, ``DELETE /api/v1/tags/remove``
  with ``item``, ``object``, ``o_id``; answer ``true``), recorded in the history as
  zammad/zammad ``app/models/tag.rb`` does (``added``/``removed``, attribute ``tag``);
- pagination: ``api/intro.rst`` "Pagination" (``?page=1&per_page=5``, no total count);
- history: zammad/zammad ``app/controllers/tickets_controller.rb`` ``ticket_history``
  (``ticket.history_get(true)``: ``{"history": [...], "assets": {...}}``, as
  ``spec/requests/ticket_spec.rb`` "does ticket history" checks) with entries of
  ``app/models/history.rb`` (``object``, ``type``, ``attribute``, ``value_from``,
  ``value_to``, ``created_by_id``, ``created_at``);
- authentication: ``api/intro.rst`` "HTTP Token Authentication" (``Authorization: Token
  token=...``); a wrong token gets 401 as ``spec/requests/ticket_spec.rb`` expects
  (``have_http_status(:unauthorized)``), with Zammad's ``{"error": ...}`` body.

Faults are injected with :meth:`ZammadServer.fail_next` (a status, headers and body for the
next requests: 429 with ``Retry-After``, 5xx), :attr:`ZammadServer.delay` (seconds before each
answer: timeouts), :attr:`ZammadServer.late` (a request done, its answer too late to arrive), :attr:`ZammadServer.refuse` (ticket ids whose updates get 422) and
:meth:`ZammadServer.stop` / :meth:`ZammadServer.start` (the port closed: an outage).

A request's delivery can also go wrong by :data:`FAULT_KINDS` (:meth:`ZammadServer.inject`
for the next requests of a path, or :attr:`ZammadServer.schedule`, a callable of the method
and path the faults benchmark fills from a seeded random): ``cut`` (the headers and half the
body, then the socket closed), ``slow`` (answered :attr:`ZammadServer.slow_for` seconds late),
``lost`` (done, then the socket closed with no answer), three garbage answers with status 200
(``garbage-truncated`` JSON, an ``garbage-html`` page, ``garbage-shape``: JSON of another
shape), and ``5xx`` / ``429`` (refused, nothing done). A write is done before its answer is
cut, delayed, lost or garbled, as when a proxy or the network fails after Zammad committed.
Every write done is kept in :attr:`ZammadServer.writes` (method, path, body), so a write
received twice can be counted.
"""

from __future__ import annotations

import json
import random
import re
import socket
import threading
import time
from collections import Counter
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

TOKEN = "zammad-test-token-1234"
CONNECTOR_USER_ID = 99
FAULT_KINDS = (
    "cut", "slow", "lost", "garbage-truncated", "garbage-html", "garbage-shape", "5xx", "429",
)  # fmt: skip

# The expanded ticket of api/intro.rst (zammad-documentation), with GGUS's custom fields.
DOC_TICKET = {
    "id": 3,
    "group_id": 1,
    "priority_id": 2,
    "state_id": 4,
    "organization_id": 3,
    "number": "71003",
    "title": "Order 787556",
    "owner_id": 3,
    "customer_id": 7,
    "note": None,
    "last_contact_at": "2021-02-26T12:44:43.888Z",
    "create_article_type_id": 1,
    "create_article_sender_id": 2,
    "article_count": 2,
    "escalation_at": None,
    "pending_time": None,
    "type": None,
    "preferences": {},
    "updated_by_id": 4,
    "created_by_id": 7,
    "created_at": "2021-02-24T14:44:43.828Z",
    "updated_at": "2021-07-26T14:44:43.906Z",
    "article_ids": [5, 6],
    "ticket_time_accounting_ids": [],
    "group": "Sales",
    "organization": "Awesome Customer Inc.",
    "state": "closed",
    "priority": "2 normal",
    "owner": "chris@chrispresso.com",
    "customer": "samuel@example.com",
    "created_by": "samuel@example.com",
    "updated_by": "jacob@chrispresso.com",
    "create_article_type": "email",
    "create_article_sender": "Customer",
}

# An article of api/ticket/articles.rst ("List Articles by Ticket"), expanded.
DOC_ARTICLE = {
    "id": 3,
    "ticket_id": 3,
    "from": "Bob Smith",
    "to": "",
    "cc": "",
    "subject": "some subject",
    "body": "huhuhuu<br>huhuhuu<br>huhuhuu<br><br>",
    "content_type": "text/html",
    "type": "note",
    "internal": False,
    "sender": "Customer",
    "created_by_id": 7,
    "updated_at": "2016-08-15T07:55:42.119Z",
    "created_at": "2016-08-15T07:55:42.119Z",
}


def iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class ZammadServer:
    """The helpdesk's state (tickets, articles, history) and the HTTP server answering it."""

    def __init__(self) -> None:
        self.tickets: dict[int, dict] = {}
        self.articles: dict[int, list[dict]] = {}
        self.histories: dict[int, list[dict]] = {}
        self.faults: list[tuple[int, dict, object]] = []
        self.path_faults: dict[str, list[int]] = {}
        self.late: dict[str, float] = {}  # path: seconds to wait AFTER doing it (answer lost)
        self.refuse: set[int] = set()
        self.delay = 0.0
        self.requests: list[tuple[str, str]] = []
        self.injected: list[tuple[str, str]] = []  # (path prefix, fault kind), used in order
        self.schedule = None  # callable(method, path) -> a fault kind or None
        self.slow_for = 3.0
        self.faults_done: Counter[str] = Counter()
        self.writes: list[tuple[str, str, object]] = []
        self.queries: list[dict] = []  # the searches' parameters
        self.lock = threading.Lock()
        self._next_article = 1000
        self._next_history = 1
        self.httpd: ThreadingHTTPServer | None = None
        self.port = 0
        self.start()

    # --- the server ---

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        server = self

        class Handler(_Handler):
            zammad = server

        ThreadingHTTPServer.allow_reuse_address = True
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def fail_on(self, path: str, status: int, times: int = 1) -> None:
        """The next ``times`` requests of ``path`` get ``status``."""
        self.path_faults.setdefault(path, []).extend([status] * times)

    def fail_next(self, status: int, times: int = 1, headers=None, body=None) -> None:
        for _ in range(times):
            self.faults.append((status, headers or {}, body or {"error": f"HTTP {status}"}))

    def inject(self, kind: str, path: str = "", times: int = 1) -> None:
        """The next ``times`` requests whose path starts with ``path`` go wrong by ``kind``."""
        assert kind in FAULT_KINDS, kind
        with self.lock:
            self.injected.extend([(path, kind)] * times)

    def fault_for(self, method: str, path: str) -> str | None:
        with self.lock:
            found = [n for n, (prefix, _) in enumerate(self.injected) if path.startswith(prefix)]
            if found:
                kind = self.injected.pop(found[0])[1]
            else:
                kind = self.schedule(method, path) if self.schedule else None
            if kind:
                self.faults_done[kind] += 1
            return kind

    # --- the helpdesk's data ---

    def add_ticket(
        self,
        ticket_id: int,
        *,
        number: int,
        title: str = "Order 787556",
        group: str = "DMSU",
        state: str = "new",
        priority: str = "urgent",
        created: datetime,
        customer: str = "samuel@example.com",
        **fields,
    ) -> dict:
        ticket = deepcopy(DOC_TICKET)
        ticket.update(
            id=ticket_id,
            number=str(number),
            title=title,
            group=group,
            state=state,
            priority=priority,
            customer=customer,
            created_by=customer,
            created_at=iso(created),
            updated_at=iso(created),
            article_ids=[],
            article_count=0,
        )
        ticket.update(fields)
        with self.lock:
            self.tickets[ticket_id] = ticket
            self.articles[ticket_id] = []
            self.histories[ticket_id] = [
                self._history(ticket_id, "created", "", "", "", created, 7)
            ]
        return ticket

    def _history(self, ticket_id, kind, attribute, before, after, at, by) -> dict:
        entry = {
            "id": self._next_history,
            "o_id": ticket_id,
            "object": "Ticket",
            "type": kind,
            "attribute": attribute,
            "value_from": before,
            "value_to": after,
            "id_from": None,
            "id_to": None,
            "created_by_id": by,
            "created_at": iso(at),
        }
        self._next_history += 1
        return entry

    def change(self, ticket_id: int, at: datetime, by: int = 4, **changes) -> None:
        """Change attributes (group, state, priority, a custom field) as an agent would."""
        with self.lock:
            ticket = self.tickets[ticket_id]
            for name, value in changes.items():
                self.histories[ticket_id].append(
                    self._history(ticket_id, "updated", name, ticket.get(name), value, at, by)
                )
                ticket[name] = value
            ticket["updated_at"] = iso(at)
            ticket["updated_by_id"] = by

    def add_article(
        self, ticket_id: int, at: datetime, body: str, *, internal=False, sender="Agent", by=4
    ) -> dict:
        with self.lock:
            return self._add_article(ticket_id, at, body, internal, sender, by)

    def _add_article(self, ticket_id, at, body, internal, sender, by) -> dict:
        article = deepcopy(DOC_ARTICLE)
        self._next_article += 1
        article.update(
            id=self._next_article,
            ticket_id=ticket_id,
            body=body,
            content_type="text/html",
            internal=internal,
            sender=sender,
            created_by_id=by,
            created_at=iso(at),
            updated_at=iso(at),
        )
        self.articles[ticket_id].append(article)
        ticket = self.tickets[ticket_id]
        ticket["article_ids"].append(article["id"])
        ticket["article_count"] += 1
        if parse(ticket["updated_at"]) < at:
            ticket["updated_at"] = iso(at)
        return article

    def tag(self, ticket_id: int, name: str, at: datetime, *, added=True, by: int = 4) -> None:
        """Add or remove a tag as an agent would (recorded in the history as Zammad does)."""
        with self.lock:
            self._tag_locked(ticket_id, name, added, at, by)

    def _tag_locked(self, ticket_id, name, added, at, by) -> None:
        tags = self.tickets[ticket_id].setdefault("tags", [])
        if added and name not in tags:
            tags.append(name)
        elif not added and name in tags:
            tags.remove(name)
        kind = "added" if added else "removed"
        self.histories[ticket_id].append(self._history(ticket_id, kind, "tag", None, name, at, by))
        self.tickets[ticket_id]["updated_at"] = iso(at)

    def _tag(self, added: bool, body: dict):
        """POST /api/v1/tags/add, DELETE /api/v1/tags/remove (api/ticket/tags.rst): ``true``."""
        ticket_id = int(body.get("o_id") or 0)
        if ticket_id not in self.tickets:
            return 422, {}, {"error": "o_id is invalid"}
        self._tag_locked(
            ticket_id, str(body.get("item")), added, datetime.now(UTC), CONNECTOR_USER_ID
        )
        return 201, {}, True

    def delete(self, ticket_id: int) -> None:
        with self.lock:
            self.tickets.pop(ticket_id, None)

    # --- answers ---

    def answer(self, method: str, path: str, query: dict, body) -> tuple[int, dict, object]:
        with self.lock:
            self.requests.append((method, path))
            if self.faults:
                return self.faults.pop(0)
            if self.path_faults.get(path):
                status = self.path_faults[path].pop(0)
                return status, {}, {"error": f"HTTP {status}"}
            sent = deepcopy(body)
            status, headers, answer = self._route(method, path, query, body)
            if method != "GET" and status < 300:
                self.writes.append((method, path, sent))
            return status, headers, answer

    def _route(self, method, path, query, body):
        if method == "GET" and path == "/api/v1/users/me":
            return 200, {}, {"id": CONNECTOR_USER_ID, "login": "dmsu-connector", "active": True}
        if method == "GET" and path == "/api/v1/tickets/search":
            return 200, {}, self._search(query)
        match = re.fullmatch(r"/api/v1/tickets/(\d+)", path)
        if match:
            ticket_id = int(match.group(1))
            if ticket_id not in self.tickets:
                return 404, {}, {"error": f"Couldn't find Ticket with 'id'={ticket_id}"}
            if method == "GET":
                return 200, {}, deepcopy(self.tickets[ticket_id])
            if method == "PUT":
                return self._update(ticket_id, body or {})
        match = re.fullmatch(r"/api/v1/ticket_articles/by_ticket/(\d+)", path)
        if match and method == "GET":
            ticket_id = int(match.group(1))
            if ticket_id not in self.tickets:
                return 404, {}, {"error": "Not authorized"}
            return 200, {}, deepcopy(self.articles[ticket_id])
        match = re.fullmatch(r"/api/v1/ticket_history/(\d+)", path)
        if match and method == "GET":
            ticket_id = int(match.group(1))
            if ticket_id not in self.tickets:
                return 404, {}, {"error": "Not authorized"}
            ticket = self.tickets[ticket_id]
            return (
                200,
                {},
                {
                    "history": deepcopy(self.histories[ticket_id]),
                    "assets": {"Ticket": {str(ticket_id): deepcopy(ticket)}},
                },
            )
        if method == "POST" and path == "/api/v1/ticket_articles":
            return self._post_article(body or {})
        if path in ("/api/v1/tags/add", "/api/v1/tags/remove") and method in ("POST", "DELETE"):
            return self._tag(path.endswith("add"), body or {})
        return 404, {}, {"error": "No route matches"}

    def _search(self, query: dict) -> list[dict]:
        self.queries.append(query)
        text = query.get("query", ["*"])[0]
        since = None
        found = re.fullmatch(r"updated_at:>=(\S+)", text)
        if found:
            since = parse(found.group(1))
        rows = [
            t for t in self.tickets.values() if since is None or parse(t["updated_at"]) >= since
        ]
        rows.sort(key=lambda t: (t["updated_at"], t["id"]))
        page = int(query.get("page", ["1"])[0])
        per_page = int(query.get("per_page", ["50"])[0])
        return deepcopy(rows[(page - 1) * per_page : page * per_page])

    def _update(self, ticket_id: int, body: dict):
        if ticket_id in self.refuse:
            return (
                422,
                {},
                {
                    "error": "Invalid state transition",
                    "error_human": "The state cannot be changed from closed",
                },
            )
        article = body.pop("article", None)
        now = datetime.now(UTC)
        ticket = self.tickets[ticket_id]
        for name, value in body.items():
            self.histories[ticket_id].append(
                self._history(ticket_id, "updated", name, ticket.get(name), value, now,
                              CONNECTOR_USER_ID)
            )  # fmt: skip
            ticket[name] = value
        ticket["updated_at"] = iso(now)
        if article:
            self._add_article(ticket_id, now, article.get("body", ""),
                              bool(article.get("internal")), "Agent", CONNECTOR_USER_ID)  # fmt: skip
        return 200, {}, deepcopy(ticket)

    def _post_article(self, body: dict):
        ticket_id = int(body.get("ticket_id") or 0)
        if ticket_id in self.refuse:
            return 422, {}, {"error": "Ticket is closed"}
        if ticket_id not in self.tickets:
            return 422, {}, {"error": "ticket_id is invalid"}
        article = self._add_article(ticket_id, datetime.now(UTC), body.get("body", ""),
                                    bool(body.get("internal")), "Agent", CONNECTOR_USER_ID)  # fmt: skip
        return 201, {}, deepcopy(article)


class _Handler(BaseHTTPRequestHandler):
    zammad: ZammadServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # headers and body leave in two writes: without this each answer waits for the
        # client's delayed ACK (about 40 ms on Linux)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args) -> None:  # quiet
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.zammad.delay:
            time.sleep(self.zammad.delay)
        url = urlparse(self.path)
        if self.headers.get("Authorization") != f"Token token={TOKEN}":
            status, headers, body = 401, {}, {"error": "authentication failed"}
            fault = None
        else:
            fault = self.zammad.fault_for(self.command, url.path)
            if fault in ("5xx", "429"):
                with self.zammad.lock:
                    self.zammad.requests.append((self.command, url.path))
                status = 429 if fault == "429" else random.choice((500, 502, 503))
                headers = {"Retry-After": "1"} if fault == "429" else {}
                body = {"error": f"HTTP {status}"}
            else:
                body_in = json.loads(raw) if raw else None
                status, headers, body = self.zammad.answer(
                    self.command, url.path, parse_qs(url.query), body_in
                )
        late = self.zammad.late.pop(url.path, 0)
        if late:
            time.sleep(late)
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        kind = "application/json; charset=utf-8"
        if fault and fault.startswith("garbage"):
            status, data, kind = 200, *_garbage(fault, data)
        if fault == "slow":
            time.sleep(self.zammad.slow_for)
        if fault == "lost":
            self.close_connection = True
            return
        try:
            self._send(status, kind, headers, data, fault)
        except OSError:  # the client gave up first (its timeout): nobody to answer
            self.close_connection = True

    def _send(self, status, kind, headers, data, fault) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if fault == "cut":
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = _handle


def _garbage(kind: str, data: bytes) -> tuple[bytes, str]:
    """A 200 that is not the answer: JSON cut short, a proxy's HTML page, or JSON of another
    shape (a list where an object belongs, an object where a list belongs)."""
    if kind == "garbage-truncated":
        return data[: max(1, len(data) // 2)], "application/json; charset=utf-8"
    if kind == "garbage-html":
        page = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
        return page, "text/html"
    shaped = json.loads(data) if data else None
    other = {"result": "ok"} if isinstance(shaped, list) else [{"result": "ok"}]
    return json.dumps(other).encode(), "application/json; charset=utf-8"


def at(minutes: float, start=datetime(2025, 3, 3, 9, 0, tzinfo=UTC)) -> datetime:
    """An instant ``minutes`` after a Monday morning of 2025 (tests' and bench's clock)."""
    return start + timedelta(minutes=minutes)


@pytest.fixture
def zammad():
    """A fresh helpdesk on loopback for one test (stopped at its end)."""
    server = ZammadServer()
    yield server
    server.stop()


@pytest.fixture
def zammad_config(zammad) -> dict:
    """The DMSU_ZAMMAD_* settings that point the app at ``zammad``."""
    return {
        "DMSU_ZAMMAD_URL": zammad.url,
        "DMSU_ZAMMAD_TOKEN": TOKEN,
        "DMSU_ZAMMAD_TIMEOUT": 2,
        "DMSU_ZAMMAD_PER_PAGE": 2,
        "DMSU_ZAMMAD_WEBHOOK_SECRET": "webhook-secret-for-tests",
    }
