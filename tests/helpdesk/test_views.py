"""The admins' helpdesk pages, the CLI commands and the jobs; idle when not configured."""

from __future__ import annotations

import pytest

from dmsu.helpdesk import schedule
from dmsu.helpdesk.models import HelpdeskReview
from tests.support import zammad_server as zs

zammad = zs.zammad
zammad_config = zs.zammad_config


def test_idle_connector_says_so(admin_client, runner, app):
    page = admin_client.get("/helpdesk/").get_data(as_text=True)
    assert "idle" in page and "DMSU_ZAMMAD_URL" in page
    result = runner.invoke(args=["dmsu", "helpdesk-pull"])
    assert result.exit_code != 0 and "connector is idle" in result.output
    assert "connector is idle" in runner.invoke(args=["dmsu", "helpdesk-push"]).output
    with app.app_context():
        for job in schedule.JOBS:
            assert "idle" in job.func(None)


def test_mapping_page(admin_client):
    page = admin_client.get("/helpdesk/mapping").get_data(as_text=True)
    assert (
        "pending reminder" in page
        and "waiting for reply" in page
        and "helpdesk_mapping.toml" in page
    )


def test_mapping_edited_on_the_page(admin_client):
    response = admin_client.form("/helpdesk/mapping", {"text": '[states]\n"open" = "opened"\n'})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "not one of the site" in page
    assert "&#34;opened&#34;" in page or "&quot;opened&quot;" in page  # what was typed is kept
    text = '[states]\n"open" = "in progress"\n'
    assert admin_client.form("/helpdesk/mapping", {"text": text}).status_code == 303
    page = admin_client.get("/helpdesk/mapping").get_data(as_text=True)
    assert "saved by admin" in page and "pending reminder" not in page


def test_run_without_a_choice_is_one_sentence(admin_client):
    response = admin_client.form("/helpdesk/run", {})
    assert response.status_code == 400 and "Choose to pull or to push." in response.get_data(
        as_text=True
    )


class TestConfigured:
    @pytest.fixture
    def app_config(self, zammad_config):
        return zammad_config

    def test_pull_from_the_page_and_the_cli(self, admin_client, runner, zammad):
        zammad.add_ticket(3, number=71003, group="DMSU", created=zs.at(0))
        zammad.add_ticket(4, number=71004, group="DMSU", created=zs.at(1))
        zammad.change(4, zs.at(2), state="escalated to vendor")
        response = admin_client.form("/helpdesk/run", {"what": "pull"})
        assert response.status_code == 303
        page = admin_client.get("/helpdesk/").get_data(as_text=True)
        assert "2 kept (2 new" in page and "escalated to vendor" in page
        assert "Tickets linked</dt><dd>2" in page
        result = runner.invoke(args=["dmsu", "helpdesk-pull"])
        # from the cursor on: only the newest ticket is seen again, and it has not changed
        assert (
            result.exit_code == 0
            and "1 read, 0 kept" in result.output
            and "1 skipped" in result.output
        )

    def test_review_marked_by_an_admin(self, admin_client, zammad, app):
        zammad.add_ticket(4, number=71004, group="DMSU", created=zs.at(1))
        zammad.change(4, zs.at(2), state="escalated to vendor")
        admin_client.form("/helpdesk/run", {"what": "pull"})
        with app.app_context():
            review = HelpdeskReview.get()
        response = admin_client.form(f"/helpdesk/reviews/{review.id}/resolve", {})
        assert response.status_code == 303
        assert "escalated to vendor" not in admin_client.get("/helpdesk/").get_data(as_text=True)

    def test_helpdesk_down_is_one_sentence(self, runner, zammad):
        zammad.stop()
        result = runner.invoke(args=["dmsu", "helpdesk-pull"])
        assert result.exit_code != 0 and "could not be reached" in result.output
        assert "0 sent" in runner.invoke(args=["dmsu", "helpdesk-push"]).output
