"""Queries of the hot read paths compiled to SQL once per shape, then run with new values.

Building SQL from a peewee query costs more than running it against an index; a page view
runs the same two queries over and over with only the slug or id changing. :func:`rows`
builds the query once with sentinel values, remembers the SQL and where each value goes, and
afterwards executes the SQL directly. The query still comes from the model scopes
(``visible_to``), so the visibility rule is the same one.
"""

from __future__ import annotations

from collections.abc import Callable

from dmsu.core.db import database, is_postgres

_CACHE: dict[tuple, tuple[str, list]] = {}
_INT_SENTINEL = -7_300_000_000


def _sentinel(name: str, value, index: int):
    if isinstance(value, int):
        return _INT_SENTINEL - index
    return f"\x00{name}\x00"


def rows(key: tuple, build: Callable, converters: dict | None = None, **values) -> list[dict]:
    """Run ``build(**values)`` as dicts, compiling its SQL only the first time for ``key``."""
    cache_key = (*key, is_postgres())
    entry = _CACHE.get(cache_key)
    if entry is None:
        sentinels = {name: _sentinel(name, v, i) for i, (name, v) in enumerate(values.items())}
        by_value = {value: name for name, value in sentinels.items()}
        sql, params = build(**sentinels).sql()
        entry = (sql, [(by_value.get(p), p) for p in params])
        _CACHE[cache_key] = entry
    sql, template = entry
    params = [values[name] if name is not None else fixed for name, fixed in template]
    cursor = database.execute_sql(sql, params)
    columns = [column[0] for column in cursor.description]
    converters = converters or {}
    result = []
    for raw in cursor.fetchall():
        row = dict(zip(columns, raw, strict=True))
        for column, convert in converters.items():
            if column in row:
                row[column] = convert(row[column])
        result.append(row)
    return result
