"""A submitter's letter without what is about its writer: greeting, sign-off, signature and the
replies it quotes; and the names written in those parts, so that they can be taken out of the
rest of the text too.

The reply headers ("On ... wrote:", "Il ... ha scritto:", "Am ... schrieb ...:",
"Dne ... napsal(a):", "From: ... Sent: ...") are the patterns of ``mail-parser-reply``; what
that library does not know is written here: greetings (it has none), Polish "W dniu ...
napisał(a):" and headers wrapped over two lines, and the sign-offs of the languages DMSU's
submitters write in (its own are a few of each; they are used too). Its signature rule cuts at
the first line that starts with "Thanks," wherever it is, and it strips every line of a text,
which would lose the indentation of code in markdown: here a sign-off is a short line of its
own, and the cut is made on the original lines.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from mailparser_reply.constants import GENERIC_MAIL_SEPARATOR, MAIL_LANGUAGES

LANGUAGES = ("en", "it", "de", "cs", "pl")


def word_set(text: str) -> frozenset[str]:
    """A set of the words of ``text`` (a list written as prose)."""
    return frozenset(text.split())


# Reply headers: the library's, for the languages of the site's submitters. Its Polish "From:"
# header takes a single line such as "Data: ..." or "Do: ..." for one, which technical text has
# too often; the Polish "wrote" header is kept.
_LIBRARY_HEADERS = [MAIL_LANGUAGES[lang]["wrote_header"] for lang in LANGUAGES]
_LIBRARY_HEADERS += [MAIL_LANGUAGES[lang]["from_header"] for lang in LANGUAGES if lang != "pl"]
_LIBRARY_HEADERS.append(GENERIC_MAIL_SEPARATOR)
REPLY_HEADER = re.compile("|".join(f"(?:{p})" for p in _LIBRARY_HEADERS), re.M | re.I)
_WROTE = r"(?:wrote|ha scritto|schrieb|napsala?|napsal\(a\)|napisała?|napisał\(a\)|pisze)"
REPLY_LINE = re.compile(
    rf"^(?:>\s*)*(?:(?:On|Il|Am|Dne|W dniu|Dnia)\s.*\b{_WROTE}.*:|.*[@<\d].*\b{_WROTE}\s*:)\s*$",
    re.I,
)
REPLY_START = re.compile(r"^(?:>\s*)*(?:On|Il|Am|Dne|W dniu|Dnia)\s+\S", re.I)
QUOTED = re.compile(r"^\s{0,3}>")
SENT_FROM = re.compile(
    r"^(?:" + "|".join(MAIL_LANGUAGES[lang]["sent_from"] for lang in LANGUAGES) + r")\b", re.I
)
FENCE = re.compile(r"^(?:```|~~~)")
SIGNATURE_DELIMITER = re.compile(r"^(?:--|__)\s*$")

GREETINGS = (
    r"dear(?:est)?", r"hi+", r"hello", r"hey", r"good (?:morning|afternoon|evening)",
    r"greetings", r"ciao", r"gentil(?:e|i|issim[aeio])", r"egregi[oa]", r"buongiorno",
    r"buonasera", r"salve", r"spettabile", r"hallo", r"lieber?", r"sehr geehrter?s?",
    r"guten (?:tag|morgen|abend)", r"moin", r"servus", r"dobr[ýy] den", r"v[áa][žz]en[ýáíy]",
    r"v[áa][žz]en[ée]", r"ahoj", r"zdrav[íi]m", r"dzie[ńn] dobry", r"witam", r"witajcie",
    r"szanown[iya]\w*", r"drod[zg]y", r"droga", r"cze[śs][ćc]",
)  # fmt: skip
GREETING = re.compile(r"^[\s*_#>]*(?:" + "|".join(GREETINGS) + r")(?![\w])(?P<rest>.*)$", re.I)

_OWN_SIGN_OFFS = (
    r"(?:best|kind|warm|many|with (?:best|kind)) regards", r"regards", r"best wishes",
    r"(?:yours )?sincerely", r"yours(?: truly| faithfully)?", r"cheers", r"br",
    r"(?:many )?thanks(?: a lot| in advance| again| for (?:your|any) help)?",
    r"thank you(?: (?:very much|in advance|for your help))?", r"thx",
    r"(?:cordiali|distinti|cari|tanti) saluti", r"saluti", r"un (?:caro )?saluto",
    r"grazie(?: mille| in anticipo)?", r"a presto",
    r"mit (?:den )?(?:freundlichen|besten|herzlichen) gr(?:ü|ue)(?:ß|ss)en", r"mfg",
    r"(?:viele|beste|liebe|sch[öo]ne|herzliche) gr(?:ü|ue)(?:ß|ss)e", r"gr(?:ü|ue)(?:ß|ss)e",
    r"gru(?:ß|ss)", r"(?:vielen )?dank(?:e)?(?: im voraus| sch[öo]n)?",
    r"s pozdravem", r"se srde[čc]n[ýy]m pozdravem", r"s [úu]ctou", r"d[ěe]kuji(?: p[řr]edem)?",
    r"d[íi]ky", r"z pozdrowieniami", r"(?:serdecznie )?pozdrawiam", r"z powa[żz]aniem",
    r"z wyrazami szacunku", r"dzi[ęe]kuj[ęe](?: z g[óo]ry)?", r"dzi[ęe]ki",
)  # fmt: skip
_LIBRARY_SIGN_OFFS = [
    pattern for lang in LANGUAGES for pattern in MAIL_LANGUAGES[lang].get("signatures", [])
]
SIGN_OFF = re.compile(
    r"^[\s*_>-]*(?:"
    + "|".join(sorted({*_OWN_SIGN_OFFS, *_LIBRARY_SIGN_OFFS}, key=len, reverse=True))
    + r")(?![\w])(?P<rest>.*)$",
    re.I,
)
SIGN_OFF_WORDS = 4  # a sign-off line may go on with this many words ("Thanks, Mario Rossi")

TITLES = (
    r"Dr\.?ssa", r"Dott\.?ssa", r"Dott", r"Dr", r"Ing", r"Mgr", r"Bc", r"RNDr", r"PhDr",
    r"MUDr", r"JUDr", r"Prof", r"Doc", r"Mr", r"Mrs", r"Ms", r"Sig\.?ra", r"Sig", r"Herr",
    r"Herrn", r"Frau", r"Pan", r"Pani", r"Panie", r"Pane", r"Dipl\.-Ing", r"Dipl\.-Phys", r"Dipl\.-Inf",
    r"in[żz]", r"hab", r"PhD", r"Ph\.D",
)  # fmt: skip
TITLE = re.compile(r"(?:" + "|".join(TITLES) + r")\.?(?=\s|$)", re.I)
NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Capitalised words that greet or sign on behalf of many, not a person.
NOT_NAMES = word_set(
    """all everyone everybody folks friends team teams support supporters supporter experts
    expert developers developer colleagues colleague sir sirs madam madame ladies gentlemen
    admins admin administrator administrators operations ops site sites staff group the our
    your my a an and or of for from on behalf sent dmsu tpm ggus egi grid service services
    user users community department dept institute istituto university universita università
    universität universitaet centre center computing physics laboratory lab helpdesk desk
    tutti colleghi colleghe collega signori signore signora signor supporto assistenza gruppo
    damen herren kolleginnen kollegen kollege kollegin zusammen leute und
    kolegov\u00e9 kolegyn\u011b kolegov\u00e9 podporo podpora t\u00fdme t\u00fdm p\u00e1nov\u00e9 d\u00e1my
    pa\u0144stwo panowie panie kolegowie kole\u017canki wsparcie zesp\u00f3\u0142 zespole
    tel phone mobile fax email mail www http https thanks thank regards best kind cheers
    product products people members maintainers managers shifters shift crew partners
    provider providers technology middleware unit units list please"""
)


@dataclass
class Letter:
    """What is left of a letter (``body``) and the names found in its personal parts."""

    body: str
    names: list[str] = field(default_factory=list)
    greetings: list[str] = field(default_factory=list)
    sign_offs: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)


# --- HTML letters and entities -------------------------------------------------------------

_HTML_LETTER = re.compile(r"<(?:p|br|div|html|body|table|span|font|blockquote)\b[^>]*>", re.I)
_BLOCKS = {"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "pre"}
_DROPPED = {"blockquote", "style", "script", "head", "title"}
_DROPPED_CLASSES = ("gmail_quote", "gmail_signature", "moz-signature", "moz-cite-prefix")


class _LetterText(HTMLParser):
    """The text of an HTML letter, one line per block; quoted parts and signatures left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if self._skipping or tag in _DROPPED or any(c in classes for c in _DROPPED_CLASSES):
            if tag not in ("br", "img", "hr", "meta", "link", "input"):
                self._skipping.append(tag)
            return
        if tag in _BLOCKS:
            self.parts.append("\n\n" if tag != "br" else "\n")

    def handle_endtag(self, tag):
        if self._skipping:
            if tag == self._skipping[-1]:
                self._skipping.pop()
            return
        if tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_letter_text(text: str) -> str:
    """An HTML letter as text (a markdown text that only contains some HTML is left alone)."""
    if len(_HTML_LETTER.findall(text)) < 2:
        return text
    parser = _LetterText()
    parser.feed(text)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});?")
