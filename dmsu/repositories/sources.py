"""The repositories the scan reads, as admins configure them (the admin page and
``DMSU_REPOSITORIES``).

Each has a kind (``yum``: ``repodata/repomd.xml`` under the URL; ``apt``: ``Release`` under
it; ``release-notes``: a UMD release-notes JSON file) and a channel, which says the stage: the
real layout of UMD is ``repository/umd/<major>/<os>/<channel>/<arch>``, channels untested,
testing, base, updates (UMD 4) and release, testing, contrib (UMD 5); see
:data:`~dmsu.repositories.models.CHANNELS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dmsu.core.db import write_transaction
from dmsu.repositories.models import CHANNELS, KINDS, RepositorySource

_URL = re.compile(r"^(https?|file)://\S+$", re.IGNORECASE)


class SourceError(ValueError):
    """A repository entry that cannot be used; the message is one sentence."""


@dataclass(frozen=True)
class SourceData:
    name: str
    kind: str
    channel: str
    url: str


def check(name: str, kind: str, channel: str, url: str) -> SourceData:
    """The entry cleaned, or :class:`SourceError` naming what is wrong."""
    name, kind, channel, url = (
        (name or "").strip(),
        (kind or "").strip().lower(),
        (channel or "").strip().lower(),
        (url or "").strip(),
    )
    if not name or len(name) > 120:
        raise SourceError("Give the repository a name of at most 120 characters.")
    if kind not in KINDS:
        raise SourceError(f"'{kind}' is not a kind of repository; use {', '.join(KINDS)}.")
    if channel not in CHANNELS:
        raise SourceError(
            f"'{channel}' is not a UMD channel; use one of {', '.join(sorted(CHANNELS))}."
        )
    if not _URL.match(url) or len(url) > 1000:
        raise SourceError(f"'{url[:80]}' is not an http://, https:// or file:// address.")
    return SourceData(name, kind, channel, url)


def parse_config(text: str) -> list[SourceData]:
    """``DMSU_REPOSITORIES``: entries ``name | kind | channel | URL``, one per line or ``;``."""
    entries = []
    for line in re.split(r"[;\n]", text or ""):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 4:
            raise SourceError(
                f"DMSU_REPOSITORIES entry '{line.strip()[:80]}' is not 'name | kind | channel | URL'."
            )
        entries.append(check(*parts))
    return entries


def add_configured(text: str) -> int:
    """Add the configured repositories the admins' list does not have yet (by name); an
    entry an admin changed on the page is left as the admin made it. Returns how many."""
    added = 0
    with write_transaction():
        for entry in parse_config(text):
            if RepositorySource.get_or_none(RepositorySource.name == entry.name) is None:
                RepositorySource.create(**entry.__dict__)
                added += 1
    return added


def save(data: SourceData, source_id: int | None = None) -> RepositorySource:
    """Add a repository, or change the one with ``source_id``."""
    with write_transaction():
        clash = RepositorySource.get_or_none(RepositorySource.name == data.name)
        if clash is not None and clash.id != source_id:
            raise SourceError(f"There is already a repository named '{data.name}'.")
        if source_id is None:
            return RepositorySource.create(**data.__dict__)
        source = RepositorySource.get_or_none(RepositorySource.id == source_id)
        if source is None:
            raise SourceError("That repository was removed meanwhile.")
        for key, value in data.__dict__.items():
            setattr(source, key, value)
        source.save()
        return source


def id_named(name: str) -> int | None:
    source = RepositorySource.get_or_none(RepositorySource.name == name)
    return source.id if source is not None else None


def set_enabled(source_id: int, enabled: bool) -> None:
    RepositorySource.update(enabled=enabled).where(RepositorySource.id == source_id).execute()


def all_sources() -> list[RepositorySource]:
    return list(RepositorySource.select().order_by(RepositorySource.name))
