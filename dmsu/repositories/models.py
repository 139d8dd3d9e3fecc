"""The repositories area's tables: the repositories to scan, each scan, what each scan saw and
the releases it recorded.

Seed 001: "Because the information of released components is available in the UMD
repository, this step can be automated."
"""

from __future__ import annotations

from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from dmsu.cheatsheet.models import Component
from dmsu.core import clock
from dmsu.core.db import BaseModel, UTCDateTimeField

KINDS = ("yum", "apt", "release-notes")
# The stage a channel stands for. UMD 4: untested, testing, base, updates; UMD 5: release,
# testing, contrib. "testing" (candidate) = a component release delivered, under
# verification; "production" = it passed UMD verification and stage rollout.
STAGES = ("testing", "production")
CHANNELS = {
    "untested": "testing",
    "testing": "testing",
    "candidate": "testing",
    "contrib": "testing",  # contributed, not verified by UMD: never closes a ticket
    "base": "production",
    "updates": "production",
    "release": "production",
    "production": "production",
}


class RepositorySource(BaseModel):
    """One repository the scan reads: a yum/dnf or apt repository, or a UMD release-notes
    JSON file, with the channel it is."""

    name = CharField(max_length=120, unique=True)
    url = CharField(max_length=1000)
    kind = CharField(max_length=16, default="yum")  # KINDS
    channel = CharField(max_length=16, default="testing")  # a key of CHANNELS
    enabled = BooleanField(default=True)
    created_at = UTCDateTimeField(default=clock.now)

    @property
    def stage(self) -> str:
        return CHANNELS.get(self.channel, "testing")


class RepositoryScan(BaseModel):
    """One scan of every enabled repository: what it read and recorded, and what went wrong
    (one sentence per line)."""

    started_at = UTCDateTimeField(default=clock.now, index=True)
    finished_at = UTCDateTimeField(null=True)
    trigger = CharField(max_length=16, default="job")  # job, command, page, demo
    repositories_read = IntegerField(default=0)
    repositories_failed = IntegerField(default=0)
    packages_seen = IntegerField(default=0)
    releases_recorded = IntegerField(default=0)
    tickets_closed = IntegerField(default=0)
    errors = TextField(default="")
    unknown_packages = TextField(default="")  # package names no component claims, one a line

    @property
    def error_list(self) -> list[str]:
        return [line for line in self.errors.splitlines() if line.strip()]

    @property
    def unknown_list(self) -> list[str]:
        return [line for line in self.unknown_packages.splitlines() if line.strip()]


class SeenPackage(BaseModel):
    """The newest version of one package a scan saw in one repository it read whole."""

    scan = ForeignKeyField(RepositoryScan, backref="seen", on_delete="CASCADE")
    source = ForeignKeyField(RepositorySource, backref="seen", on_delete="CASCADE")
    name = CharField(max_length=200)
    evr = CharField(max_length=200)

    class Meta:
        indexes = ((("source", "scan", "name"), True),)


class RepositoryRelease(BaseModel):
    """A release a scan recorded (or found withdrawn) from one repository."""

    scan = ForeignKeyField(RepositoryScan, backref="releases", on_delete="CASCADE")
    source = ForeignKeyField(RepositorySource, backref="releases", on_delete="CASCADE")
    component = ForeignKeyField(Component, on_delete="CASCADE")
    package = CharField(max_length=200)
    version = CharField(max_length=64)
    action = CharField(max_length=16)  # delivered, verified, withdrawn
    tickets_closed = IntegerField(default=0)
    at = UTCDateTimeField(default=clock.now, index=True)


# Every table of this area in dependency order, gathered by :mod:`dmsu.models`.
TABLES: list = [RepositorySource, RepositoryScan, SeenPackage, RepositoryRelease]
