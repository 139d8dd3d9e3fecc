"""The forums area's jobs: fetch the lists' mail every 15 minutes.

The fetch is incremental by UIDVALIDITY/UID and commits whole batches, so a late, repeated or
interrupted run is harmless (:mod:`dmsu.forums.imap_fetch`).
"""

from __future__ import annotations

from flask import current_app

from dmsu.core.schedule import JobSpec


def fetch_forums(now) -> str:
    from dmsu.forums.imap_fetch import FetchError, ImapSettings, fetch_all

    settings = ImapSettings.from_config(current_app.config)
    if not settings.configured:
        return "No forums mailbox is configured; nothing to fetch."
    try:
        return fetch_all(settings).summary()
    except FetchError as exc:
        return f"Forums fetch failed: {exc} Nothing was fetched."


JOBS = [JobSpec("forums-fetch", fetch_forums, {"trigger": "interval", "minutes": 15})]
