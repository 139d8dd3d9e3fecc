"""The helpdesk area's pages."""

from __future__ import annotations

from dmsu.helpdesk.blueprint import bp  # noqa: F401
