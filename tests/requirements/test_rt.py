"""The RT link, against a real Request Tracker 5 on loopback (tests/support/rt_server.py): sending a
requirement creates the counter-ticket in the queue with the DMSU tag and the GGUS link,
rt-sync pulls the status, and a down, refusing or silent RT leaves the requirement unchanged
with one sentence saying why."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dmsu.core import clock
from dmsu.requirements import log, routing
from dmsu.requirements.models import Requirement, RequirementEvent
from dmsu.requirements.rt_client import RtClient, RtError, RtSettings
from tests.support import rt_server as rt_fixtures
from tests.support.rt_server import ROOT_PASSWORD

# The RT fixtures (tests/conftest.py is shared, so they are registered here).
rt_server = rt_fixtures.rt_server
rt_live = rt_fixtures.rt_live
rt_token = rt_fixtures.rt_token
rt_app_config = rt_fixtures.rt_app_config
silent_server = rt_fixtures.silent_server
closed_port_url = rt_fixtures.closed_port_url

pytestmark = [pytest.mark.slow, pytest.mark.rt]
AT = datetime(2013, 2, 11, 9, 0, tzinfo=UTC)
GGUS = "https://ggus.eu/?mode=ticket_info&ticket_id={id}"


@pytest.fixture
def app_config(rt_app_config):
    return {**rt_app_config, "DMSU_GGUS_TICKET_URL": GGUS, "DMSU_BASE_URL": "https://dmsu.test"}


@pytest.fixture
def large(clients, make_ticket):
    make_ticket(91039, subject="Per-VO queue length in CREAM", component="CREAM CE")
    make_ticket(91040, subject="Same wish from another site")
    user = clients["resolver"].user
    with clock.frozen(AT):
        r = log.create_requirement(
            user,
            title="Publish the queue length per VO",
            description="ATLAS needs *per-VO* numbers.",
            component="CREAM CE",
            ggus_ids=[91039, 91040],
        )
        routing.assess(r, user, "large")
    return Requirement.get_by_id(r.id)


def unchanged(requirement) -> bool:
    fresh = Requirement.get_by_id(requirement.id)
    events = RequirementEvent.select().where(RequirementEvent.requirement == requirement).count()
    return (fresh.version, fresh.rt_id, fresh.status, events) == (
        requirement.version,
        None,
        "assessed",
        2,
    )


def test_send_to_rt_creates_the_tagged_counter_ticket_with_the_ggus_links(
    resolver_client, large, rt_live
):
    response = resolver_client.form(f"/requirements/{large.id}/send-to-rt")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    fresh = Requirement.get_by_id(large.id)
    assert fresh.status == "in RT" and fresh.rt_id and fresh.rt_status == "new"

    made = rt_live.rt().get_ticket(fresh.rt_id)
    assert made["Queue"]["Name"] == "Requirements"
    assert made["Subject"] == "[DMSU] Publish the queue length per VO"
    tags = [f["values"] for f in made["CustomFields"] if f["name"] == "Tag"]
    assert tags == [["DMSU"]]
    refers_to = {h["_url"] for h in made["_hyperlinks"] if h.get("ref") == "refers-to"}
    assert refers_to == {GGUS.format(id=91039), GGUS.format(id=91040)}
    found = list(
        rt_live.rt().search(
            raw_query=f"Queue='Requirements' AND 'CF.{{Tag}}'='DMSU' AND id={fresh.rt_id}"
        )
    )
    assert [int(t["id"]) for t in found] == [fresh.rt_id]
    history = rt_live.rt().get_ticket_history(fresh.rt_id)
    create = rt_live.rt().get_transaction(history[0]["id"])
    assert create["Type"] == "Create"

    page = resolver_client.get(f"/requirements/{large.id}").get_data(as_text=True)
    link = f"{rt_live.url}/Ticket/Display.html?id={fresh.rt_id}"
    assert f'href="{link}"' in page
    assert f"Sent to RT as ticket #{fresh.rt_id} in queue Requirements, tagged DMSU" in page


def test_the_counter_ticket_text_links_back_to_the_requirement(large, clients, rt_live):
    client = RtClient(RtSettings.from_config(rt_live.app_config()))
    content = routing.rt_content(large, [(91039, GGUS.format(id=91039))], "https://dmsu.test/r/1")
    assert "GGUS #91039: https://ggus.eu/" in content
    assert "Requirement in the DMSU desk: https://dmsu.test/r/1" in content
    rt_id = client.create_requirement_ticket("subject", content, [])
    assert client.ticket(rt_id)["tags"] == ["DMSU"]


def test_rt_sync_pulls_the_status_changed_in_rt(runner, resolver_client, large, rt_live):
    resolver_client.form(f"/requirements/{large.id}/send-to-rt")
    rt_id = Requirement.get_by_id(large.id).rt_id
    rt_live.rt().edit_ticket(rt_id, Status="open")
    result = runner.invoke(args=["dmsu", "rt-sync"])
    assert result.exit_code == 0, result.output
    fresh = Requirement.get_by_id(large.id)
    assert (fresh.rt_status, fresh.status) == ("open", "in RT")

    rt_live.rt().edit_ticket(rt_id, Status="resolved")
    result = runner.invoke(args=["dmsu", "rt-sync"])
    assert f"#{large.id} (in RT → implemented)" in result.output
    fresh = Requirement.get_by_id(large.id)
    assert (fresh.rt_status, fresh.status) == ("resolved", "implemented")
    kinds = [e.kind for e in fresh.events.order_by(RequirementEvent.id)]
    assert kinds[-3:] == ["rt_status", "rt_status", "status"]

    before = (fresh.version, RequirementEvent.select().count())
    again = runner.invoke(args=["dmsu", "rt-sync"])
    assert again.exit_code == 0 and "0 changed" in again.output
    fresh = Requirement.get_by_id(large.id)
    assert (fresh.version, RequirementEvent.select().count()) == before


def test_the_hourly_job_syncs_too(app, resolver_client, large, rt_live):
    from dmsu.requirements.schedule import JOBS

    resolver_client.form(f"/requirements/{large.id}/send-to-rt")
    rt_id = Requirement.get_by_id(large.id).rt_id
    rt_live.rt().edit_ticket(rt_id, Status="rejected")
    (job,) = [j for j in JOBS if j.name == "rt-sync"]
    assert job.trigger == {"trigger": "interval", "hours": 1}
    with app.app_context():
        summary = job.func(clock.now())
    assert "1 changed" in summary
    assert Requirement.get_by_id(large.id).status == "rejected"


def test_rt_down_leaves_the_requirement_unchanged(app, resolver_client, large, closed_port_url):
    app.config["DMSU_RT_URL"] = closed_port_url
    response = resolver_client.form(f"/requirements/{large.id}/send-to-rt")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"RT at {closed_port_url} could not be reached" in html
    assert "the requirement was not changed." in html
    assert unchanged(large)


def test_a_stopped_rt_server_leaves_the_requirement_unchanged(resolver_client, large, rt_live):
    rt_live.stop()  # rt_live starts it again after the test
    response = resolver_client.form(f"/requirements/{large.id}/send-to-rt")
    assert response.status_code == 422
    assert "could not be reached" in response.get_data(as_text=True)
    assert unchanged(large)


def test_rt_that_never_answers_times_out(app, resolver_client, large, silent_server):
    app.config.update(DMSU_RT_URL=silent_server.url, DMSU_RT_TIMEOUT=1)
    started = clock.now()
    response = resolver_client.form(f"/requirements/{large.id}/send-to-rt")
    assert (clock.now() - started).total_seconds() < 8
    assert response.status_code == 422
    assert "RT did not answer within 1 s; the requirement was not changed." in response.get_data(
        as_text=True
    )
    assert unchanged(large)


def test_wrong_credentials_and_unknown_queue_are_said_plainly(app, resolver_client, large):
    app.config["DMSU_RT_PASSWORD"] = "wrong"
    response = resolver_client.form(f"/requirements/{large.id}/send-to-rt")
    assert "RT refused the credentials (HTTP 401)" in response.get_data(as_text=True)
    app.config.update(DMSU_RT_PASSWORD=ROOT_PASSWORD, DMSU_RT_QUEUE="Nope")
    response = resolver_client.form(f"/requirements/{large.id}/send-to-rt")
    assert "RT answered HTTP 403 when asked to create a ticket in queue Nope" in response.get_data(
        as_text=True
    )
    assert unchanged(large)


def test_an_unknown_tag_field_is_reported_as_a_warning(app, resolver_client, large):
    app.config["DMSU_RT_TAG_FIELD"] = "NoSuchField"
    response = resolver_client.form(f"/requirements/{large.id}/send-to-rt", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Warning: RT did not set the DMSU tag" in html
    assert Requirement.get_by_id(large.id).rt_id  # the RT ticket exists, so it is linked


def test_rt_sync_when_rt_is_down_fails_with_one_sentence(runner, large, app, closed_port_url):
    Requirement.update(rt_id=1, status="in RT").where(Requirement.id == large.id).execute()
    app.config["DMSU_RT_URL"] = closed_port_url
    result = runner.invoke(args=["dmsu", "rt-sync"])
    assert result.exit_code == 1
    assert "could not be reached" in result.output and "no requirement was changed" in result.output
    assert "Traceback" not in result.output


def test_a_token_works_instead_of_a_password(app, resolver_client, large, rt_token):
    app.config.update(DMSU_RT_TOKEN=rt_token, DMSU_RT_USER="", DMSU_RT_PASSWORD="")
    response = resolver_client.form(f"/requirements/{large.id}/send-to-rt")
    assert response.status_code == 303
    assert Requirement.get_by_id(large.id).rt_id


def test_a_hand_entered_rt_id_is_checked_with_rt(resolver_client, large, rt_live):
    response = resolver_client.form(f"/requirements/{large.id}/rt-id", {"rt_id": "987654"})
    assert response.status_code == 422
    assert "RT answered that it has no such ticket #987654" in response.get_data(as_text=True)
    assert unchanged(large)
    existing = rt_live.rt().create_ticket("Requirements", subject="made by hand", content="x")
    rt_live.rt().edit_ticket(existing, Status="open")
    response = resolver_client.form(f"/requirements/{large.id}/rt-id", {"rt_id": str(existing)})
    assert response.status_code == 303
    fresh = Requirement.get_by_id(large.id)
    assert (fresh.rt_id, fresh.rt_status, fresh.status) == (existing, "open", "in RT")


def test_statuses_reads_many_tickets_in_one_search(rt_live):
    client = RtClient(RtSettings.from_config(rt_live.app_config()))
    ids = [client.create_requirement_ticket(f"t{i}", "x", []) for i in range(3)]
    rt_live.rt().edit_ticket(ids[1], Status="stalled")
    assert client.statuses([*ids, 999999]) == {ids[0]: "new", ids[1]: "stalled", ids[2]: "new"}
    with pytest.raises(RtError, match="not configured"):
        RtClient(RtSettings(url=""))
