"""Putting documents into the index and taking them out, in the caller's transaction.

An area calls :func:`put` with the whole current document of each thing that changed (never a
part of one), so the index holds, for each ``(area, key)``, exactly what a rebuild would
make; :func:`remove` takes out what no longer exists or may no longer be found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from dmsu.core.db import database, marks
from dmsu.core.search.models import AUDIENCES, SearchDocument
from dmsu.core.search.schema import DIARY_LIMIT

CHUNK = 400
_REPLACED = ("title", "body", "diary", "audience", "component_id", "status", "at", "boost")
_COLUMNS = ("area", "key", *_REPLACED)


@dataclass(frozen=True)
class Document:
    area: str
    key: str
    title: str
    body: str = ""
    diary: str = ""
    audience: str = "staff"
    component_id: int | None = None
    status: str = ""
    at: datetime | None = None
    boost: float = 1.0

    def row(self) -> dict:
        if self.audience not in AUDIENCES:
            raise ValueError(f"A search document's audience is one of {AUDIENCES}.")
        return {
            "area": self.area,
            "key": str(self.key)[:200],
            "title": _clean(self.title),
            "body": _clean(self.body),
            "diary": _clean(self.diary)[:DIARY_LIMIT],
            "audience": self.audience,
            "component_id": self.component_id,
            "status": self.status or "",
            "at": self.at,
            "boost": float(self.boost),
        }


def _clean(text: str | None) -> str:
    """Text as the index keeps it: no NUL (neither database stores it in text)."""
    return (text or "").replace("\x00", " ")


def put(documents: Iterable[Document]) -> int:
    """Write these documents, each replacing the one of its ``(area, key)`` (one upsert per
    chunk, in the caller's transaction); returns how many.

    The statement is written here, not by peewee's ``insert_many``: building 400 rows'
    parameters through the query builder took longer than the database's own work for
    them (most of the index upkeep of a big import, bench/RESULTS-search.md, third run)."""
    at = SearchDocument.at.db_value
    rows = [document.row() for document in documents]
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        params = []
        for row in part:
            params += [at(row[name]) if name == "at" else row[name] for name in _COLUMNS]
        one = f"({marks(len(_COLUMNS))})"
        database.execute_sql(
            f"INSERT INTO search_document ({', '.join(_COLUMNS)}) "
            f"VALUES {', '.join([one] * len(part))} ON CONFLICT (area, key) DO UPDATE SET "
            + ", ".join(f"{name} = excluded.{name}" for name in _REPLACED),
            params,
        )
    return len(rows)


def remove(area: str, keys: Iterable[str]) -> None:
    """Take these documents of ``area`` out of the index (missing ones are no error)."""
    keys = [str(key) for key in keys]
    for start in range(0, len(keys), CHUNK):
        part = keys[start : start + CHUNK]
        SearchDocument.delete().where(
            (SearchDocument.area == area) & SearchDocument.key.in_(part)
        ).execute()


def clear(area: str) -> None:
    """Every document of ``area`` out (before a rebuild of the area)."""
    SearchDocument.delete().where(SearchDocument.area == area).execute()
