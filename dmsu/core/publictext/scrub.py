"""Turning a submitter's text into public text: the one function every drafting path uses."""

from __future__ import annotations

import re
from functools import lru_cache

import dmsu.core.publictext.contacts as contacts
import dmsu.core.publictext.letter as letter
from dmsu.core.publictext.names import NAME_REMOVED, People, titled_names, titled_spans


def public_text(text: str, people: People | None = None) -> str:
    """``text`` (a ticket's subject, description, impact or workaround, markdown or an HTML
    letter) as it may be shown to the public.

    HTML entities are decoded first (``&#64;``, ``&commat;``, ``&amp;#x40;``), so nothing
    hides behind them. Then go: quoted earlier messages and reply headers, the greeting, the
    sign-off and everything after it (the signature), e-mail addresses (also "name at cern dot
    ch"), telephone numbers, and the names of ``people`` (the ticket's submitter and the others
    of the ticket, see :func:`dmsu.tickets.people.people_of_tickets`), of whoever signed or
    was greeted, and of anyone written with a title ("Dr. Rossi"), wherever they appear.
    What is left — error messages, host names, versions, GGUS numbers — stays as written.
    """
    if not text or not text.strip():
        return ""
    return _public_text(text, people or People())


@lru_cache(maxsize=8192)
def _public_text(text: str, people: People) -> str:
    parts = letter.letter(text)
    body = parts.body
    written = contacts.emails_in(body)
    everyone = people | People.of(parts.names + titled_names(body), written)
    body = contacts.without_contacts(body)
    body = contacts.replaced(body, titled_spans(body), NAME_REMOVED)
    body = contacts.replaced(body, everyone.spans(body), NAME_REMOVED)
    return re.sub(r"\n{3,}", "\n\n", body).strip()


def without_people(text: str, people: People) -> str:
    """``text`` with the names and addresses of ``people`` replaced by placeholders: the last
    guard on text composed for the public (a published digest, its e-mail), whoever typed it."""
    if not text or not people:
        return text or ""
    spans = [span for address in people.addresses for span in _address_spans(text, address)]
    text = contacts.replaced(text, spans, contacts.EMAIL_REMOVED)
    return contacts.replaced(text, people.spans(text), NAME_REMOVED)


def _address_spans(text: str, address: str) -> list[tuple[int, int]]:
    local, _, domain = address.partition("@")
    if not domain:
        return []
    at = r"(?:@|%40|&#0*64;|&#[xX]0*40;|&commat;)"
    pattern = re.escape(local) + at + re.escape(domain)
    return [m.span() for m in re.finditer(pattern, text, re.I)]
