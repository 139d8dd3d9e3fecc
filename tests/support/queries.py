"""Counting the SQL statements a piece of code sends to the database.

Every statement goes through a cursor that ``Database.cursor`` hands out: peewee's queries
(``execute_sql``), ``BEGIN``, and the bulk writers' ``executemany`` and ``COPY``. Counting at
the cursor counts them all, each ``executemany`` as one statement (one prepared statement run
for many rows); ``COMMIT`` goes through the connection and is not counted.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import Database


class _CountingCursor:
    def __init__(self, cursor, note: Callable[[str], None]):
        self._cursor = cursor
        self._note = note

    def execute(self, sql, *args, **kwargs):
        self._note(sql if isinstance(sql, str) else repr(sql))
        return self._cursor.execute(sql, *args, **kwargs)

    def executemany(self, sql, *args, **kwargs):
        self._note(sql)
        return self._cursor.executemany(sql, *args, **kwargs)

    def copy_expert(self, sql, *args, **kwargs):
        self._note(sql)
        return self._cursor.copy_expert(sql, *args, **kwargs)

    def __iter__(self):
        return iter(self._cursor)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


class QueryCounter:
    """Counts the SQL statements run while active.

    By default every ``Database`` counts (also the extra connections of
    ``dmsu.core.db.side_by_side``); ``QueryCounter(database.obj)`` counts only the statements of
    that one database object. ``keep`` chooses the statements that count (e.g. leaving out the
    schema guard's); ``statements`` can be cleared between two measurements.
    """

    def __init__(self, db: Database | None = None, keep: Callable[[str], bool] | None = None):
        self.db = db
        self.keep = keep
        self.statements: list[str] = []

    def _note(self, sql: str) -> None:
        if self.keep is None or self.keep(sql):
            self.statements.append(sql)

    def __enter__(self):
        counter = self
        if self.db is None:
            self._original = Database.cursor

            def counting(db, *args, **kwargs):
                return _CountingCursor(counter._original(db, *args, **kwargs), counter._note)

            Database.cursor = counting
        else:
            self._shadowed = "cursor" in vars(self.db)
            self._original = self.db.cursor

            def counting_one(*args, **kwargs):
                return _CountingCursor(counter._original(*args, **kwargs), counter._note)

            self.db.cursor = counting_one
        return self

    def __exit__(self, *exc):
        if self.db is None:
            Database.cursor = self._original
        elif self._shadowed:
            self.db.cursor = self._original
        else:
            del self.db.cursor

    def __len__(self):
        return len(self.statements)
