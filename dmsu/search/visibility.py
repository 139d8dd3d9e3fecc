"""Who finds what: the audiences of the index a reader may search (ARCHITECTURE.md rule 2,
one visibility rule — the same line every area's ``visible_to`` draws: staff read internal
content, everyone else public content only)."""

from __future__ import annotations

from dmsu.auth.permissions import can
from dmsu.core.search.models import AUDIENCES


def audiences_for(user) -> tuple[str, ...]:
    return AUDIENCES if can(user, "wiki.read_internal") else ("public",)
