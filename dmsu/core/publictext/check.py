"""What looks personal in text a person typed into something public, named so they can edit
it or confirm it: "This looks like a personal name: 'Mario Rossi'; an e-mail address: ...".

Text drafted by the site is already public text (:func:`dmsu.core.publictext.public_text`); this is
for what people write or paste over it: a digest's introduction and entries, a wiki page made
public. It names e-mail addresses and telephone numbers, the names in a greeting, a sign-off or
after a title, a signature delimiter, the names of the people given (a digest's submitters, a
page's ticket) and, through ``known``, any other name the site knows as a submitter's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import dmsu.core.publictext.contacts as contacts
import dmsu.core.publictext.letter as letter
from dmsu.core.publictext.names import People, titled_names

KINDS = {
    "name": "a personal name",
    "email": "an e-mail address",
    "phone": "a phone number",
    "signature": "a signature",
}
_WORD = re.compile(r"(?<![\w.@/-])[^\W\d_][\w'’-]*(?![\w@]|[.@/-]\w)")
MAX_CANDIDATES = 2000


@dataclass(frozen=True)
class Finding:
    kind: str  # one of KINDS
    value: str

    @property
    def message(self) -> str:
        return f"{KINDS[self.kind]}: '{self.value}'"


class LooksPersonal(Exception):
    """Text meant for the public looks personal; nothing was published. The person edits the
    text or confirms that it may be public."""

    def __init__(self, found: list[Finding]) -> None:
        self.findings = found
        super().__init__(
            "This looks personal — "
            + "; ".join(f.message for f in found)
            + ". Edit the text, or confirm that it may be public."
        )


def _candidates(text: str) -> set[str]:
    """Runs of two or three capitalised words ("Eva Horvath"), each also in pairs."""
    found: set[str] = set()
    run: list[str] = []
    last_end = -1
    for match in _WORD.finditer(text):
        word = match.group()
        capital = word[0].isupper() and not (len(word) > 1 and word.isupper())
        joined = run and text[last_end : match.start()].strip(" ") == ""
        if capital and (joined or not run):
            run.append(word)
        else:
            run = [word] if capital else []
        last_end = match.end()
        for size in (2, 3):
            if len(run) >= size:
                found.add(" ".join(run[-size:]))
        if len(found) >= MAX_CANDIDATES:
            break
    return found


def findings(
    texts: str | Iterable[str],
    people: People | None = None,
    known: Callable[[set[str]], set[str]] | None = None,
) -> list[Finding]:
    """What in ``texts`` looks like someone's personal data (nothing: an empty list)."""
    texts = [texts] if isinstance(texts, str) else list(texts)
    found: list[Finding] = []
    for raw in texts:
        if not raw or not raw.strip():
            continue
        text = letter.decode_entities(raw)
        found += [Finding("email", value) for value in contacts.emails_in(text)]
        found += [Finding("phone", value) for value in contacts.phones_in(text)]
        parts = letter.letter(text)
        names = parts.names + titled_names(text)
        if people:
            names += [text[s:e] for s, e in contacts.merged(people.spans(text))]
        if known is not None:
            candidates = _candidates(text)
            if candidates:
                lowered = {c.lower() for c in known(candidates)}
                names += [c for c in sorted(candidates) if c.lower() in lowered]
        found += [Finding("name", " ".join(name.split())) for name in names]
        found += [Finding("signature", line) for line in parts.signatures if line.strip("-_ ")]
    return list(dict.fromkeys(found))
