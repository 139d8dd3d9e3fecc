"""One scan as the job, the command and the page start it: the configured repositories added
first (``DMSU_REPOSITORIES``), the timeout from ``DMSU_REPOSITORY_TIMEOUT``, ``file://``
repositories read only inside the instance folder."""

from __future__ import annotations

from datetime import datetime

from dmsu.repositories import sources
from dmsu.repositories.models import RepositoryScan
from dmsu.repositories.scan import scan_repositories


def run_scan(
    config, *, at: datetime | None = None, trigger: str = "job", file_root: str | None = None
) -> RepositoryScan:
    """Scan with the app's settings; a bad ``DMSU_REPOSITORIES`` entry is a SourceError."""
    sources.add_configured(str(config.get("DMSU_REPOSITORIES") or ""))
    timeout = float(config.get("DMSU_REPOSITORY_TIMEOUT") or 30)
    return scan_repositories(at=at, trigger=trigger, timeout=timeout, file_root=file_root)
