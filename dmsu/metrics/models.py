"""TCB recommendations: the forecast-based metric (seed 000, "Forecast based metric")."""

from __future__ import annotations

from peewee import CharField, ForeignKeyField, IntegerField, TextField

from dmsu.auth.models import User
from dmsu.core import clock
from dmsu.core.db import BaseModel, UTCDateTimeField


class Recommendation(BaseModel):
    """Seed 000: "At the end of each quarter ... a recommendation for changes / fixes to the
    providers of the deployed middleware is authored. The list is accompanied with risks if not
    following the recommendations / improvements expected if recommendations are followed."
    """

    quarter = CharField(max_length=8, index=True)  # PQ9
    title = CharField(max_length=300)
    text = TextField(default="")
    risk = TextField(default="")
    improvement = TextField(default="")
    followed = CharField(max_length=16, default="")  # "", yes, no, partly
    outcome = TextField(default="")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=clock.now)
    reviewed_at = UTCDateTimeField(null=True)
    version = IntegerField(default=1)  # bumped on every save (compare-and-set: no lost edits)
