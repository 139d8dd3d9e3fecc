"""Public text: what of a submitter's letter may reach a public page, a feed or an e-mail.

Seed 000: the weekly digests "are publicly available"; seed 001: the operations digests
document "symptoms, impact, and possible workarounds". Neither needs the submitter: their
greeting, sign-off, signature, name, e-mail address or telephone number, nor the names of the
other people in a ticket. One function, :func:`public_text`, makes public text of a submitter's
text for every drafting path (weekly digest, operations digest, solution-digest wiki pages and
so the feeds and the digest e-mail); :func:`findings` names what still looks personal in text
a person typed, so that publishing can ask them first.

The text parts (:mod:`.letter`, :mod:`.contacts`, :mod:`.names`, :mod:`.scrub`) are plain
functions of strings; :mod:`dmsu.tickets.people` reads who is named in a ticket from the database.
"""

from __future__ import annotations

from dmsu.core.publictext.check import Finding, LooksPersonal, findings
from dmsu.core.publictext.names import People
from dmsu.core.publictext.scrub import public_text, without_people

__all__ = ["Finding", "LooksPersonal", "People", "findings", "public_text", "without_people"]