_KEPT = {"<": "&lt;", ">": "&gt;"}


def _decoded(match: re.Match) -> str:
    found = match.group()
    value = html.unescape(found)
    if value in _KEPT:
        return _KEPT[value]
    return value


def decode_entities(text: str) -> str:
    """``text`` with every HTML entity decoded — named, decimal or hexadecimal, also written
    twice over (``&amp;#64;``) — except ``<`` and ``>``, which stay ``&lt;`` and ``&gt;`` so
    that decoding never makes markup of text."""
    for _ in range(5):
        decoded = _ENTITY.sub(_decoded, text)
        if decoded == text:
            break
        text = decoded
    return text


# --- Names in greetings and signatures ----------------------------------------------------


def _plain(line: str) -> str:
    return re.sub(r"[*_`~|]", " ", line).strip()


def names_in(phrase: str) -> list[str]:
    """Runs of capitalised words in a greeting or signature line that may be names:
    "Dear Dr. Mario Rossi and Jan," gives "Mario Rossi", "Jan"."""
    names, run = [], []
    for token in re.split(r"(\s+|[,;:!?()/|<>\[\]]+)", _plain(phrase)):
        word = token.strip().rstrip(".")
        if not word:
            continue
        is_name = (
            NAME_WORD.fullmatch(word)
            and word[0].isupper()
            and not (len(word) > 1 and word.isupper())
            and word.lower() not in NOT_NAMES
            and not TITLE.fullmatch(token.strip())
        )
        if is_name:
            run.append(word)
            continue
        if run:
            names.append(" ".join(run))
            run = []
    if run:
        names.append(" ".join(run))
    return [name for name in names if len(name) > 1]


