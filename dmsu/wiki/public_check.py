"""The check before a wiki page's text becomes public: what in it looks personal.

Public pages are read by anyone, and their text reaches the wiki's feed; a solution digest
starts from a ticket, whose submitter must not be named there. What a save would make public
is checked: the whole page when it becomes public, and on a public page what is new in it
(what was already public has been seen and confirmed). The people looked for are the
submitters of the page's ticket and of the tickets it references (``#91039``), and anyone the
site knows as a submitter (:mod:`dmsu.tickets.people`).
"""

from __future__ import annotations

import re

from dmsu.core.publictext import Finding, LooksPersonal, findings
from dmsu.tickets.people import known_submitters, submitters_of, tickets_referenced

_TICKET_REF = re.compile(r"(?<![\w&])#(\d{3,9})\b")


def personal_findings(
    title: str, markdown: str, summary: str, ticket_id: int | None, previous: str | None = None
) -> list[Finding]:
    """What looks personal in a public page's new text (``previous``: its public text)."""
    ids = tickets_referenced(int(n) for n in _TICKET_REF.findall(markdown or ""))
    if ticket_id:
        ids.append(ticket_id)
    people = submitters_of(ids)
    found = findings([title, markdown, summary], people, known=known_submitters)
    if previous:
        seen = {f.value.lower() for f in findings(previous, people, known=known_submitters)}
        found = [f for f in found if f.value.lower() not in seen]
    return found


def check_public_page(
    title: str, markdown: str, summary: str, ticket_id: int | None, previous: str | None = None
) -> None:
    """Raise :class:`LooksPersonal` when the text a save makes public looks personal."""
    found = personal_findings(title, markdown, summary, ticket_id, previous)
    if found:
        raise LooksPersonal(found)
