"""The forums job: every 15 minutes, and harmless when nothing is configured (nothing written)."""

from __future__ import annotations

from dmsu.forums.models import ForumList, ForumMailbox
from dmsu.forums.schedule import JOBS


def test_the_job_without_sources_says_so_and_writes_nothing(app):
    (job,) = [j for j in JOBS if j.name == "forums-fetch"]
    assert job.trigger == {"trigger": "interval", "minutes": 15}
    with app.app_context():
        assert job.func(None) == "No forums mailbox or Bugzilla is configured; nothing to fetch."
    assert ForumList.select().count() == 0 and ForumMailbox.select().count() == 0
