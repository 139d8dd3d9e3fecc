"""The quarterly report mail: once a project quarter has ended, its report (markdown) is
mailed to ``DMSU_REPORT_MAILTO`` through the one mail path, under the key
``quarterly-report:PQn`` — so the daily job sends each report once, however often or late it
runs (ARCHITECTURE.md rule 5). Without ``DMSU_REPORT_MAILTO`` nothing is queued (and nothing is marked
as sent, so setting the address later still sends the last finished quarter).
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from dmsu.core.schedule import JobSpec
from dmsu.metrics import quarterly
from dmsu.metrics.periods import quarter_of
from dmsu.metrics.report import project_start
from dmsu.notify import mail
from dmsu.notify.models import Notification


def report_key(quarter_name: str) -> str:
    return f"quarterly-report:{quarter_name}"


def last_finished_quarter(now: datetime, config) -> str | None:
    """The name of the latest project quarter that has ended by ``now``."""
    start = project_start(config)
    if now.date() < start:
        return None
    n = quarter_of(now, start) - 1
    return f"PQ{n}" if n >= 1 else None


def send_quarterly_report(now: datetime) -> str:
    config = current_app.config
    name = last_finished_quarter(now, config)
    if name is None:
        return "no project quarter has ended yet"
    recipients = (config.get("DMSU_REPORT_MAILTO") or "").strip()
    if not recipients:
        return "DMSU_REPORT_MAILTO is not set; no report mailed"
    key = report_key(name)
    if Notification.select().where(Notification.key == key).exists():
        return f"the report of {name} was already sent"
    report = quarterly.build(name, config, now, with_recommendations=True)
    site = config.get("DMSU_SITE_NAME", "DMSU desk")
    queued = mail.queue(
        key,
        recipients,
        f"[{site}] Quarterly report {name}",
        quarterly.markdown(report, site),
        kind="quarterly_report",
    )
    return f"report of {name} queued for {recipients}" if queued else f"{name} already queued"


JOBS = [
    JobSpec("quarterly-report", send_quarterly_report, {"trigger": "cron", "hour": 6, "minute": 30})
]
