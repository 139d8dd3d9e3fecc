"""Small SQL helpers shared by the metric queries, for SQLite (≥ 3.25, window functions) and
PostgreSQL alike.

The queries are written once with ``:name`` parameters; :func:`run` turns them into the
driver's positional placeholders, expanding lists for ``IN (...)``. Times are compared in the
stored form (UTC, via the field's own ``db_value``) and durations are whole seconds, computed
the same way on both databases so the two give identical numbers.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime

from dmsu.core.db import database, is_postgres
from dmsu.tickets.models import TicketEvent

_PARAM = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")
NO_IDS = (-1,)  # ``IN ()`` is not SQL; no real row has id -1


def sql_value(value):
    """A Python value as the database stores it (aware datetimes become naive UTC)."""
    if isinstance(value, datetime):
        return TicketEvent.at.db_value(value)
    return value


def bind(sql: str, params: dict) -> tuple[str, list]:
    """``sql`` with ``:name`` placeholders made positional; sequences expand for ``IN``."""
    mark = "%s" if is_postgres() else "?"
    values: list = []

    def replace(match: re.Match) -> str:
        value = params[match.group(1)]
        if isinstance(value, (list, tuple, set, frozenset)):
            items = list(value) or list(NO_IDS)
            values.extend(sql_value(v) for v in items)
            return ", ".join([mark] * len(items))
        values.append(sql_value(value))
        return mark

    return _PARAM.sub(replace, sql), values


# For the metric queries' transactions on PostgreSQL: the sorts of a project year's medians
# fit in memory instead of on disk, and no JIT compilation, which costs more than it saves on
# queries that take a fraction of a second.
PG_SETTINGS = {"work_mem": "64MB", "jit": "off"}


def run(sql: str, **params) -> list[tuple]:
    """Execute ``sql`` with named parameters and return every row (on PostgreSQL with
    :data:`PG_SETTINGS` for this transaction only)."""
    text, values = bind(sql, params)
    if not is_postgres():
        return list(database.execute_sql(text, values).fetchall())
    with database.atomic():
        settings = ", ".join(f"set_config('{k}', '{v}', true)" for k, v in PG_SETTINGS.items())
        database.execute_sql(f"SELECT {settings}")
        return list(database.execute_sql(text, values).fetchall())


def epoch(column: str) -> str:
    """Whole seconds since 1970 of a stored UTC timestamp (fractions dropped on both sides;
    SQLite's ``unixepoch`` where it has it, 3.38 on: the same number, several times faster).

    On PostgreSQL ``date_part`` gives a double where ``EXTRACT`` (14 on) gives a numeric, at
    about half the cost per row. The floor is still exact: a double carries a present-day
    epoch to within 3e-7 s, and a stored fraction of a second is at most 0.999999."""
    if is_postgres():
        return f"CAST(FLOOR(date_part('epoch', {column})) AS BIGINT)"
    if sqlite3.sqlite_version_info >= (3, 38):
        return f"unixepoch({column})"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


def days_after(date_column: str, days: int) -> str:
    """Midnight UTC ``days`` days after a stored date: the end of a due date is
    ``days_after(due, 1)`` (the whole due day counts, up to 23:59:59 UTC)."""
    if is_postgres():
        return f"({date_column} + {int(days)})"
    return f"date({date_column}, '+{int(days)} days')"


def epoch_of(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp())


def ids(values: Iterable[int]) -> tuple[int, ...]:
    return tuple(values) or NO_IDS
