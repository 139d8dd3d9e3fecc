"""The logged-in user of a request, loaded by one query whose SQL is built once.

Flask-Login asks for the user on every request with a session; building the peewee query
each time cost about as much as running it. The query is still the model's own (same
columns, same ``active`` rule), compiled per kind of database on first use.

Each worker also keeps the users it loaded (the ``auth.users`` cache, keyed by the database's
generation and the user id) with the database's commit stamp of the request
(:func:`dmsu.core.cache.stamp.for_request`, read once per request and used by the kept staff
pages too): while nothing has been committed since, the same user is handed out again (a
fresh object) without a query. A deactivated user, a new role or password is a commit, so it
counts at once. The compiled SQL is kept in the ``auth.sql`` cache, per kind of database.
"""

from __future__ import annotations

import dmsu.core.cache.registry as registry
import dmsu.core.cache.stamp as stamp
from dmsu.auth.models import User
from dmsu.core.db import database, generation, is_postgres

_SENTINEL = -7_300_000_001
MAX_KEPT = 1000
_COMPILED = registry.Cache("auth.sql", max_entries=2)  # per kind of database
_KEPT = registry.Cache("auth.users", max_entries=MAX_KEPT)  # -> (stamp, field values)


def _query():
    return User.select().where((User.id == _SENTINEL) & (User.active == True))  # noqa: E712


def active_user(user_id: str | int) -> User | None:
    """The active user with ``user_id`` (from the session), or None."""
    try:
        wanted = int(user_id)
    except (TypeError, ValueError):
        return None
    if not -(2**63) <= wanted < 2**63:
        return None
    sql, params, fields = _COMPILED.cached(is_postgres(), _compile)
    read = stamp.for_request()
    key = (generation(), wanted)
    users = _KEPT.store()
    kept = users.get(key)
    if read is not None and kept is not None and kept[0] == read:
        return _user(kept[1])
    row = database.execute_sql(sql, [wanted if p == _SENTINEL else p for p in params]).fetchone()
    if row is None:
        users.discard(key)
        return None
    values = {f.name: f.python_value(v) for f, v in zip(fields, row, strict=True)}
    if read is not None:
        users.put(key, (read, values))
    return _user(values)


def _compile() -> tuple[str, list, list]:
    sql, params = _query().sql()
    return sql, params, list(User._meta.sorted_fields)


def _user(values: dict) -> User:
    user = User(__no_default__=1, **values)
    user._dirty.clear()
    return user
