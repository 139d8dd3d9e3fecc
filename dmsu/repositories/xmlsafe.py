"""Parsing repository XML with expat, refusing what a repository never needs: a document type
declaration and entities (the "billion laughs" and external-entity attacks that defusedxml
guards against), so a hostile repository cannot make the scan expand or fetch anything."""

from __future__ import annotations

from collections.abc import Callable
from xml.parsers import expat

from dmsu.repositories.fetch import RepositoryError

StartHandler = Callable[[str, dict[str, str]], None]
EndHandler = Callable[[str, str], None]


class _Refused(Exception):
    pass


def _refuse(*_args) -> None:
    raise _Refused


def parse(data: bytes, url: str, start: StartHandler, end: EndHandler) -> None:
    """Feed ``data`` through expat: ``start(local_name, attributes)`` at each element's start,
    ``end(local_name, text)`` at its end, ``text`` being the element's own character data."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    texts: list[list[str]] = []

    def on_start(name: str, attributes: dict[str, str]) -> None:
        texts.append([])
        start(name.rpartition(" ")[2], attributes)

    def on_end(name: str) -> None:
        end(name.rpartition(" ")[2], "".join(texts.pop()))

    def on_text(text: str) -> None:
        if texts:
            texts[-1].append(text)

    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.CharacterDataHandler = on_text
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except _Refused:
        raise RepositoryError(
            f"{url} declares a document type or entities; it was not read."
        ) from None
    except expat.ExpatError as error:
        raise RepositoryError(
            f"{url} is not well-formed XML ({expat.errors.messages[error.code]} at line {error.lineno})."
        ) from None
