"""Drafting the weekly digest: counts from events, broad-impact entries, idempotence, CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from dmsu.digests import rota, schedule
from dmsu.digests.drafting import DigestError, draft_digest, entries_of, week_activity
from dmsu.digests.models import Digest, DigestEntry
from tests.support.digests_history import SECRET_COMMENT, SECRET_EMAIL, WEEK, make_week


def test_counts_come_from_the_weeks_events(make_ticket):
    make_week(make_ticket)
    activity = week_activity(WEEK)
    assert activity.counts == {
        "new_in_dmsu": 3,  # 91001, 91003, 91006
        "solved_in_dmsu": 1,  # 91001
        "sent_to_third_line": 1,  # 91002
        "back_to_tpm": 1,  # 91003
        "still_open": 2,  # 91004 (from the week before), 91006
    }


def test_a_status_set_at_the_third_line_is_not_solved_in_dmsu(make_ticket):
    make_ticket(
        92001,
        events=[
            {"at": "2013-02-11T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
            {"at": "2013-02-12T09:00:00+00:00", "type": "assigned", "support_unit": "dCache"},
            {"at": "2013-02-13T09:00:00+00:00", "type": "status", "status": "solved"},
        ],
    )
    counts = week_activity(WEEK).counts
    assert counts["solved_in_dmsu"] == 0
    assert counts["sent_to_third_line"] == 1
    assert counts["still_open"] == 0


def test_draft_takes_broad_impact_tickets_handled_that_week(make_ticket, make_user):
    make_week(make_ticket)
    shift = make_user("assigner", "anna")
    rota.generate_rota(WEEK, 1)
    result = draft_digest(WEEK)
    assert result.created
    digest = result.digest
    assert digest.author_id == shift.id
    assert json.loads(digest.counts)["new_in_dmsu"] == 3
    entries = entries_of(digest)
    assert [e.ggus_id for e in entries] == [91001, 91002]  # not 91005 (TPM only), not 91007
    first = entries[0]
    assert first.title == "CREAM CE drops jobs after proxy renewal"
    assert first.component_name == "CREAM CE"
    assert first.status_text == "solved, at DMSU"
    assert "<em>long</em>" in first.html and "<code>proxy_renewal = false</code>" in first.html
    assert SECRET_EMAIL not in first.symptoms and "e-mail address removed" in first.symptoms
    assert SECRET_COMMENT not in first.html
    assert entries[1].status_text == "assigned, at CREAM"


def test_drafting_twice_creates_nothing_twice(make_ticket):
    make_week(make_ticket)
    first = draft_digest(WEEK)
    again = draft_digest(WEEK)
    assert first.created and not again.created
    assert Digest.select().count() == 1
    assert DigestEntry.select().count() == 2


def test_refresh_recounts_and_keeps_edits_and_drops(make_ticket, make_user):
    tickets = make_week(make_ticket)
    digest = draft_digest(WEEK).digest
    first, second = entries_of(digest)
    first.impact, first.edited = "Edited by the shift.", True
    first.save()
    second.dropped = True
    second.save()
    make_ticket(
        91008,
        subject="A late broad-impact ticket",
        broad_impact=True,
        events=[{"at": "2013-02-15T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
    )
    tickets["solved"].status = "closed"
    tickets["solved"].save()
    result = draft_digest(WEEK, refresh=True)
    assert result.refreshed and result.added == 1
    assert json.loads(result.digest.counts)["new_in_dmsu"] == 4
    assert result.digest.version == digest.version + 1
    kept = DigestEntry.get_by_id(first.id)
    assert kept.impact == "Edited by the shift." and kept.status_text == "solved, at DMSU"
    assert DigestEntry.get_by_id(second.id).dropped
    assert [e.ggus_id for e in entries_of(result.digest)] == [91001, 91008]


def test_bad_week_is_one_sentence(app):
    for bad in ("2013-W53", "garbage", "2013-W7x"):
        with pytest.raises(DigestError, match="not an existing ISO week"):
            draft_digest(bad)


def test_monday_job_drafts_the_previous_week_once(app, make_ticket):
    make_week(make_ticket)
    monday = datetime(2013, 2, 18, 6, 0, tzinfo=UTC)  # 07:00 in Amsterdam
    with app.app_context():
        assert schedule.draft_previous_week(monday).startswith("drafted digest 2013-W07")
        assert schedule.draft_previous_week(monday).endswith("already drafted")
        # A late run on Wednesday still means the week before: nothing new.
        later = datetime(2013, 2, 20, 15, 0, tzinfo=UTC)
        assert schedule.draft_previous_week(later).endswith("already drafted")
    assert Digest.select().count() == 1
    assert schedule.previous_week(datetime(2013, 2, 17, 23, 0, tzinfo=UTC)) == "2013-W06"


def test_jobs_are_registered_on_monday_morning():
    from dmsu.jobs import all_jobs

    jobs = {job.name: job for job in all_jobs()}
    for name in ("draft-weekly-digest", "remind-digest-shift"):
        assert jobs[name].trigger == {
            "trigger": "cron",
            "day_of_week": "mon",
            "hour": 7,
            "minute": 0,
        }


def test_cli_drafts_a_week(runner, make_ticket):
    make_week(make_ticket)
    result = runner.invoke(args=["dmsu", "draft-digest", "--week", WEEK])
    assert result.exit_code == 0, result.output
    assert "Drafted the digest of 2013-W07 with 2 entries." in result.output
    again = runner.invoke(args=["dmsu", "draft-digest", "--week", WEEK])
    assert again.exit_code == 0 and "nothing changed" in again.output
    refreshed = runner.invoke(args=["dmsu", "draft-digest", "--week", WEEK, "--refresh"])
    assert refreshed.exit_code == 0 and "Refreshed" in refreshed.output


@pytest.mark.parametrize("week", ["2013-W53", "garbage", "2013-W00"])
def test_cli_refuses_a_week_that_does_not_exist(runner, week):
    result = runner.invoke(args=["dmsu", "draft-digest", "--week", week])
    assert result.exit_code == 2
    assert "is not an existing ISO week" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert Digest.select().count() == 0


def test_cli_publishes_and_generates_the_rota(runner, make_ticket, make_user):
    make_week(make_ticket)
    for name in ("anna", "bert"):
        make_user("assigner", name)
    missing = runner.invoke(args=["dmsu", "publish-digest", "--week", WEEK])
    assert missing.exit_code == 1 and "draft it first" in missing.output
    runner.invoke(args=["dmsu", "draft-digest", "--week", WEEK])
    published = runner.invoke(args=["dmsu", "publish-digest", "--week", WEEK])
    assert published.exit_code == 0, published.output
    assert "revision 1" in published.output
    assert Digest.get(Digest.week == WEEK).state == "published"
    again = runner.invoke(args=["dmsu", "publish-digest", "--week", WEEK])
    assert again.exit_code == 1 and "Nothing has changed since revision 1" in again.output
    rota_out = runner.invoke(args=["dmsu", "generate-rota", "--from", "2013-W10", "--weeks", "3"])
    assert rota_out.exit_code == 0
    assert rota_out.output.split() == ["2013-W10", "anna", "2013-W11", "bert", "2013-W12", "anna"]
    bad = runner.invoke(args=["dmsu", "generate-rota", "--from", "2013-W99"])
    assert bad.exit_code == 2 and "not an existing ISO week" in bad.output
