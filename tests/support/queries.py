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
    that one database object. ``at="execute_sql"`` counts peewee's queries only, the way the
    counts of pages and jobs were first pinned (no ``BEGIN``, no bulk ``executemany``/``COPY``).
    ``keep`` chooses the statements that count (e.g. leaving out the schema guard's);
    ``statements`` can be cleared between two measurements.
    """

    def __init__(
        self,
        db: Database | None = None,
        keep: Callable[[str], bool] | None = None,
        at: str = "cursor",
    ):
        if at not in ("cursor", "execute_sql"):
            raise ValueError(f"count at the cursor or at execute_sql, not {at!r}")
        self.db = db
        self.keep = keep
        self.at = at
        self.statements: list[str] = []

    def _note(self, sql: str) -> None:
        if self.keep is None or self.keep(sql):
            self.statements.append(sql)

    def _counting(self, original, bound: bool):
        """A stand-in for ``original`` (``Database.cursor`` or ``Database.execute_sql``, taken
        from the class or, ``bound``, from one database object) that notes each statement."""
        counter = self
        if self.at == "cursor":

            def counting(*args, **kwargs):
                return _CountingCursor(original(*args, **kwargs), counter._note)

        elif bound:

            def counting(sql, *args, **kwargs):
                counter._note(sql)
                return original(sql, *args, **kwargs)

        else:

            def counting(db, sql, *args, **kwargs):
                counter._note(sql)
                return original(db, sql, *args, **kwargs)

        return counting

    def __enter__(self):
        name = self.at
        if self.db is None:
            self._original = getattr(Database, name)
            setattr(Database, name, self._counting(self._original, bound=False))
        else:
            self._shadowed = name in vars(self.db)
            self._original = getattr(self.db, name)
            setattr(self.db, name, self._counting(self._original, bound=True))
        return self

    def __exit__(self, *exc):
        if self.db is None:
            setattr(Database, self.at, self._original)
        elif self._shadowed:
            setattr(self.db, self.at, self._original)
        else:
            delattr(self.db, self.at)

    def __len__(self):
        return len(self.statements)
