"""Demo data of the helpdesk area."""

from __future__ import annotations


def load(ctx) -> str:
    return "Helpdesk: no demo data."
