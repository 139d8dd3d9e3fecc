"""What a broad-impact ticket shows the public, checked before it is shown.

Seed 001, "Feedback to EGI Operations": the broad-impact problems go to the public operations
digest with their "symptoms, impact, and possible workarounds". A ticket marked broad impact
is shown there at once, as public text (:func:`dmsu.core.publictext.public_text`); what a person
types into its impact or workaround, or sends through the API, is checked for what still looks
personal (a name the site knows as a submitter's, an address or a telephone number the public
text did not recognise), so that they confirm or edit first. What was already public is not
asked about again.
"""

from __future__ import annotations

from dmsu.core.publictext import Finding, LooksPersonal, People, findings, public_text
from dmsu.tickets.people import known_submitters, people_of

PUBLIC_FIELDS = ("subject", "description", "impact", "workaround")


def _shown(texts: dict[str, str], people: People) -> list[str]:
    return [public_text(texts.get(name) or "", people) for name in PUBLIC_FIELDS]


def made_public(
    new: dict[str, str], people: People, before: dict[str, str] | None = None
) -> list[Finding]:
    """What looks personal in the public text of ``new`` and was not public ``before``."""
    found = findings(_shown(new, people), people, known=known_submitters)
    if before is not None and found:
        seen = set(findings(_shown(before, people), people, known=known_submitters))
        found = [f for f in found if f not in seen]
    return found


def ticket_texts(ticket) -> dict[str, str]:
    return {name: getattr(ticket, name) or "" for name in PUBLIC_FIELDS}


def check_fields(ticket, *, broad_impact: bool, impact: str, workaround: str) -> None:
    """Raise :class:`LooksPersonal` when saving these fields of ``ticket`` would show the
    public something personal (nothing is public unless the ticket is of broad impact)."""
    if not broad_impact:
        return
    new = {**ticket_texts(ticket), "impact": impact, "workaround": workaround}
    before = ticket_texts(ticket) if ticket.broad_impact else None
    found = made_public(new, people_of(ticket), before)
    if found:
        raise LooksPersonal(found)
