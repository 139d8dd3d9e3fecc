"""Demo data of the forums area."""

from __future__ import annotations


def load(ctx) -> str:
    return "Forums: no demo data."