def name_at_start(line: str) -> list[str]:
    """The name a signature line starts with ("Ing. Jan Novák, CESNET" gives "Jan Novák")."""
    words = _plain(line).split()
    while words and TITLE.fullmatch(words[0].rstrip(",")):
        words.pop(0)
    run = []
    for word in words:
        bare = word.rstrip(",;")
        if (
            NAME_WORD.fullmatch(bare)
            and bare[0].isupper()
            and not (len(bare) > 1 and bare.isupper())
            and bare.lower() not in NOT_NAMES
        ):
            run.append(bare)
            if bare != word or len(run) == 4:
                break
            continue
        break
    # One capitalised word is a name only on a line of its own ("Ana"), not a sentence's start.
    if len(run) == 1 and len(words) > 1 and not words[0].endswith((",", ";")):
        return []
    return [" ".join(run)] if run else []


# --- The letter ---------------------------------------------------------------------------


def _reply_cut(lines: list[str]) -> int:
    """The index of the first line of a quoted earlier message, or ``len(lines)``."""
    cut = len(lines)
    stripped = "\n".join(line.strip() for line in lines)
    match = REPLY_HEADER.search(stripped)
    if match:
        start = match.start()
        while start < len(stripped) and stripped[start] == "\n":
            start += 1
        cut = stripped.count("\n", 0, start)
    for index, line in enumerate(lines[:cut]):
        if REPLY_LINE.match(line.strip()):
            previous = lines[index - 1].strip() if index else ""
            joined = index and REPLY_START.match(previous) and not previous.endswith(":")
            return index - 1 if joined else index
    return cut


def _is_sign_off(line: str) -> re.Match | None:
    match = SIGN_OFF.match(line)
    if match is None:
        return None
    if match.group("rest").lstrip().startswith(":"):
        return None
    rest = match.group("rest").strip(" ,.!:;-–—*_")
    if rest.endswith(":") or len(rest.split()) > SIGN_OFF_WORDS:
        return None
    return match


def letter(text: str) -> Letter:
    """Split a submitter's text: what is about the problem, and the personal parts."""
    text = decode_entities(html_letter_text((text or "").replace("\r\n", "\n")))
    lines = text.split("\n")
    found = Letter(body="")
    lines = lines[: _reply_cut(lines)]
    lines = [line for line in lines if not QUOTED.match(line)]
    # The greeting: the first line with words.
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None:
        match = GREETING.match(lines[first])
        if match:
            rest = match.group("rest")
            head, comma, tail = rest.partition(",")
            whole = not rest.strip() or rest.rstrip().endswith((",", "!", ":"))
            if whole or (not comma and len(rest.split()) <= 3):
                found.greetings.append(lines[first].strip())
                found.names += names_in(rest)
                lines[first] = ""
            elif comma and len(head.split()) <= 5:
                found.greetings.append((lines[first][: match.start("rest")] + head).strip())
                found.names += names_in(head)
                lines[first] = tail.lstrip()
    # The sign-off, a signature delimiter or a "sent from": everything from there on goes.
    fenced = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if FENCE.match(stripped):
            fenced = not fenced
        if fenced or FENCE.match(stripped) or line.startswith(("    ", "\t")):
            continue
        sign_off = _is_sign_off(stripped) if stripped else None
        if (
            sign_off is None
            and not SIGNATURE_DELIMITER.match(line)
            and not SENT_FROM.match(stripped)
        ):
            continue
        after = [rest for rest in lines[index + 1 :] if rest.strip()]
        if sign_off is not None:
            found.sign_offs.append(stripped)
            found.names += names_in(sign_off.group("rest"))
        elif SIGNATURE_DELIMITER.match(line):
            found.signatures.append(stripped)
        if after:
            found.names += name_at_start(after[0])
        found.signatures += [rest.strip() for rest in after]
        lines = lines[:index]
        break
    body = "\n".join(line.rstrip() for line in lines)
    found.body = re.sub(r"\n{3,}", "\n\n", body).strip("\n")
    found.names = list(dict.fromkeys(found.names))
    return found
