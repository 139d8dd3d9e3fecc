"""Digests left behind by a recount racing a publish: the recount had read the digest before
the publish and wrote every column back after it, so the digest became a draft again (or
showed an older revision) with its revision counter behind its revision rows, and every later
publish failed on the unique (digest, number) of the revision it tried to add.

The revision rows are what was published, so each digest is made to agree with them: the
counter is the highest number, the public page is that revision's HTML, the digest is
published, first published when its first revision was made and revised when its latest
was. The working copy (introduction, entries) cannot be recovered from the revision's HTML and
stays as it is; the digest then shows as having changes not published yet. Digests that
already agree are not touched, so the migration is a no-op where there is nothing to repair.
"""

from __future__ import annotations


def up(db, migrator):
    from peewee import fn

    from dmsu.digests.models import Digest, DigestRevision

    spans = (
        DigestRevision.select(
            DigestRevision.digest,
            fn.MAX(DigestRevision.number),
            fn.MIN(DigestRevision.created_at),
            fn.MAX(DigestRevision.created_at),
        )
        .group_by(DigestRevision.digest)
        .tuples()
    )
    for digest_id, number, first_at, last_at in list(spans):
        latest = DigestRevision.get(
            (DigestRevision.digest == digest_id) & (DigestRevision.number == number)
        )
        Digest.update(
            state="published",
            revision=number,
            public_html=latest.html,
            published_at=fn.COALESCE(Digest.published_at, first_at),
            revised_at=last_at,
        ).where(
            (Digest.id == digest_id)
            & (
                (Digest.revision != number)
                | (Digest.state != "published")
                | Digest.published_at.is_null()
            )
        ).execute()
