"""Two people at once on one weekly digest, over real HTTP against a live server: the shift
publishes while a colleague recounts the draft, and saves an entry while a colleague drops it.
Nothing anyone saved is lost, the revision counter always equals the number of published
revisions, and publishing keeps working afterwards."""

from __future__ import annotations

from functools import partial

import pytest

from dmsu.digests.drafting import draft_digest, entries_of
from dmsu.digests.models import Digest, DigestEntry, DigestRevision
from tests.support.digests_history import WEEK, make_week
from tests.support.live_http import LiveSession, race

ROUNDS = 15
EDIT = f"/digests/{WEEK}/edit"
DRAFT = f"/digests/{WEEK}/draft"


@pytest.fixture
def digest(make_ticket):
    make_week(make_ticket)
    return draft_digest(WEEK).digest


@pytest.fixture
def shift(live_server, make_user):
    return LiveSession(live_server.url).log_in(make_user("assigner"))


@pytest.fixture
def colleague(live_server, make_user):
    return LiveSession(live_server.url).log_in(make_user("admin"))


def _form(digest: Digest, **changes) -> dict:
    """The edit form as the page sends it (every entry, dropped ones too), with ``changes``."""
    data = {"version": str(digest.version), "intro": digest.intro}
    for entry in DigestEntry.select().where(DigestEntry.digest == digest):
        for name in ("title", "status_text", "symptoms", "impact", "workaround"):
            data[f"entry-{entry.id}-{name}"] = getattr(entry, name)
    data.update(changes)
    return data


def _revision_numbers(digest: Digest) -> list[int]:
    return [
        r.number
        for r in DigestRevision.select(DigestRevision.number)
        .where(DigestRevision.digest == digest)
        .order_by(DigestRevision.number)
    ]


def _assert_consistent(digest: Digest, label: str) -> Digest:
    """The digest's published state agrees with its revision rows."""
    stored = Digest.get_by_id(digest.id)
    numbers = _revision_numbers(digest)
    assert numbers == list(range(1, len(numbers) + 1)), f"{label}: revisions {numbers}"
    assert stored.revision == len(numbers), (
        f"{label}: the revision counter is {stored.revision} with {len(numbers)} revision rows"
    )
    if numbers:
        latest = DigestRevision.get(
            (DigestRevision.digest == digest) & (DigestRevision.number == numbers[-1])
        )
        assert stored.state == "published", f"{label}: a published digest went back to draft"
        assert stored.public_html == latest.html, f"{label}: the public page is not the latest"
    return stored


def test_recounting_the_draft_while_it_is_published_loses_no_edit(digest, shift, colleague):
    entry = entries_of(digest)[0]
    published_rounds = 0
    for n in range(ROUNDS):
        current = Digest.get_by_id(digest.id)
        intro, impact = f"Introduction of round {n}.", f"Impact written in round {n}."
        form = _form(
            current, intro=intro, action="publish", note=f"round {n}",
            **{f"entry-{entry.id}-impact": impact},
        )  # fmt: skip
        published, recounted = race(
            partial(shift.form, EDIT, form),
            partial(colleague.form, DRAFT, {"refresh": "1"}),
        )
        label = f"round {n}"
        assert recounted.status_code == 302, (
            f"{label}: the recount answered {recounted.status_code}"
        )
        assert published.status_code in (302, 409), (
            f"{label}: the publish answered {published.status_code}: {published.text[:300]}"
        )
        stored = _assert_consistent(digest, label)
        if published.status_code == 302:
            published_rounds += 1
            assert stored.intro == intro, f"{label}: the published introduction was lost"
            assert DigestEntry.get_by_id(entry.id).impact == impact, f"{label}: impact lost"
            assert intro in stored.public_html and impact in stored.public_html
        else:
            assert "nothing of yours was saved" in published.text
            assert intro in published.text and impact in published.text  # the text is kept
    assert published_rounds >= 1, "every publish lost the race: nothing was tested"
    # A correction after the races publishes as the next revision.
    current = Digest.get_by_id(digest.id)
    correction = shift.form(EDIT, _form(current, intro="The correction.", action="publish"))
    assert correction.status_code == 302, correction.text[:300]
    stored = _assert_consistent(digest, "the correction")
    assert stored.revision == published_rounds + 1
    assert "The correction." in stored.public_html


def test_saving_an_entry_while_it_is_dropped_keeps_the_text(digest, shift, colleague):
    entry = entries_of(digest)[0]
    for n in range(ROUNDS):
        current = Digest.get_by_id(digest.id)
        impact = f"Impact saved in round {n}."
        form = _form(current, **{f"entry-{entry.id}-impact": impact})
        saved, dropped = race(
            partial(shift.form, EDIT, form),
            partial(colleague.form, f"/digests/{WEEK}/entries/{entry.id}/drop"),
        )
        label = f"round {n}"
        assert dropped.status_code == 302, f"{label}: the drop answered {dropped.status_code}"
        assert saved.status_code in (302, 409), f"{label}: the save answered {saved.status_code}"
        stored = DigestEntry.get_by_id(entry.id)
        assert stored.dropped, f"{label}: the drop was lost"
        if saved.status_code == 302:
            assert stored.impact == impact, f"{label}: the saved impact was lost"
            assert stored.edited
        DigestEntry.update(dropped=False).where(DigestEntry.id == entry.id).execute()


def test_two_people_publishing_at_the_same_moment_publish_one_revision(digest, shift, colleague):
    """Issue 23: concurrent publishes of one digest answered 500 or 503. Each round both
    publish the page they loaded, with their own introduction: one revision is published and
    mailed, the other person is told in one sentence and keeps their text."""
    for n in range(ROUNDS):
        current = Digest.get_by_id(digest.id)
        intros = {
            "shift": f"Text of the shift, round {n}.",
            "colleague": f"Text of the admin, {n}.",
        }
        answers = race(
            partial(shift.form, EDIT, _form(current, intro=intros["shift"], action="publish")),
            partial(
                colleague.form, EDIT, _form(current, intro=intros["colleague"], action="publish")
            ),
        )
        label = f"round {n}"
        codes = sorted(answer.status_code for answer in answers)
        assert codes == [302, 409], f"{label}: the publishes answered {codes}"
        stored = _assert_consistent(digest, label)
        assert stored.revision == n + 1, f"{label}: {stored.revision} revisions"
        for who, answer in zip(("shift", "colleague"), answers, strict=True):
            if answer.status_code == 302:
                assert intros[who] in stored.public_html, f"{label}: {who}'s text not published"
            else:
                assert intros[who] in answer.text, f"{label}: {who}'s text was not kept"
