"""The forums area's pages."""

from __future__ import annotations

from dmsu.forums.blueprint import bp  # noqa: F401
