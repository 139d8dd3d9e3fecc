"""The forums area's jobs: fetch the lists' mail and the followed Bugzilla every 15 minutes.

Both are incremental (UIDVALIDITY/UID; Bugzilla's last_change_time) and commit whole batches
or bugs, so a late, repeated or interrupted run is harmless (:mod:`dmsu.forums.imap_fetch`,
:mod:`dmsu.forums.bugzilla`).
"""

from __future__ import annotations

from flask import current_app

from dmsu.core.schedule import JobSpec


def fetch_forums(now) -> str:
    from dmsu.forums.sources import fetch_sources

    return fetch_sources(current_app.config).text


JOBS = [JobSpec("forums-fetch", fetch_forums, {"trigger": "interval", "minutes": 15})]
