"""Scheduled jobs: thin wrappers over the areas' functions (DESIGN rule 5: jobs are idempotent)."""

from __future__ import annotations


def init_app(app) -> None:
    """Start the in-process scheduler when configured (``flask run`` in development)."""
