"""A weekly digest as the search index holds it (:mod:`dmsu.core.search`): the text of its
current published revision, for everyone — what the public reads, word for word (drafts are
not in the index: a draft's entries are the tickets, which staff find as tickets).

Seed 001: the digest summarises "the issues which are likely to affect larger part of the
community", so a digest's title names its week and its text is what a reader searched for.
:func:`dmsu.digests.publishing.publish` calls :func:`reindex` in its transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from dmsu.core.search.documents import CHUNK, Document, put, remove
from dmsu.digests.models import Digest, DigestRevision

AREA = "digests"


def documents(digest_ids: list[int]) -> list[Document]:
    result = []
    for start in range(0, len(digest_ids), CHUNK):
        part = digest_ids[start : start + CHUNK]
        query = (
            Digest.select(Digest.week, Digest.revised_at, DigestRevision.text)
            .join(
                DigestRevision,
                on=(
                    (DigestRevision.digest == Digest.id)
                    & (DigestRevision.number == Digest.revision)
                ),
            )
            .where(Digest.id.in_(part), Digest.state == "published")
            .tuples()
        )
        for week, revised_at, text in query:
            result.append(
                Document(
                    area=AREA,
                    key=week,
                    title=f"Digest {week}",
                    body=text,
                    audience="public",
                    at=revised_at,
                )
            )
    return result


def reindex(digest_ids: Iterable[int]) -> int:
    ids = sorted(set(digest_ids))
    found = documents(ids)
    weeks = [week for (week,) in Digest.select(Digest.week).where(Digest.id.in_(ids)).tuples()]
    remove(AREA, weeks)  # a digest no longer published leaves the index
    put(found)
    return len(found)


def all_ids() -> list[int]:
    return [digest_id for (digest_id,) in Digest.select(Digest.id).order_by(Digest.id).tuples()]
