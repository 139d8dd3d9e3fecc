"""The job runner: ``dmsu tick``, idempotent reruns, late deadlines suppressed, and one
scheduler at a time (a database lock)."""

from __future__ import annotations

import pytest

from dmsu import jobs
from dmsu.notify.models import Notification
from dmsu.tickets.models import TicketEvent
from dmsu.tickets.units import SupportUnit


@pytest.fixture
def app_config(smtp_app_config):
    return smtp_app_config


@pytest.fixture
def history(make_ticket):
    """A ticket at CREAM (Level 3) and one waiting for its submitter."""
    SupportUnit.create(
        name="CREAM", kind="third_line", sla_level="level3", contact_email="cream@example.org"
    )
    dmsu = SupportUnit.named("DMSU")
    dmsu.contact_email = "dmsu@example.org"
    dmsu.save()
    make_ticket(
        91039,
        priority="urgent",  # severity 3, Level 3: "1 working day"
        events=[
            # Monday 2013-02-11 10:00 Amsterdam
            {"at": "2013-02-11T09:00:00+00:00", "type": "assigned", "support_unit": "CREAM"},
        ],
    )
    make_ticket(
        91040,
        submitter_email="jane@site.example",
        events=[
            {"at": "2013-02-01T09:00:00+00:00", "type": "assigned", "support_unit": "DMSU"},
            {
                "at": "2013-02-04T12:00:00+00:00",
                "type": "status",
                "status": "waiting for reply",
                "author_role": "dmsu",
            },
        ],
    )


def tick(runner, now):
    return runner.invoke(args=["dmsu", "tick", "--now", now])


def test_every_area_job_is_registered():
    names = [job.name for job in jobs.all_jobs()]
    for name in ("sla-check", "eta-check", "waiting-reminders", "reaction-oversight"):
        assert name in names
    assert names[-1] == "deliver-mail"  # mail goes last


def test_tick_runs_every_job_as_of_the_instant_and_prints_summaries(app, runner, history):
    result = tick(runner, "2013-02-11T16:30:00+01:00")
    assert result.exit_code == 0, result.output
    assert "Jobs as of 2013-02-11T15:30:00+00:00:" in result.output
    assert "sla-check: 1 tickets with SLA clocks, 1 reminders, 0 violations" in result.output
    assert "waiting-reminders: 1 reminders to submitters, 0 tickets closed" in result.output
    assert "deliver-mail: sent 2" in result.output


def test_tick_twice_sends_nothing_twice(app, runner, history, smtp_server):
    assert tick(runner, "2013-02-11T16:30:00+01:00").exit_code == 0
    assert tick(runner, "2013-02-11T16:45:00+01:00").exit_code == 0
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        "cream@example.org",
        "jane@site.example",
    ]
    # the deadline passes (Tuesday 10:00 Amsterdam): one violation, reported to DMSU, once
    for now in ("2013-02-12T10:30:00+01:00", "2013-02-12T11:00:00+01:00"):
        assert tick(runner, now).exit_code == 0
    assert [m.message["Subject"] for m in smtp_server.messages[2:]] == [
        "[GGUS 91039] SLA violated by CREAM"
    ]
    assert smtp_server.messages[2].rcpt_tos == ["dmsu@example.org"]
    violations = TicketEvent.select().where(TicketEvent.kind == "sla_violation")
    assert violations.count() == 1


def test_a_deadline_noticed_more_than_a_day_late_is_recorded_not_mailed(
    app, runner, history, smtp_server
):
    result = tick(runner, "2013-06-01T12:00:00+02:00")
    assert result.exit_code == 0, result.output
    assert smtp_server.messages == []
    (violation,) = TicketEvent.select().where(TicketEvent.kind == "sla_violation")
    assert violation.actor_role == "system" and violation.actor_id is None
    assert {n.state for n in Notification.select()} == {"suppressed"}
    assert Notification.select().where(Notification.kind == "sla_violation").count() == 1


def test_tick_refuses_an_instant_without_offset(app, runner):
    result = runner.invoke(args=["dmsu", "tick", "--now", "2013-02-11T09:00"])
    assert result.exit_code != 0
    assert "has no UTC offset" in result.output
    assert "Traceback" not in result.output


def test_a_failing_job_does_not_stop_the_others(app, monkeypatch):
    def broken(now):
        raise RuntimeError("boom")

    spec = jobs.JobSpec("broken", broken)
    monkeypatch.setattr(jobs, "all_jobs", lambda: [spec, jobs.JobSpec("ok", lambda now: "fine")])
    assert jobs.run_all(None) == [("broken", "failed: boom"), ("ok", "fine")]


def test_a_second_scheduler_lock_is_refused_until_the_first_is_released(app):
    first, second = jobs.scheduler_lock(app), jobs.scheduler_lock(app)
    try:
        assert first.acquire()
        assert first.acquire()  # held: still True
        assert not second.acquire()
        first.release()
        assert second.acquire()
        assert not first.acquire()
    finally:
        first.release()
        second.release()


def test_a_standby_scheduler_runs_no_job(app):
    ran = []
    spec = jobs.JobSpec("probe", lambda now: ran.append(now) or "ran")
    holder, standby = jobs.scheduler_lock(app), jobs.scheduler_lock(app)
    try:
        assert holder.acquire()
        assert jobs.guarded(app, spec, standby)() is None
        assert ran == []
        holder.release()
        assert jobs.guarded(app, spec, standby)() == "ran"  # takes over when the first stops
        assert len(ran) == 1
    finally:
        holder.release()
        standby.release()


def test_the_scheduler_has_every_job_on_its_trigger(app):
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = jobs.build_scheduler(app, BackgroundScheduler, jobs.scheduler_lock(app))
    assert sorted(job.id for job in scheduler.get_jobs()) == sorted(
        spec.name for spec in jobs.all_jobs()
    )


@pytest.mark.parametrize("app_config", [{"DMSU_SCHEDULER": True, "TESTING": False}])
def test_the_in_process_scheduler_starts_when_configured(app):
    scheduler = app.extensions["dmsu_scheduler"]
    try:
        assert scheduler.running
        assert {job.id for job in scheduler.get_jobs()} >= {"sla-check", "deliver-mail"}
    finally:
        scheduler.shutdown(wait=True)
        app.extensions["dmsu_scheduler_lock"].release()


def test_cron_triggers_read_in_the_units_time_zone(app):
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = jobs.build_scheduler(app, BackgroundScheduler, jobs.scheduler_lock(app))
    assert str(scheduler.timezone) == app.config["DMSU_TIMEZONE"] == "Europe/Amsterdam"
    draft = scheduler.get_job("draft-weekly-digest")
    assert str(draft.trigger.timezone) == "Europe/Amsterdam"
