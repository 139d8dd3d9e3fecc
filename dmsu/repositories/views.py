"""The repositories area's pages."""

from __future__ import annotations

from dmsu.repositories.blueprint import bp  # noqa: F401
