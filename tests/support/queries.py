"""Counting the SQL statements a piece of code sends to the database.

Every statement goes through a cursor that ``Database.cursor`` hands out: peewee's queries
(``execute_sql``), ``BEGIN``, and the bulk writers' ``executemany`` and ``COPY``. Counting at
the cursor counts them all, each ``executemany`` as one statement (one prepared statement run
for many rows); ``COMMIT`` goes through the connection and is not counted.
"""

from __future__ import annotations

from peewee import Database


class _CountingCursor:
    def __init__(self, cursor, statements: list[str]):
        self._cursor = cursor
        self._statements = statements

    def execute(self, sql, *args, **kwargs):
        self._statements.append(sql if isinstance(sql, str) else repr(sql))
        return self._cursor.execute(sql, *args, **kwargs)

    def executemany(self, sql, *args, **kwargs):
        self._statements.append(sql)
        return self._cursor.executemany(sql, *args, **kwargs)

    def copy_expert(self, sql, *args, **kwargs):
        self._statements.append(sql)
        return self._cursor.copy_expert(sql, *args, **kwargs)

    def __iter__(self):
        return iter(self._cursor)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


class QueryCounter:
    """Counts the SQL statements run while active."""

    def __init__(self):
        self.statements: list[str] = []

    def __enter__(self):
        self._original = Database.cursor
        counter = self

        def counting(db, *args, **kwargs):
            return _CountingCursor(counter._original(db, *args, **kwargs), counter.statements)

        Database.cursor = counting
        return self

    def __exit__(self, *exc):
        Database.cursor = self._original

    def __len__(self):
        return len(self.statements)
