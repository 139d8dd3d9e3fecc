"""The repositories area's jobs: scan the repositories every hour.

The scan is idempotent (it records only what is new since the previous scan), so a late or
repeated run is harmless.
"""

from __future__ import annotations

from flask import current_app

from dmsu.core.schedule import JobSpec


def scan_job(now) -> str:
    from dmsu.repositories.run import run_scan
    from dmsu.repositories.scan import summary
    from dmsu.repositories.sources import SourceError

    try:
        return summary(
            run_scan(current_app.config, at=now, trigger="job", file_root=current_app.instance_path)
        )
    except SourceError as exc:
        return f"The repository scan did not run: {exc}"


JOBS: list[JobSpec] = [
    JobSpec("scan-repositories", scan_job, {"trigger": "interval", "hours": 1}),
]
