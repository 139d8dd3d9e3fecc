"""A mail's text cut into what its writer wrote and what it quotes, for the thread view to fold
the quotes (``<details>``). The reply headers ("On ... wrote:", Outlook's "From: ... Sent:",
"-----Original Message-----") are ``mail-parser-reply``'s patterns as the site's public-text
module gathers them (:mod:`dmsu.core.publictext.letter`), not a second list.

List mail answers inline (quote, answer, quote, answer), so a quote is every run of ``>`` lines
with the reply header just above it; a top-posted reply's Outlook header folds the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailparser_reply.constants import GENERIC_MAIL_SEPARATOR

from dmsu.core.publictext.letter import QUOTED, REPLY_LINE

_OUTLOOK = re.compile(rf"(?:{GENERIC_MAIL_SEPARATOR})|^\s*From:\s.+", re.I)
_OUTLOOK_NEXT = re.compile(r"^\s*(?:Sent|Date|To|Subject):\s", re.I)


@dataclass(frozen=True)
class Segment:
    quoted: bool
    text: str

    @property
    def lines(self) -> int:
        return self.text.count("\n") + 1


def _outlook_at(lines: list[str], i: int) -> bool:
    if re.match(GENERIC_MAIL_SEPARATOR, lines[i].strip(), re.I):
        return True
    return bool(
        _OUTLOOK.match(lines[i]) and i + 1 < len(lines) and _OUTLOOK_NEXT.match(lines[i + 1])
    )


def segments(body: str) -> list[Segment]:
    """``body`` as alternating own and quoted segments, in order, nothing left out."""
    lines = (body or "").split("\n")
    kinds: list[bool] = [bool(QUOTED.match(line)) for line in lines]
    for i, line in enumerate(lines):
        if _outlook_at(lines, i):
            kinds[i:] = [True] * (len(lines) - i)
            break
        if REPLY_LINE.match(line.strip()) and (i + 1 >= len(lines) or _quote_follows(kinds, i)):
            kinds[i] = True
    result: list[Segment] = []
    for line, quoted in zip(lines, kinds, strict=True):
        if result and result[-1].quoted == quoted:
            result[-1] = Segment(quoted, result[-1].text + "\n" + line)
        else:
            result.append(Segment(quoted, line))
    return [s for s in result if s.text.strip() or not s.quoted]


def _quote_follows(kinds: list[bool], i: int) -> bool:
    """A reply header belongs to the quote when one of the next two lines is quoted."""
    return any(kinds[i + 1 : i + 3])
