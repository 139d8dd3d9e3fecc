"""The repositories area's jobs."""

from __future__ import annotations

from dmsu.core.schedule import JobSpec

JOBS: list[JobSpec] = []
