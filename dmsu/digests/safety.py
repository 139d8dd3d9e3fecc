"""Public-safe text: what may reach the public digest pages, the feed and the e-mail.

Issue 6: "Only public-safe text reaches public pages, the feed and e-mail: internal notes,
internal wiki content and submitters' e-mail addresses never appear." The digests take their
text from a ticket's public fields only (subject, description, impact, workaround, status) —
never from its comments or from wiki pages — and every e-mail address is taken out of the text
drafted from a ticket; on publication the submitters' addresses of the digest's tickets are
taken out of everything, including what the shift typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")
REMOVED = "[e-mail address removed]"


def without_emails(text: str) -> str:
    """``text`` with every e-mail address replaced by a placeholder."""
    return EMAIL.sub(REMOVED, text or "")


def without_addresses(text: str, addresses: Iterable[str]) -> str:
    """``text`` with each of ``addresses`` (case-insensitive) replaced by a placeholder."""
    for address in {a.strip() for a in addresses if a and a.strip()}:
        text = re.sub(re.escape(address), REMOVED, text, flags=re.IGNORECASE)
    return text
