"""Counting the SQL statements a piece of code runs (every peewee query goes through
``Database.execute_sql``)."""

from __future__ import annotations

from peewee import Database


class QueryCounter:
    """Counts the SQL statements run while active."""

    def __init__(self):
        self.statements: list[str] = []

    def __enter__(self):
        self._original = Database.execute_sql
        counter = self

        def counting(db, sql, params=None, *args, **kwargs):
            counter.statements.append(sql)
            return counter._original(db, sql, params, *args, **kwargs)

        Database.execute_sql = counting
        return self

    def __exit__(self, *exc):
        Database.execute_sql = self._original

    def __len__(self):
        return len(self.statements)
