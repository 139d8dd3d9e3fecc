"""Demo data of the repositories area."""

from __future__ import annotations


def load(ctx) -> str:
    return "Repositories: no demo data."
