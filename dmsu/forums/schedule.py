"""The forums area's jobs: fetch the lists' mail and the followed Bugzilla every 15 minutes.

Both are incremental (UIDVALIDITY/UID; Bugzilla's last_change_time) and commit whole batches
or bugs, so a late, repeated or interrupted run is harmless (:mod:`dmsu.forums.imap_fetch`,
:mod:`dmsu.forums.bugzilla`).
"""

from __future__ import annotations

from flask import current_app

from dmsu.core.schedule import JobSpec


def fetch_forums(now) -> str:
    from dmsu.forums.bugzilla import BugzillaError, BugzillaSettings, follow
    from dmsu.forums.imap_fetch import FetchError, ImapSettings, fetch_all

    said = []
    settings = ImapSettings.from_config(current_app.config)
    if settings.configured:
        try:
            said.append(fetch_all(settings).summary())
        except FetchError as exc:
            said.append(f"Forums fetch failed: {exc} Nothing was fetched.")
    bugzilla = BugzillaSettings.from_config(current_app.config)
    if bugzilla.configured:
        try:
            said.append("Bugzilla: " + follow(bugzilla).summary())
        except BugzillaError as exc:
            said.append(f"Bugzilla failed: {exc}")
    return " ".join(said) or "No forums mailbox or Bugzilla is configured; nothing to fetch."


JOBS = [JobSpec("forums-fetch", fetch_forums, {"trigger": "interval", "minutes": 15})]
