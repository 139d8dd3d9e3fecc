"""The EGI helpdesk (GGUS on Zammad), spoken to through Zammad's REST API ``/api/v1``.

One small module over ``requests``: token authentication (``Authorization: Token
token=...``, as Zammad's API introduction documents), pagination by ``page``/``per_page``
(Zammad gives no total count, so pages are read until one comes back short), and every
failure — refused token (401), no right (403), no such object (404), a refused change (422),
too many requests (429, waited out once when its ``Retry-After`` is short), a server error
(5xx), a timeout, no connection, an answer that is not JSON or not of the shape Zammad
documents (a proxy's page, a body cut short, a list where a ticket belongs) — becomes one
:class:`HelpdeskError` whose message is one sentence for a person. Callers record nothing of
a read that failed.

Settings: ``DMSU_ZAMMAD_URL`` (e.g. ``https://helpdesk.ggus.eu``), ``DMSU_ZAMMAD_TOKEN``,
``DMSU_ZAMMAD_TIMEOUT`` (seconds), ``DMSU_ZAMMAD_PER_PAGE``, ``DMSU_ZAMMAD_CONCURRENCY``
(tickets whose articles and history are read at once).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
import urllib3

from dmsu.core import jsontext

# A 429 whose Retry-After is at most this many seconds is waited out once; a longer one is
# reported (the job runs again later).
MAX_RETRY_WAIT = 5.0


class HelpdeskError(Exception):
    """The helpdesk could not do what was asked; the message is one sentence for a person.

    ``status`` is the HTTP status (None when there was no answer); ``retry_after`` the seconds
    a 429 asked to wait; ``transient`` whether trying again later may succeed (no answer,
    timeouts, 429, 5xx, and a 2xx whose answer could not be read) rather than the helpdesk
    refusing this request itself."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float = 0,
        unreadable: bool = False,
    ):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.unreadable = unreadable

    @property
    def transient(self) -> bool:
        return self.unreadable or self.status is None or self.status == 429 or self.status >= 500

    @property
    def not_found(self) -> bool:
        return self.status == 404


@dataclass(frozen=True)
class ZammadSettings:
    url: str
    token: str = ""
    timeout: float = 10
    per_page: int = 100
    concurrency: int = 4  # tickets read at once

    @classmethod
    def from_config(cls, config) -> ZammadSettings:
        return cls(
            url=str(config.get("DMSU_ZAMMAD_URL") or "").strip().rstrip("/"),
            token=str(config.get("DMSU_ZAMMAD_TOKEN") or ""),
            timeout=float(config.get("DMSU_ZAMMAD_TIMEOUT") or 10),
            per_page=int(config.get("DMSU_ZAMMAD_PER_PAGE") or 100),
            concurrency=int(config.get("DMSU_ZAMMAD_CONCURRENCY") or 4),
        )

    @property
    def configured(self) -> bool:
        """The connector works when the helpdesk's address and a token are set."""
        return bool(self.url and self.token)


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, float(value or 0))
    except ValueError:
        return 0.0


