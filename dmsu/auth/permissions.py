"""Who may do what: one table of permissions by role, checked by the logic modules
(the workflow checks the actor's role itself; views only turn a refusal into a 403).

Seed 000: "it is only DMSU who can assign tickets to the 3rd line middeware support in GGUS
now" — hence ``ticket.assign_third_line`` is for assigners and admins only.
"""

from __future__ import annotations

STAFF = frozenset({"tpm", "resolver", "assigner", "admin"})
DMSU = frozenset({"resolver", "assigner", "admin"})
ASSIGNERS = frozenset({"assigner", "admin"})
ADMINS = frozenset({"admin"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "ticket.view": STAFF,
    "ticket.create": STAFF,
    "ticket.route_to_dmsu": STAFF,
    "ticket.comment": STAFF,
    "ticket.work": DMSU,
    "ticket.triage": STAFF,
    "ticket.assign_user": ASSIGNERS,
    "ticket.send_back_to_tpm": DMSU,
    "ticket.assign_third_line": ASSIGNERS,
    "ticket.record_eta": DMSU,
    "ticket.escalate": ASSIGNERS,
    "release.record": ASSIGNERS,
    "repositories.manage": ADMINS,
    "ticket.import": ADMINS,
    "cheatsheet.edit": ASSIGNERS,
    "cheatsheet.route": STAFF,
    "cheatsheet.history": STAFF,
    "wiki.read_internal": STAFF,
    "wiki.edit": DMSU,
    "digest.edit": ASSIGNERS,
    "digest.read_draft": STAFF,
    "requirement.view": STAFF,
    "requirement.edit": DMSU,
    "recommendation.edit": ASSIGNERS,
    "rota.edit": ADMINS,
    "users.manage": ADMINS,
    "outbox.read": ADMINS,
    "api_tokens.manage": ADMINS,
}


class PermissionDenied(Exception):
    """The actor's role does not allow the action; the message says so in one sentence."""


def can(user, permission: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", False):
        return False
    return user.role in PERMISSIONS[permission]


def require(user, permission: str, action: str | None = None) -> None:
    """Raise :class:`PermissionDenied` unless ``user`` may do ``permission``."""
    if not can(user, permission):
        roles = ", ".join(sorted(PERMISSIONS[permission]))
        what = action or permission.replace(".", ": ").replace("_", " ")
        raise PermissionDenied(f"Only these roles may {what}: {roles}.")
