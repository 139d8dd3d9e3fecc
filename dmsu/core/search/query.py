"""What a person typed into a search box, turned into a query that nothing typed can break.

The rules, the same for both databases:

- A phrase in double quotes matches those words adjacent and in order; an unbalanced quote is
  an ordinary character.
- Everything else is split at white space into chunks, and each chunk is a phrase of its own
  words: "CREAM-CE", "glite-wms-wmproxy", "/opt/glite/etc", "3.2.1-4", "ce01.example.org" and
  an error line's "Connection refused:" match as pasted, whatever the punctuation.
- Every phrase is required (AND). A lone stop word ("for", "the") is left out unless the query
  has nothing else. Operator words (AND, OR, NOT, NEAR) and characters (``-``,
  ``:``, ``*``, ``^``, parentheses, quotes) are never operators: only the letters and digits
  of a chunk reach the database, each word quoted for FTS5 and passed as a bound value to
  ``phraseto_tsquery`` for PostgreSQL.
- A number of four to eight digits, alone or as "#123456" or "GGUS 123456", is also a ticket
  number the search jumps to (:attr:`Query.ticket_numbers`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 500
MAX_PHRASES = 12
MAX_WORDS = 16  # per phrase
_WORD = re.compile(r"\w+")
# The words of PostgreSQL's ``english`` stop-word list that supporters type most; a single
# such word is left out of the query on both databases (PostgreSQL drops it anyway), so
# "error for valid proxies" asks for what it is about, not for every text with "for".
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "will",
        "with",
        "you",
        "your",
    ]
)
_QUOTED = re.compile(r'"([^"]*)"')
_TICKET = re.compile(r"(?i)(?:^|\s)(?:ggus\s*#?\s*|#)?(\d{4,8})(?=\s|$)")


@dataclass(frozen=True)
class Query:
    text: str
    phrases: tuple[tuple[str, ...], ...]
    ticket_numbers: tuple[int, ...]

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def fts5(self) -> str:
        """The FTS5 MATCH expression: each word quoted (no FTS5 syntax survives)."""
        return " AND ".join('"' + " ".join(words) + '"' for words in self.phrases)

    def tsquery_texts(self) -> tuple[str, ...]:
        """One text per phrase, each for ``phraseto_tsquery('english', %s)``."""
        return tuple(" ".join(words) for words in self.phrases)

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(word for words in self.phrases for word in words)


def parse(text: str | None) -> Query:
    """The query of ``text`` (see the module text); empty when it has no word."""
    text = (text or "")[:MAX_LENGTH]
    phrases: list[tuple[str, ...]] = []
    rest = []
    position = 0
    for match in _QUOTED.finditer(text):
        rest.append(text[position : match.start()])
        phrases.append(_words(match.group(1)))
        position = match.end()
    rest.append(text[position:])
    chunks = [_words(chunk) for chunk in " ".join(rest).split()]
    telling = [p for p in chunks if not (len(p) == 1 and p[0] in STOP_WORDS)]
    phrases += telling or chunks  # a query of stop words only is searched as typed
    unique = tuple(dict.fromkeys(p for p in phrases if p))[:MAX_PHRASES]
    numbers = tuple(dict.fromkeys(int(n) for n in _TICKET.findall(text)))
    return Query(text, unique, numbers)


def _words(chunk: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in _WORD.findall(chunk))[:MAX_WORDS]