class ZammadClient:
    """The few calls the connector makes."""

    def __init__(self, settings: ZammadSettings, session: requests.Session | None = None):
        if not settings.configured:
            raise HelpdeskError(
                "The helpdesk is not configured (DMSU_ZAMMAD_URL and DMSU_ZAMMAD_TOKEN)."
            )
        self.settings = settings
        self.session = session or requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Token token={settings.token}",
                "Accept": "application/json",
                "User-Agent": "dmsu-desk helpdesk connector",
            }
        )

    def copy(self) -> ZammadClient:
        """A client with the same settings and a connection of its own (for another thread:
        a ``requests.Session`` is not shared between threads)."""
        return ZammadClient(self.settings)

    # --- the one request path ---

    def request(self, method: str, path: str, *, params=None, body=None, doing: str = ""):
        """One call; its JSON answer, or :class:`HelpdeskError`."""
        doing = doing or f"{method} {path}"
        for attempt in (1, 2):
            response = self._send(method, path, params, body, doing)
            if response.status_code == 429:
                wait = _retry_after(response.headers.get("Retry-After"))
                if attempt == 1 and wait <= MAX_RETRY_WAIT:
                    time.sleep(wait)
                    continue
                raise HelpdeskError(
                    f"The helpdesk asked to wait {wait:g} s before more requests (HTTP 429)",
                    status=429,
                    retry_after=wait,
                )
            return self._answer(response, doing)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method, path, params, body, doing) -> requests.Response:
        url = f"{self.settings.url}{path}"
        try:
            return self.session.request(
                method, url, params=params, json=body, timeout=self.settings.timeout
            )
        except requests.Timeout:
            raise HelpdeskError(
                f"The helpdesk did not answer within {self.settings.timeout:g} s ({doing})"
            ) from None
        except requests.ConnectionError as exc:
            if _dropped(exc):  # the request went out; the helpdesk closed without answering
                raise HelpdeskError(
                    f"The helpdesk closed the connection without answering ({doing})"
                ) from None
            raise HelpdeskError(
                f"The helpdesk at {self.settings.url} could not be reached ({doing})"
            ) from None
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
            raise HelpdeskError(
                f"The helpdesk's answer to {doing} broke off before its end"
            ) from None
        except requests.RequestException as exc:
            raise HelpdeskError(
                f"The request to the helpdesk failed ({type(exc).__name__})"
            ) from None

    @staticmethod
    def _answer(response: requests.Response, doing: str):
        code = response.status_code
        if code == 401:
            raise HelpdeskError("The helpdesk refused the token (HTTP 401)", status=401)
        if code == 403:
            raise HelpdeskError(f"The helpdesk gave no right to {doing} (HTTP 403)", status=403)
        if code == 404:
            raise HelpdeskError(f"The helpdesk has no such object ({doing}, HTTP 404)", status=404)
        if 400 <= code < 500:
            raise HelpdeskError(
                f"The helpdesk refused to {doing}: {_reason(response)} (HTTP {code})", status=code
            )
        if code >= 500:
            raise HelpdeskError(f"The helpdesk failed with HTTP {code} ({doing})", status=code)
        if not response.content:
            return None
        try:
            answer = response.json()
        except ValueError:
            # a 2xx whose body is cut short or is a proxy's page: the request may well have
            # been done, so this is for trying again (a write looks first: outbox), not a refusal
            raise HelpdeskError(
                f"The helpdesk's answer to {doing} could not be read (not JSON)",
                status=code,
                unreadable=True,
            ) from None
        if jsontext.may_hold_lone_surrogate(response.text):  # a mail it could not decode
            answer = jsontext.with_lone_surrogates_replaced(answer)
        return answer

    # --- reading ---

    def me(self) -> dict:
        """The helpdesk account the token belongs to (its changes are the connector's own)."""
        doing = "read the connector's account"
        return _shaped(self.request("GET", "/api/v1/users/me", doing=doing), dict, ("id",), doing)

    def tickets_updated_since(self, since: datetime | None):
        """Yield pages (lists of expanded tickets) changed at or after ``since``, oldest first.

        Each page after the first starts at the newest change of the page before, not at an
        offset: Zammad pages a search by offset, so a ticket changed while the poll reads
        moves to the end, and the ticket after the page boundary would slide into a page
        already read and be passed over for good (the cursor moves past it). Tickets already
        yielded with the same ``updated_at`` are left out; when a page brings nothing newer
        (more tickets changed in one millisecond than a page holds) the next goes by offset.
        """
        doing = "search the changed tickets"
        page, seen = 1, set()
        while True:
            query = f"updated_at:>={_search_time(since)}" if since else "*"
            answer = self.request(
                "GET",
                "/api/v1/tickets/search",
                params={
                    "query": query,
                    "sort_by": "updated_at",
                    "order_by": "asc",
                    "expand": "true",
                    "page": page,
                    "per_page": self.settings.per_page,
                },
                doing=doing,
            )
            tickets = _search_tickets(answer, doing)
            fresh = [t for t in tickets if (t["id"], t["updated_at"]) not in seen]
            if fresh:
                yield fresh
            if len(tickets) < self.settings.per_page:
                return
            seen.update((t["id"], t["updated_at"]) for t in tickets)
            newest = max(_time(t["updated_at"]) for t in tickets)
            if since is not None and newest <= since:
                page += 1
            else:
                since, page = newest, 1

    def ticket(self, ticket_id: int) -> dict:
        doing = f"read ticket {ticket_id}"
        answer = self.request(
            "GET", f"/api/v1/tickets/{int(ticket_id)}", params={"expand": "true"}, doing=doing
        )
        return _shaped(answer, dict, TICKET_KEYS, doing)

    def articles(self, ticket_id: int) -> list[dict]:
        doing = f"read the articles of ticket {ticket_id}"
        answer = self.request(
            "GET",
            f"/api/v1/ticket_articles/by_ticket/{int(ticket_id)}",
            params={"expand": "true"},
            doing=doing,
        )
        return [
            _shaped(a, dict, ("created_at",), doing) for a in _shaped(answer or [], list, (), doing)
        ]

    def history(self, ticket_id: int) -> list[dict]:
        doing = f"read the history of ticket {ticket_id}"
        answer = self.request("GET", f"/api/v1/ticket_history/{int(ticket_id)}", doing=doing)
        entries = _shaped(_shaped(answer or {}, dict, (), doing).get("history") or [], list, (),
                          doing)  # fmt: skip
        return [_shaped(h, dict, ("created_at",), doing) for h in entries]

    # --- writing ---

    def update_ticket(self, ticket_id: int, changes: dict) -> dict:
        return self.request(
            "PUT",
            f"/api/v1/tickets/{int(ticket_id)}",
            body=changes,
            doing=f"update ticket {ticket_id}",
        )

    def add_article(self, article: dict) -> dict:
        return self.request("POST", "/api/v1/ticket_articles", body=article, doing="add an article")


