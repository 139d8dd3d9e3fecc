"""The names of the people of a ticket, and taking them out of text.

A person is known by a full name ("Maria Rossi", from the ticket's submitter field, a user's
display name or a signature), by each part of it written as a name ("Rossi", "ROSSI"), and by
the name in their e-mail address ("maria.rossi@..." gives "Maria Rossi"; "mrossi@..." gives
the word "mrossi"). Role addresses ("grid-support@", "admin@") name nobody. Matching ignores
accents (a submitter field "Jan Novak" also finds "Novák") but never takes a part of a host
name, a path or an address ("rossi-pc.infn.it" keeps its "rossi").

A name after a title ("Dr. Rossi", "Ing. Jan Novák", "Herr Schmidt") is a name whoever it is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from dmsu.core.publictext.letter import NOT_NAMES, word_set

NAME_REMOVED = "[name removed]"
ROLE_WORDS = word_set(
    """admin admins administrator root info support helpdesk help grid gridadmin lcg egi ops
    operations noreply no reply contact team site service services sysadmin manager office
    mail postmaster webmaster security cert ca voms user users staff test dmsu ggus tpm"""
)
# A title, and the one to three capitalised words after it.
TITLED = re.compile(
    r"(?<![\w.])(?:(?:Dr|Dott|Dott\.ssa|Dr\.ssa|Ing|Mgr|Bc|RNDr|PhDr|MUDr|Prof|prof|Sig|Sig\.ra"
    r"|Dipl\.-Ing|in\u017c|dr hab)\.|(?:Dr|Prof|Mr|Mrs|Ms|Herrn|Herr|Frau|Pan|Pani|Panie|Pane)(?=\s))"
    r"(?:\s+(?:Dr|Ing|Mgr|Bc|Prof|RNDr|in\u017c)\.)*"
    r"\s+(?P<name>[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)?"
    r"(?:\s+[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)?){0,2})"
)
_AT = re.compile(r"@|%40|&#0*64;|&#[xX]0*40;|&commat;|\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+", re.I)
_FOLD = {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "s", "ı": "i"}


def fold(text: str) -> str:
    """``text`` without accents, one character for each character (so spans stay valid)."""
    if text.isascii():
        return text
    return "".join(_folded(ch) if ord(ch) > 127 else ch for ch in text)


@lru_cache(maxsize=4096)
def _folded(ch: str) -> str:
    if ch in _FOLD:
        return _FOLD[ch]
    base = unicodedata.normalize("NFD", ch)[0]
    return base if len(base.encode("utf-8")) <= len(ch.encode("utf-8")) else ch


def _is_name_word(word: str) -> bool:
    return len(word) >= 2 and word.lower() not in NOT_NAMES and word.lower() not in ROLE_WORDS


def _address_names(address: str) -> tuple[list[str], list[str]]:
    """(full names, single words) an e-mail address's local part names."""
    local = _AT.split(address.strip(), maxsplit=1)[0]
    tokens = [t for t in re.split(r"[._+\-]+", local) if t]
    if not tokens or any(t.lower() in ROLE_WORDS for t in tokens):
        return [], []
    letters = [t for t in tokens if t.isalpha()]
    if len(tokens) >= 2 and len(letters) == len(tokens):
        return [" ".join(t.capitalize() for t in tokens)], []
    if len(tokens) == 1 and len(local) >= 4 and local.isalpha():
        return [], [local]
    return [], []


def _check_boundaries(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end : end + 2]
    if before.isalnum() or before in "@._":
        return False
    if after[:1].isalnum() or after[:1] in "@_":
        return False
    return not (after[:1] in ".-/" and after[1:2].isalnum())


@dataclass(frozen=True)
class People:
    """Whose names and addresses may not reach public text."""

    names: tuple[str, ...] = ()  # full names, matched in any case
    words: tuple[str, ...] = ()  # single words that name someone, matched as written
    addresses: tuple[str, ...] = ()

    @classmethod
    def of(cls, names=(), addresses=()) -> People:
        full: list[str] = []
        words: list[str] = []
        for name in names:
            parts = [p for p in re.split(r"[\s,]+", name or "") if p]
            parts = [p for p in parts if not re.fullmatch(r"[\w.-]*\.", p) or len(p) > 4]
            if not parts:
                continue
            if len(parts) == 1:
                if _is_name_word(parts[0]) and len(parts[0]) >= 3:
                    words.append(parts[0])
                continue
            full.append(" ".join(parts))
            words += [p for p in parts if _is_name_word(p) and p[0].isupper()]
        kept = []
        for address in addresses:
            address = (address or "").strip()
            if not address:
                continue
            kept.append(address)
            named, single = _address_names(address)
            full += named
            words += single
            for name in named:
                words += [p for p in name.split() if _is_name_word(p)]
        return cls(
            names=tuple(dict.fromkeys(full)),
            words=tuple(dict.fromkeys(words)),
            addresses=tuple(dict.fromkeys(kept)),
        )

    def __or__(self, other: People) -> People:
        return People(
            names=tuple(dict.fromkeys(self.names + other.names)),
            words=tuple(dict.fromkeys(self.words + other.words)),
            addresses=tuple(dict.fromkeys(self.addresses + other.addresses)),
        )

    def by_family_name(self) -> People:
        """The same people known by their full and family names only: for text about many
        people (a digest's whole week), where first names such as "Mark" or "Will" would take
        common words out of it."""
        family = [n.split()[-1] for n in self.names if _is_name_word(n.split()[-1])]
        return People(
            names=self.names, words=tuple(dict.fromkeys(family)), addresses=self.addresses
        )

    def __bool__(self) -> bool:
        return bool(self.names or self.words or self.addresses)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where this people's names are in ``text``: one pass over its words, however many
        people there are (a digest's week has hundreds of submitters)."""
        if not self.names and not self.words:
            return []
        full = {fold(" ".join(name.split())).lower() for name in self.names}
        longest = max((name.count(" ") + 1 for name in full), default=1)
        exact, any_case = set(), set()
        for word in self.words:
            plain = fold(word)
            if plain.islower():
                any_case.add(plain)
            else:
                exact.update({plain, plain.capitalize(), plain.upper()})
        folded = fold(text)
        tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded)]
        found: list[tuple[int, int]] = []
        for i, (start, end, word) in enumerate(tokens):
            if word in exact or word.lower() in any_case:
                found.append((start, end))
            key = word.lower()
            for j in range(i + 1, min(i + longest, len(tokens))):
                gap = folded[tokens[j - 1][1] : tokens[j][0]]
                if not gap.isspace():
                    break
                key += " " + tokens[j][2].lower()
                if key in full:
                    found.append((start, tokens[j][1]))
        return [(s, e) for s, e in found if _check_boundaries(text, s, e)]


_WORD = re.compile(r"\w+(?:-\w+)*")


def titled_names(text: str) -> list[str]:
    """Names written after a title: "Dr. Mario Rossi" gives "Mario Rossi"."""
    names = []
    for match in TITLED.finditer(text):
        words = []
        for word in match.group("name").split():
            if not word[0].isupper() or (len(word) > 1 and word.isupper()):
                break
            if word.lower() in NOT_NAMES:
                break
            words.append(word)
        if words:
            names.append(" ".join(words))
    return names


def titled_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in TITLED.finditer(text):
        name = titled_names(match.group())
        if name:
            spans.append((match.start(), match.start("name") + len(name[0])))
    return spans
