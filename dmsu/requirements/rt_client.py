"""The EGI RT requirements queue, spoken to through RT's REST2 API (the ``rt`` package).

Settings: ``DMSU_RT_URL`` (RT's web address, e.g. ``https://rt.egi.eu/rt``), either
``DMSU_RT_TOKEN`` (an RT auth token) or ``DMSU_RT_USER`` / ``DMSU_RT_PASSWORD`` (basic auth,
which the REST2 of RT 5.0.3 always accepts), ``DMSU_RT_QUEUE``, ``DMSU_RT_TAG_FIELD`` (the
custom field holding the tag) and ``DMSU_RT_TIMEOUT`` (seconds).

Every failure of RT — refused, unreachable, too slow, a 4xx/5xx answer — becomes one
:class:`RtError` whose message is one sentence for the user, so that callers can leave the
requirement unchanged and say why.

Two faults of ``rt`` 3.8.1 are avoided: its ``search(CF_Tag=...)`` builds a malformed query (a
raw TicketSQL query is used instead) and ``get_links()`` omits external links (they are read
from the ticket's ``_hyperlinks``).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx2
import rt.exceptions
from rt.rest2 import Rt

DMSU_TAG = "DMSU"


class RtError(Exception):
    """RT could not do what was asked; the message is one sentence for the user."""


@dataclass(frozen=True)
class RtSettings:
    url: str
    token: str = ""
    user: str = ""
    password: str = ""
    queue: str = "Requirements"
    tag_field: str = "Tag"
    timeout: float = 10

    @classmethod
    def from_config(cls, config) -> RtSettings:
        return cls(
            url=str(config.get("DMSU_RT_URL") or "").strip().rstrip("/"),
            token=str(config.get("DMSU_RT_TOKEN") or ""),
            user=str(config.get("DMSU_RT_USER") or ""),
            password=str(config.get("DMSU_RT_PASSWORD") or ""),
            queue=str(config.get("DMSU_RT_QUEUE") or "Requirements"),
            tag_field=str(config.get("DMSU_RT_TAG_FIELD") or "Tag"),
            timeout=float(config.get("DMSU_RT_TIMEOUT") or 10),
        )

    @property
    def configured(self) -> bool:
        """RT is used when its address and a credential (token or user) are set."""
        return bool(self.url and (self.token or self.user))

    def ticket_url(self, rt_id: int) -> str:
        return ticket_url(self.url, rt_id)


def ticket_url(base_url: str, rt_id: int) -> str:
    """The page of RT ticket ``rt_id`` in RT's web interface."""
    return f"{base_url.rstrip('/')}/Ticket/Display.html?id={int(rt_id)}"


def _seconds(value: float) -> str:
    return f"{value:g} s"


class RtClient:
    """The few REST2 calls the requirements log makes, with failures turned into RtError."""

    def __init__(self, settings: RtSettings):
        if not settings.configured:
            raise RtError("RT is not configured (DMSU_RT_URL and a token or user are needed).")
        self.settings = settings
        try:
            self.api = Rt(
                f"{settings.url}/REST/2.0/",
                http_auth=(settings.user, settings.password) if not settings.token else None,
                token=settings.token or None,
                http_timeout=settings.timeout,
            )
        except ValueError:
            raise RtError(f"DMSU_RT_URL {settings.url!r} is not an RT address.") from None

    def _call(self, doing: str, func, *args, **kwargs):
        """Run one REST2 call; any failure becomes an :class:`RtError` naming what was done."""
        s = self.settings
        try:
            return func(*args, **kwargs)
        except (rt.exceptions.ConnectionError, ConnectionError) as exc:
            # rt 3.8.1 raises the built-in ConnectionError("...", cause) from the httpx error
            cause = getattr(exc, "cause", None) or exc.__cause__
            if isinstance(cause, httpx2.TimeoutException):
                raise RtError(f"RT did not answer within {_seconds(s.timeout)}") from None
            if isinstance(cause, httpx2.ConnectError):
                raise RtError(f"RT at {s.url} could not be reached ({_reason(cause)})") from None
            raise RtError(f"The connection to RT at {s.url} failed ({_reason(cause)})") from None
        except rt.exceptions.AuthorizationError:
            raise RtError("RT refused the credentials (HTTP 401)") from None
        except rt.exceptions.NotFoundError:
            raise RtError(f"RT answered that it has no such {doing} (HTTP 404)") from None
        except rt.exceptions.BadRequestError as exc:
            raise RtError(f"RT refused to {doing}: {_reason(exc)}") from None
        except rt.exceptions.UnexpectedResponseError as exc:
            code = exc.status_code or "unexpected"
            hint = " (no such queue, or no right to it)" if code == 403 else ""
            raise RtError(f"RT answered HTTP {code} when asked to {doing}{hint}") from None
        except rt.exceptions.RtError as exc:
            raise RtError(f"RT could not {doing}: {_reason(exc)}") from None
        except (httpx2.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise RtError(f"RT gave an answer that could not be read ({_reason(exc)})") from None

    def create_requirement_ticket(self, subject: str, content: str, refers_to: list[str]) -> int:
        """Create the counter-ticket in the requirements queue with the DMSU tag and the GGUS
        links, in ONE REST2 request (so RT never holds a half-made ticket); return its id."""
        s = self.settings
        fields = {"CustomFields": {s.tag_field: DMSU_TAG}}
        if refers_to:
            fields["RefersTo"] = list(refers_to)
        return int(
            self._call(
                f"create a ticket in queue {s.queue}",
                self.api.create_ticket,
                s.queue,
                subject=subject,
                content=content,
                **fields,
            )
        )

    def ticket(self, rt_id: int) -> dict:
        """The ticket as RT shows it: ``status``, ``queue``, ``tags``, ``refers_to``."""
        raw = self._call(f"ticket #{rt_id}", self.api.get_ticket, rt_id)
        return summarise(raw, self.settings.tag_field)

    def statuses(self, rt_ids: list[int]) -> dict[int, str]:
        """The status of each of ``rt_ids`` that RT still has, with one search per 50 ids."""
        found: dict[int, str] = {}
        ids = sorted({int(i) for i in rt_ids})
        for start in range(0, len(ids), 50):
            chunk = ids[start : start + 50]
            query = " OR ".join(f"id = {i}" for i in chunk)
            try:
                rows = self._call(
                    "search tickets",
                    lambda q=query: list(self.api.search(raw_query=q, query_format=["Status"])),
                )
            except RtError as exc:
                if "HTTP 404" not in str(exc):
                    raise
                rows = []  # rt 3.8.1 raises NotFoundError for an empty result page
            for row in rows:
                found[int(row["id"])] = str(row.get("Status", ""))
        return found


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def summarise(raw: dict, tag_field: str) -> dict:
    """The parts of a REST2 ticket the desk cares about."""
    queue = raw.get("Queue")
    tags: list[str] = []
    for field in raw.get("CustomFields") or []:
        if field.get("name") == tag_field:
            tags.extend(field.get("values") or [])
    refers_to = [
        link["_url"]
        for link in raw.get("_hyperlinks") or []
        if link.get("ref") == "refers-to" and link.get("type") == "external"
    ]
    return {
        "id": int(raw.get("id", 0)),
        "status": str(raw.get("Status", "")),
        "subject": str(raw.get("Subject", "")),
        "queue": queue.get("Name") if isinstance(queue, dict) else str(queue or ""),
        "tags": tags,
        "refers_to": refers_to,
    }
