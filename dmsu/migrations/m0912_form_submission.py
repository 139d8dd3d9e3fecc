"""``form_submission``: the tokens of forms saved once (:mod:`dmsu.core.once`). A no-op where
the table exists."""

from __future__ import annotations


def up(db, migrator):
    from dmsu.core.once import FormSubmission

    db.create_tables([FormSubmission], safe=True)
