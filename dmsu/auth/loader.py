"""The logged-in user of a request, loaded by one query whose SQL is built once.

Flask-Login asks for the user on every request with a session; building the peewee query
each time cost about as much as running it. The query is still the model's own (same
columns, same ``active`` rule), compiled per kind of database on first use.

Each worker also keeps the users it loaded with the database's change stamp of the request
(:func:`dmsu.core.cache.staff.request_stamp`, read once per request and used by the kept staff
pages too): while nothing has been committed since, the same user is handed out again (a
fresh object) without a query. A deactivated user, a new role or password is a commit, so it
counts at once.
"""

from __future__ import annotations

from dmsu.auth.models import User
from dmsu.core.db import database, is_postgres

_SENTINEL = -7_300_000_001
_compiled: dict[bool, tuple[str, list, list]] = {}
_kept: dict[tuple, tuple] = {}  # (database, user id) -> (stamp, field values)
MAX_KEPT = 1000


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
    key = is_postgres()
    entry = _compiled.get(key)
    if entry is None:
        sql, params = _query().sql()
        fields = list(User._meta.sorted_fields)
        entry = (sql, params, fields)
        _compiled[key] = entry
    from dmsu.core.cache.staff import request_stamp

    stamp = request_stamp()
    key = (id(database.obj), wanted)
    kept = _kept.get(key)
    if stamp is not None and kept is not None and kept[0] == stamp:
        return _user(kept[1])
    sql, params, fields = entry
    row = database.execute_sql(sql, [wanted if p == _SENTINEL else p for p in params]).fetchone()
    if row is None:
        _kept.pop(key, None)
        return None
    values = {f.name: f.python_value(v) for f, v in zip(fields, row, strict=True)}
    if stamp is not None:
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        _kept[key] = (stamp, values)
    return _user(values)


def _user(values: dict) -> User:
    user = User(__no_default__=1, **values)
    user._dirty.clear()
    return user
