"""Jobs of the requirements area: pull the RT status of linked requirements every hour.

The sync is idempotent (events only on change), so a late or repeated run is harmless.
"""

from __future__ import annotations

from flask import current_app

from dmsu.core.schedule import JobSpec


def sync_rt(now) -> str:
    from dmsu.requirements.rt_client import RtError, RtSettings
    from dmsu.requirements.rt_sync import sync_from_rt

    settings = RtSettings.from_config(current_app.config)
    if not settings.configured:
        return "RT is not configured; nothing to sync."
    try:
        return sync_from_rt(settings, at=now).summary()
    except RtError as exc:
        return f"RT sync failed: {exc}; no requirement was changed."


JOBS = [JobSpec("rt-sync", sync_rt, {"trigger": "interval", "hours": 1})]
