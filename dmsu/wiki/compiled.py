"""Queries of the hot read paths compiled to SQL once per shape, then run with new values.

Building SQL from a peewee query costs more than running it against an index; a page view
runs the same two queries over and over with only the slug or id changing. :func:`rows`
builds the query once with sentinel values, remembers the SQL and where each value goes, and
afterwards executes the SQL directly. The query still comes from the model scopes
(``visible_to``), so the visibility rule is the same one. The SQL is kept in the
``wiki.sql`` cache of the one store (:mod:`dmsu.core.cache`), per shape and kind of database:
it holds no data, so no stamp is needed.
"""

from __future__ import annotations

from collections.abc import Callable

import dmsu.core.cache.registry as registry
from dmsu.core.db import database, is_postgres

_SQL = registry.Cache("wiki.sql", max_entries=256)  # -> (sql, where each value goes)
_INT_SENTINEL = -7_300_000_000


def _sentinel(name: str, value, index: int):
    if isinstance(value, int):
        return _INT_SENTINEL - index
    return f"\x00{name}\x00"


def rows(key: tuple, build: Callable, converters: dict | None = None, **values) -> list[dict]:
    """Run ``build(**values)`` as dicts, compiling its SQL only the first time for ``key``."""
    cache_key = (*key, is_postgres())
    entry = _SQL.get(cache_key)
    if entry is None:
        sentinels = {name: _sentinel(name, v, i) for i, (name, v) in enumerate(values.items())}
        by_value = {value: name for name, value in sentinels.items()}
        sql, params = build(**sentinels).sql()
        entry = _SQL.put(cache_key, (sql, [(by_value.get(p), p) for p in params]))
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
