"""ARC Bugzilla followed through its REST API (issue 21, item 8; seed 001: "ARC Bugzilla is
also followed"): the bugs of the followed products become threads of the forums area, each
comment a message, so they are listed, linked, spawned and counted like list mail.

Bugzilla's own documentation (bugzilla/bugzilla, ``docs/en/rst/api/core/v1/bug.rst`` and
``comment.rst``): ``GET /rest/bug?product=&last_change_time=`` "searches for bugs that were
modified at this time or later"; ``GET /rest/bug/<id>/comment`` answers
``{"bugs": {"<id>": {"comments": [...]}}}``, comment ``count`` 0 being the description;
``general.rst``: errors are ``{"error": true, "message": ..., "code": ...}`` and the API key may
go in the ``X-BUGZILLA-API-KEY`` header. Plain HTTP from the standard library: no client library
is added for two GET calls.

A bug is a thread: its description is the first message (Message-ID ``bug-<id>@<host>``) and
every comment replies to it, so the one threading path holds them together. Each bug is one
transaction with the watermark (the bug's ``last_change_time``, bugs taken oldest change
first), so a run that dies midway has stored whole bugs only and goes on from there; a bug
read again is recognised comment by comment.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime

from dmsu.core import clock
from dmsu.core.db import write_transaction
from dmsu.forums.ingest import Result, index_threads
from dmsu.forums.models import ForumList, ForumMailbox
from dmsu.forums.parsing import Mail, normal_subject
from dmsu.forums.threads import store

FIELDS = "id,summary,product,component,status,creator,creation_time,last_change_time"
PAGE = 200


class BugzillaError(Exception):
    """Bugzilla could not be read; the message is one sentence."""


@dataclass(frozen=True)
class BugzillaSettings:
    url: str
    products: tuple[str, ...]
    api_key: str = ""
    timeout: float = 30

    @classmethod
    def from_config(cls, config) -> BugzillaSettings:
        products = str(config.get("DMSU_FORUMS_BUGZILLA_PRODUCTS") or "").split(",")
        return cls(
            url=str(config.get("DMSU_FORUMS_BUGZILLA_URL") or "").rstrip("/"),
            products=tuple(p.strip() for p in products if p.strip()),
            api_key=str(config.get("DMSU_FORUMS_BUGZILLA_API_KEY") or ""),
            timeout=float(config.get("DMSU_FORUMS_IMAP_TIMEOUT") or 30),
        )

    @property
    def configured(self) -> bool:
        return bool(self.url and self.products)

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.url).hostname or "bugzilla"


def _get(settings: BugzillaSettings, path: str, params: dict) -> dict:
    if urllib.parse.urlsplit(settings.url).scheme not in ("http", "https"):
        raise BugzillaError(f"The Bugzilla address {settings.url[:80]} must start with https://.")
    query = urllib.parse.urlencode(params)
    url = f"{settings.url}/rest/{path}?{query}"
    request = urllib.request.Request(url)  # noqa: S310 - http(s) only, checked above
    request.add_header("Accept", "application/json")
    if settings.api_key:
        request.add_header("X-BUGZILLA-API-KEY", settings.api_key)
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout) as answer:  # noqa: S310
            data = json.loads(answer.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        try:
            message = str(json.loads(exc.read().decode("utf-8")).get("message", "")).rstrip(".")
        except (ValueError, AttributeError):
            message = ""
        raise BugzillaError(
            f"Bugzilla at {settings.url} answered {exc.code} to {path}{': ' + message if message else ''}."
        ) from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise BugzillaError(f"Bugzilla at {settings.url} could not be reached ({exc}).") from None
    except ValueError:
        raise BugzillaError(f"Bugzilla at {settings.url} answered {path} with no JSON.") from None
    if isinstance(data, dict) and data.get("error"):
        reason = str(data.get("message") or "no reason given").rstrip(".")
        raise BugzillaError(f"Bugzilla refused {path}: {reason}.")
    return data


def _time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except (AttributeError, ValueError):
        return None


def forum_list_of(settings: BugzillaSettings) -> ForumList:
    """The "list" of a Bugzilla: its address is the Bugzilla's URL, which the cheat sheet's
    forums field may name (it takes list addresses and links)."""
    forum_list, _ = ForumList.get_or_create(
        address=settings.url.lower(), defaults={"name": f"Bugzilla {settings.host}"}
    )
    return forum_list


def _mails(settings: BugzillaSettings, bug: dict, comments: list[dict]) -> list[Mail]:
    root = f"bug-{bug['id']}@{settings.host}"
    subject = f"Bug {bug['id']} – {bug.get('summary', '')}"[:500]
    mails = []
    for comment in comments:
        if comment.get("is_private"):
            continue  # only the insider group sees them in Bugzilla; not copied here
        first = comment.get("count") == 0
        mails.append(
            Mail(
                message_id=root if first else f"bug-{bug['id']}.c{comment['id']}@{settings.host}",
                parent_id="" if first else root,
                references=[] if first else [root],
                subject=subject if first else f"Re: {subject}",
                norm_subject=normal_subject(subject),
                is_reply=not first,
                sender_name="",
                sender_address=str(comment.get("creator") or "")[:200],
                sent_at=_time(comment.get("creation_time") or comment.get("time") or ""),
                body=str(comment.get("text") or ""),
            )
        )
    return mails


def follow(settings: BugzillaSettings) -> Result:
    """New and changed bugs of every followed product, each recorded on its source row."""
    if not settings.configured:
        raise BugzillaError("No Bugzilla is followed (DMSU_FORUMS_BUGZILLA_URL and _PRODUCTS).")
    with write_transaction("forums"):
        forum_list = forum_list_of(settings)
    total = Result()
    for product in settings.products:
        name = f"bugzilla:{settings.url}/{product}"
        with write_transaction("forums"):
            row, _ = ForumMailbox.get_or_create(name=name)
        result = Result()
        try:
            _follow_product(settings, product, row, forum_list, result)
        except BugzillaError as exc:
            result.problem(str(exc))
            with write_transaction("forums"):
                ForumMailbox.update(
                    last_error=str(exc), error_at=clock.now(), last_result=result.summary()
                ).where(ForumMailbox.id == row.id).execute()
        else:
            with write_transaction("forums"):
                ForumMailbox.update(
                    fetched_at=clock.now(), last_result=result.summary(), last_error=""
                ).where(ForumMailbox.id == row.id).execute()
        total.add(result)
    return total


def _follow_product(settings, product: str, row, forum_list, result: Result) -> None:
    bugs: list[dict] = []
    offset = 0
    while True:
        params = {"product": product, "include_fields": FIELDS, "limit": PAGE, "offset": offset}
        if row.watermark:
            params["last_change_time"] = row.watermark
        page = _get(settings, "bug", params).get("bugs") or []
        bugs += page
        if len(page) < PAGE:
            break
        offset += PAGE
    bugs.sort(key=lambda b: (b.get("last_change_time") or "", b.get("id") or 0))
    for bug in bugs:
        answer = _get(settings, f"bug/{int(bug['id'])}/comment", {})
        comments = (answer.get("bugs") or {}).get(str(bug["id"]), {}).get("comments") or []
        with write_transaction("forums"):
            done = Result()
            for mail in _mails(settings, bug, comments):
                stored = store(mail, [forum_list])
                done.touched.update(stored.threads)
                if stored.outcome == "new":
                    done.new += 1
                else:
                    done.copies += 1
            index_threads(done)
            ForumMailbox.update(watermark=str(bug.get("last_change_time") or row.watermark)).where(
                ForumMailbox.id == row.id
            ).execute()
        result.add(done)
