"""Every configured source read once: the IMAP mailbox and the followed Bugzilla. One function
for the job, the ``forums-fetch`` command and the admin page's "Fetch now"; each source's
outcome (or its one sentence) is recorded on its row for the admin page either way."""

from __future__ import annotations

from dataclasses import dataclass

from dmsu.forums.bugzilla import BugzillaError, BugzillaSettings, follow
from dmsu.forums.imap_fetch import FetchError, ImapSettings, fetch_all


@dataclass(frozen=True)
class Run:
    configured: bool  # some source is set up
    failed: bool  # a source could not be read at all (its sentence is in ``text``)
    text: str


def fetch_sources(config) -> Run:
    said, failed = [], False
    settings = ImapSettings.from_config(config)
    if settings.configured:
        try:
            said.append(fetch_all(settings).summary())
        except FetchError as exc:
            failed = True
            said.append(f"Forums fetch failed: {exc} Nothing was fetched.")
    bugzilla = BugzillaSettings.from_config(config)
    if bugzilla.configured:
        try:
            said.append("Bugzilla: " + follow(bugzilla).summary())
        except BugzillaError as exc:
            failed = True
            said.append(f"Bugzilla failed: {exc}")
    if not said:
        return Run(False, False, "No forums mailbox or Bugzilla is configured; nothing to fetch.")
    return Run(True, failed, " ".join(said))
