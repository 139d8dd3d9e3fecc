"""Roles in words: the one way a page shows an actor's role, a user's role or a unit's kind.

The stored words (``third_line``, ``tpm``, ``dmsu``…) are codes; people read "3rd line", "TPM",
"DMSU" (issue 18: the 3rd-line actor showed as the raw word "third_line"). The tickets
blueprint registers :func:`role_words` as the Jinja filter ``role_words``.
"""

from __future__ import annotations

ROLE_WORDS = {
    # actor roles of ticket events (dmsu.tickets.models.ACTOR_ROLES)
    "submitter": "submitter",
    "dmsu": "DMSU",
    "third_line": "3rd line",
    "tpm": "TPM",
    "system": "DMSU desk (automatic)",
    # users' roles (dmsu.auth.models.ROLES)
    "resolver": "resolver",
    "assigner": "assigner",
    "admin": "admin",
    # support units' kinds (dmsu.tickets.units.UNIT_KINDS)
    "first_line": "1st line",
    "umd_release": "UMD release",
}


def role_words(code) -> str:
    """``code`` in words; an unknown code is shown with spaces for its underscores."""
    text = str(code or "")
    return ROLE_WORDS.get(text, text.replace("_", " "))
