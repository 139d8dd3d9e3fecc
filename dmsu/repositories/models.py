"""The repositories area's tables."""

from __future__ import annotations

# Every table of this area in dependency order, gathered by :mod:`dmsu.models`.
TABLES: list = []
