"""Helpers shared by the area CLI modules."""

from __future__ import annotations

import functools

import click

from dmsu.core import schema
from dmsu.core.db import connection_problem


def needs_schema(func):
    """Refuse to run with one clear sentence when the database is unreachable or empty."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        problem = connection_problem()
        if problem:
            raise click.ClickException(problem)
        if not schema.schema_ready():
            raise click.ClickException(schema.MISSING_SCHEMA)
        return func(*args, **kwargs)

    return wrapper
