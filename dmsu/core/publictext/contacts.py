"""E-mail addresses and telephone numbers in text, plain or disguised.

Telephone numbers are found by ``phonenumbers`` (Google's libphonenumber): every number in
international form (``+39 06 1234 5678``, ``+49 (0)721 608-12345``, also ``00420 123 456
789``), and numbers in national form of the countries DMSU's submitters write from when they
look like a telephone number (``06 1234 5678``: the trunk 0 and separators) or follow a label
("Tel.:", "phone", "Mobil"). A bare run of digits — a GGUS number, a size, a process id — is
not a telephone number unless a label says so.

The disguises of an address are written here, no library knows them: "name at cern dot ch",
"name [at] cern [dot] ch", "name(at)cern.ch", ``%40``, and the HTML entities of "@" where text
was not decoded first (:func:`dmsu.core.publictext.letter.decode_entities` does that).
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

EMAIL_REMOVED = "[e-mail address removed]"
PHONE_REMOVED = "[phone number removed]"

_AT = r"(?:@|%40|&#0*64;|&#[xX]0*40;|&commat;)"
EMAIL = re.compile(rf"(?<![\w.+%-])[\w.+%'-]*\w{_AT}[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{{2,24}}\b")
_TLD = (
    r"(?:ch|it|de|cz|pl|sk|at|fr|es|pt|nl|be|uk|ie|gr|hu|se|no|fi|dk|ru|il|tw|cn|jp|kr|in|br"
    r"|ar|us|ca|au|eu|org|com|net|edu|gov|int|info)"
)
_BRACKET_AT = r"\s*[\[({<]\s*at\s*[\])}>]\s*"
_SPOKEN_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)"
_DOT = rf"(?:{_SPOKEN_DOT}|\.)"
_LOCAL = r"(?<![\w.+-])\w[\w.+-]*"
SPOKEN_EMAIL = re.compile(
    rf"{_LOCAL}{_BRACKET_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}{_TLD}\b"
    rf"|{_LOCAL}\s+at\s+[\w-]+(?:{_DOT}[\w-]+)*{_SPOKEN_DOT}{_TLD}\b",
    re.I,
)

REGIONS = ("IT", "DE", "CZ", "PL", "FR", "ES", "NL", "GB", "AT", "CH", "SK", "HU", "PT", "GR")
PHONE_LABEL = re.compile(
    r"(?<![\w])(?:tel(?:efon(?:o)?|ephone)?|phone|ph|mob(?:ile|il)?|cell(?:ulare)?|fax|handy"
    r"|kom(?:\u00f3rka)?|telefonn\u00ed|mobiln\u00ed)\b\.?\s*(?:[:.]|no\.?|nr\.?)?\s*",
    re.I,
)
_LABELLED_NUMBER = re.compile(r"[+(]?\d[\d\s()./-]{5,}\d")
_INTERNATIONAL_00 = re.compile(r"(?<![\w.+-])00[1-9]\d{0,2}(?:[\s./-]?\(?\d+\)?){2,6}")
_PLUS = re.compile(r"\+\s*\(?\d")
# A national number: the trunk 0, then groups of digits with separators ("06 1234 5678").
_NATIONAL = re.compile(r"(?<![\w.+/-])\(?0\d{1,4}\)?(?:[\s/-]+\d{2,8}){1,4}(?![\w.]*\w)")
_ENOUGH_DIGITS = re.compile(r"(?:\d\D{0,3}){7}")


def email_spans(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in EMAIL.finditer(text)]
    spans += [m.span() for m in SPOKEN_EMAIL.finditer(text)]
    return spans


def _digits(raw: str) -> int:
    return sum(ch.isdigit() for ch in raw)


def _valid_somewhere(raw: str) -> bool:
    for region in REGIONS:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False


def phone_spans(text: str) -> list[tuple[int, int]]:
    """Where telephone numbers are in ``text``."""
    if not _ENOUGH_DIGITS.search(text):
        return []
    spans = []
    if _PLUS.search(text):
        matcher = PhoneNumberMatcher(text, "ZZ", leniency=Leniency.VALID)
        spans += [(m.start, m.end) for m in matcher]
    for match in _INTERNATIONAL_00.finditer(text):
        try:
            number = phonenumbers.parse("+" + re.sub(r"\D", "", match.group())[2:], None)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            spans.append(match.span())
    for match in _NATIONAL.finditer(text):
        if _valid_somewhere(match.group()):
            spans.append(match.span())
    for label in PHONE_LABEL.finditer(text):
        number = _LABELLED_NUMBER.match(text, label.end())
        if number and 6 <= _digits(number.group()) <= 15:
            spans.append(number.span())
    return spans


def merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    result: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(end, result[-1][1]))
        else:
            result.append((start, end))
    return result


def replaced(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    for start, end in reversed(merged(spans)):
        text = text[:start] + placeholder + text[end:]
    return text


def emails_in(text: str) -> list[str]:
    return [text[s:e] for s, e in merged(email_spans(text))]


def phones_in(text: str) -> list[str]:
    return [text[s:e].strip() for s, e in merged(phone_spans(text))]


def without_contacts(text: str) -> str:
    """``text`` with its e-mail addresses and telephone numbers replaced by placeholders."""
    text = replaced(text, email_spans(text), EMAIL_REMOVED)
    return replaced(text, phone_spans(text), PHONE_REMOVED)
