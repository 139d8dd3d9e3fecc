"""Migration m0908 repairs the digests that a recount racing a publish left behind: the digest
row written back as it was read before the publish (a draft again, or an older revision),
its revision counter behind its revision rows. After the repair every digest agrees with its
revisions, publishing works again, and a second run changes nothing."""

from __future__ import annotations

from dmsu.core import schema
from dmsu.core.db import database
from dmsu.digests.drafting import draft_digest
from dmsu.digests.models import Digest, DigestRevision
from dmsu.migrations import m0908_digest_revision_repair as repair
from tests.support.digests_history import WEEK, make_week

EDIT = f"/digests/{WEEK}/edit"
LATER_WEEK = "2013-W08"


def _edit_form(digest: Digest, **changes) -> dict:
    return {"version": str(digest.version), "intro": digest.intro, **changes}


def _publish(client, week: str, intro: str):
    digest = Digest.get(Digest.week == week)
    return client.form(f"/digests/{week}/edit", _edit_form(digest, intro=intro, action="publish"))


def _row(week: str) -> dict:
    return dict(Digest.get(Digest.week == week).__data__)


def _revision(week: str, number: int) -> DigestRevision:
    return DigestRevision.get(
        (DigestRevision.digest == Digest.get(Digest.week == week))
        & (DigestRevision.number == number)
    )


def _damaged_world(assigner_client, make_ticket) -> dict:
    """Three digests: one whose correction was lost (counter 1, rows 1 and 2), one whose first
    publication was lost (a draft with row 1), and a healthy one."""
    make_week(make_ticket)
    for week in (WEEK, LATER_WEEK, "2013-W09"):
        draft_digest(week)
    assert _publish(assigner_client, WEEK, "First words.").status_code == 302
    before_correction = _row(WEEK)
    assert _publish(assigner_client, WEEK, "Corrected words.").status_code == 302
    before_publication = _row(LATER_WEEK)
    assert _publish(assigner_client, LATER_WEEK, "Later words.").status_code == 302
    assert _publish(assigner_client, "2013-W09", "Healthy words.").status_code == 302
    for week, stale in ((WEEK, before_correction), (LATER_WEEK, before_publication)):
        digest = Digest.get(Digest.week == week)
        columns = ("state", "revision", "published_version", "public_html", "published_at")
        Digest.update(
            **{name: stale[name] for name in (*columns, "revised_at", "intro", "intro_html")},
            version=digest.version + 1,
        ).where(Digest.id == digest.id).execute()
    return {"healthy": _row("2013-W09")}


def test_publishing_a_damaged_digest_is_refused_in_one_sentence(assigner_client, make_ticket):
    _damaged_world(assigner_client, make_ticket)
    answer = _publish(assigner_client, WEEK, "A correction before the repair.")
    assert answer.status_code == 422
    assert "out of step with its published revisions" in answer.get_data(as_text=True)
    assert [r.number for r in DigestRevision.select().join(Digest).where(Digest.week == WEEK)] == [
        1,
        2,
    ]


def test_the_repair_makes_each_digest_agree_with_its_revisions(
    assigner_client, client, make_ticket
):
    world = _damaged_world(assigner_client, make_ticket)
    assert client.get(f"/digests/{LATER_WEEK}").status_code == 404  # lost from the public
    repair.up(database, schema.migrator())

    corrected = Digest.get(Digest.week == WEEK)
    first, second = _revision(WEEK, 1), _revision(WEEK, 2)
    assert corrected.state == "published" and corrected.revision == 2
    assert corrected.public_html == second.html and "Corrected words." in corrected.public_html
    assert corrected.published_at == first.created_at
    assert corrected.revised_at == second.created_at
    later = Digest.get(Digest.week == LATER_WEEK)
    assert later.state == "published" and later.revision == 1
    assert later.public_html == _revision(LATER_WEEK, 1).html
    assert later.published_at == later.revised_at == _revision(LATER_WEEK, 1).created_at
    assert _row("2013-W09") == world["healthy"]
    assert "Later words." in client.get(f"/digests/{LATER_WEEK}").get_data(as_text=True)

    rows = {week: _row(week) for week in (WEEK, LATER_WEEK, "2013-W09")}
    repair.up(database, schema.migrator())
    assert {week: _row(week) for week in rows} == rows  # a second run changes nothing

    again = _publish(assigner_client, WEEK, "A correction after the repair.")
    assert again.status_code == 302, again.get_data(as_text=True)[:300]
    repaired = Digest.get(Digest.week == WEEK)
    assert repaired.revision == 3 and _revision(WEEK, 3).html == repaired.public_html
    assert "A correction after the repair." in client.get(f"/digests/{WEEK}").get_data(as_text=True)


def test_the_repair_is_a_registered_migration(app):
    assert "m0908_digest_revision_repair" in schema.applied()
