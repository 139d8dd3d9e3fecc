"""The TCB digest: requirements gathered in a period with their status, as a page, markdown and
CSV, and recording them as reported at a TCB meeting (once per meeting, all or nothing)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from dmsu.core import clock
from dmsu.requirements import log, routing
from dmsu.requirements.models import Requirement, RequirementEvent, TcbReport
from dmsu.requirements.rt_client import RtSettings

# PQ11 = 2012-11-01 .. 2013-02-01
BEFORE = datetime(2012, 9, 3, 9, tzinfo=UTC)
DURING = datetime(2012, 12, 3, 9, tzinfo=UTC)
AFTER = datetime(2013, 3, 4, 9, tzinfo=UTC)


@pytest.fixture
def log_of_requirements(clients, make_ticket):
    make_ticket(91039, component="CREAM CE")
    user = clients["resolver"].user
    made = {}
    with clock.frozen(BEFORE):
        made["old_open"] = log.create_requirement(user, title="Old, still open | piped")
        made["old_done"] = log.create_requirement(user, title="Old, done before")
        log.change_status(made["old_done"], user, "withdrawn")
    with clock.frozen(DURING):
        made["new"] = log.create_requirement(
            user, title="Per-VO queue length", component="CREAM CE", ggus_ids=[91039]
        )
        made["rt"] = log.create_requirement(user, title="Sent to RT")
        routing.assess(made["rt"], user, "large")
        routing.link_rt_ticket(made["rt"], user, "4711", RtSettings(url=""))
        made["accepted"] = log.create_requirement(user, title="Accepted one")
        routing.assess(made["accepted"], user, "small")
    Requirement.update(status="accepted").where(Requirement.id == made["accepted"].id).execute()
    with clock.frozen(AFTER):
        made["later"] = log.create_requirement(user, title="Later one")
    return made


def test_the_digest_lists_gathered_and_earlier_open_requirements(
    resolver_client, log_of_requirements
):
    html = resolver_client.get("/requirements/tcb?period=PQ11").get_data(as_text=True)
    assert "TCB requirements digest PQ11" in html
    gathered = html.split('id="gathered"')[1].split('id="in-progress"')[0]
    earlier = html.split('id="in-progress"')[1]
    for title in ("Per-VO queue length", "Sent to RT", "Accepted one"):
        assert title in gathered
    assert "Old, still open" in earlier and "Old, still open" not in gathered
    assert "Old, done before" not in html and "Later one" not in html
    assert "Gathered in PQ11 (3)" in html
    assert 'href="/requirements/tcb.md?period=PQ11"' in html
    assert 'href="/requirements/tcb.csv?period=PQ11"' in html


def test_the_digest_as_markdown_and_csv(resolver_client, log_of_requirements, app):
    app.config["DMSU_RT_URL"] = "https://rt.egi.eu/rt"
    md = resolver_client.get("/requirements/tcb.md?period=PQ11")
    assert md.mimetype == "text/markdown"
    text = md.get_data(as_text=True)
    assert text.startswith("# DMSU requirements digest PQ11\n")
    assert "## Gathered in PQ11" in text and "## Status of earlier requirements" in text
    assert "| [Sent to RT](" in text
    assert "[#4711](https://rt.egi.eu/rt/Ticket/Display.html?id=4711)" in text
    assert "Old, still open \\| piped" in text
    assert "| CREAM CE | — | new | #91039 | — |" in text
    rows = list(
        csv.DictReader(
            io.StringIO(
                resolver_client.get("/requirements/tcb.csv?period=PQ11").get_data(as_text=True)
            )
        )
    )
    assert [(r["section"], r["title"], r["status"]) for r in rows] == [
        ("gathered", "Per-VO queue length", "new"),
        ("gathered", "Sent to RT", "in RT"),
        ("gathered", "Accepted one", "accepted"),
        ("in progress", "Old, still open | piped", "new"),
    ]
    assert rows[1]["rt_url"] == "https://rt.egi.eu/rt/Ticket/Display.html?id=4711"


def test_recording_the_meeting_reports_each_once(resolver_client, log_of_requirements):
    made = log_of_requirements
    listed = [made[k].id for k in ("new", "rt", "accepted", "old_open")]
    form = {"period": "PQ11", "meeting_date": "2013-02-14", "requirement": [str(i) for i in listed]}
    response = resolver_client.form("/requirements/tcb", form)
    assert response.status_code == 303
    assert TcbReport.select().count() == 4
    status = {k: Requirement.get_by_id(made[k].id).status for k in made}
    assert status["new"] == status["rt"] == status["old_open"] == "reported to TCB"
    assert status["accepted"] == "accepted"  # a decided one keeps its status
    report = TcbReport.get(TcbReport.requirement == made["rt"].id)
    assert (report.meeting_date, report.status_reported) == (date(2013, 2, 14), "in RT")
    again = resolver_client.form("/requirements/tcb", form, follow_redirects=True)
    assert "Recorded 0 requirement(s)" in again.get_data(as_text=True)
    assert "4 were already recorded" in again.get_data(as_text=True)
    assert TcbReport.select().count() == 4
    page = resolver_client.get(f"/requirements/{made['rt'].id}").get_data(as_text=True)
    assert "2013-02-14" in page and "Reported to the TCB meeting of 2013-02-14" in page


def test_a_bad_meeting_date_records_nothing(resolver_client, log_of_requirements):
    events = RequirementEvent.select().count()
    response = resolver_client.form(
        "/requirements/tcb", {"period": "PQ11", "meeting_date": "14/02"}
    )
    assert response.status_code == 422
    assert "&#39;14/02&#39; is not a date like 2013-02-14." in response.get_data(as_text=True)
    assert TcbReport.select().count() == 0 and RequirementEvent.select().count() == events


def test_a_requirement_not_in_the_digest_is_refused(resolver_client, log_of_requirements):
    later = log_of_requirements["later"].id
    response = resolver_client.form(
        "/requirements/tcb",
        {"period": "PQ11", "meeting_date": "2013-02-14", "requirement": [str(later)]},
    )
    assert response.status_code == 422
    assert f"Requirement {later} is not in the PQ11 digest" in response.get_data(as_text=True)
    assert TcbReport.select().count() == 0


def test_a_bad_period_is_a_clear_400(resolver_client):
    response = resolver_client.get("/requirements/tcb?period=Q9")
    assert response.status_code == 400
    assert "is not a period" in response.get_data(as_text=True)
    assert resolver_client.get("/requirements/tcb.csv?period=PQ0").status_code == 400


def test_tpm_reads_the_digest_but_does_not_record(tpm_client, log_of_requirements):
    assert tpm_client.get("/requirements/tcb?period=PQ11").status_code == 200
    response = tpm_client.form(
        "/requirements/tcb", {"period": "PQ11", "meeting_date": "2013-02-14"}
    )
    assert response.status_code == 403
    assert TcbReport.select().count() == 0


def test_the_digest_from_the_command_line(runner, log_of_requirements):
    result = runner.invoke(args=["dmsu", "requirements-digest", "--period", "PQ11"])
    assert result.exit_code == 0, result.output
    assert "# DMSU requirements digest PQ11" in result.output and "Sent to RT" in result.output
    bad = runner.invoke(args=["dmsu", "requirements-digest", "--period", "nope"])
    assert bad.exit_code == 2 and "is not a period" in bad.output