# what the connector reads of each ticket (api/intro.rst's expanded ticket has them all)
TICKET_KEYS = ("id", "created_at", "updated_at")


def _shaped(value, kind: type, keys=(), doing: str = ""):
    """``value`` when it is a ``kind`` (with ``keys``, and a time in each ``*_at`` of them);
    otherwise the answer is garbage for the connector: one sentence, to be tried again."""
    fine = isinstance(value, kind) and all(value.get(k) is not None for k in keys)
    if fine:
        try:
            [_time(value[k]) for k in keys if k.endswith("_at")]
            int(value["id"]) if "id" in keys else None
        except (TypeError, ValueError):
            fine = False
    if not fine:
        raise HelpdeskError(
            f"The helpdesk's answer to {doing} could not be read (not the shape Zammad documents)",
            status=200,
            unreadable=True,
        )
    return value


def _dropped(exc: requests.ConnectionError) -> bool:
    """A connection closed after the request was sent (not one refused or never opened)."""
    cause = exc.args[0] if exc.args else None
    return isinstance(cause, urllib3.exceptions.ProtocolError)


def _time(value) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _search_time(at: datetime) -> str:
    """An instant as the search's ``updated_at:>=`` takes it (UTC, to the millisecond)."""
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _search_tickets(answer, doing: str) -> list[dict]:
    """Zammad's search answers a list of tickets with ``expand=true``, otherwise ids in
    ``tickets`` and the tickets themselves in ``assets.Ticket`` (both documented)."""
    if isinstance(answer, dict) and isinstance(answer.get("tickets"), list):
        assets = (answer.get("assets") or {}).get("Ticket") or {}
        answer = [assets[str(i)] for i in answer["tickets"] if str(i) in assets]
    return [_shaped(t, dict, TICKET_KEYS, doing) for t in _shaped(answer, list, (), doing)]


def _reason(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return (response.text or "no reason given").strip().splitlines()[0][:200] or "no reason"
    if isinstance(data, dict):
        return str(data.get("error_human") or data.get("error") or data)[:200]
    return str(data)[:200]
