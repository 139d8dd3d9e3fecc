"""The requirements log's rules: recording, editing without lost edits, linking tickets,
assessment, status transitions, the 3rd-line path, and nothing half-saved on refusal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dmsu.auth.permissions import PermissionDenied
from dmsu.core import clock
from dmsu.requirements import log, routing
from dmsu.requirements.models import (
    REQUIREMENT_STATUSES,
    Requirement,
    RequirementEvent,
    RequirementTicket,
    split_tags,
)
from dmsu.requirements.rt_client import RtSettings
from dmsu.tickets.models import Ticket

AT = datetime(2013, 2, 11, 9, 0, tzinfo=UTC)
NO_RT = RtSettings(url="")


@pytest.fixture
def resolver(make_user):
    return make_user("resolver", "rita")


@pytest.fixture
def assigner(make_user):
    return make_user("assigner", "alice")


@pytest.fixture
def ticket(make_ticket):
    return make_ticket(
        91039,
        subject="CREAM should publish the queue length per VO",
        description="We need per-VO numbers.",
        component="CREAM CE",
        category="change request",
    )


def kinds(requirement):
    return [
        e.kind for e in RequirementEvent.select().where(RequirementEvent.requirement == requirement)
    ]


def test_recording_links_the_tickets_and_logs_the_event(resolver, ticket, make_ticket):
    other = make_ticket(91040)
    r = log.create_requirement(
        resolver,
        title="  Per-VO   queue length ",
        description="*Needed* by ATLAS",
        component="CREAM CE",
        ggus_ids=[91039, 91040],
        tags="atlas, DMSU",
        at=AT,
    )
    r = Requirement.get_by_id(r.id)
    assert r.title == "Per-VO queue length"
    assert r.description_html == "<p><em>Needed</em> by ATLAS</p>"
    assert r.component.name == "CREAM CE"
    assert r.status == "new" and r.version == 1
    assert r.tags == "DMSU, atlas"
    linked = {
        rt.ticket.ggus_id
        for rt in RequirementTicket.select().where(RequirementTicket.requirement == r)
    }
    assert linked == {ticket.ggus_id, other.ggus_id}
    (event,) = list(r.events)
    assert event.kind == "created" and "#91039, #91040" in event.summary and event.actor == resolver


def test_the_dmsu_tag_is_always_there():
    assert split_tags("") == ["DMSU"]
    assert split_tags("dmsu, ATLAS atlas") == ["DMSU", "ATLAS"]


@pytest.mark.parametrize(
    "ids, message",
    [
        ("91039, 12345", "There is no ticket 12345 in the desk"),
        ("91039, abc", "'abc' is not a GGUS ticket number."),
        ("-5", "is not a GGUS ticket number"),
    ],
)
def test_a_link_to_a_missing_ticket_records_nothing(resolver, ticket, ids, message):
    with pytest.raises(log.RequirementError, match=message):
        log.create_requirement(resolver, title="x", ggus_ids=log.parse_ggus_ids(ids))
    assert Requirement.select().count() == 0
    assert RequirementEvent.select().count() == 0


def test_only_dmsu_records_requirements(make_user, ticket):
    with pytest.raises(PermissionDenied):
        log.create_requirement(make_user("tpm"), title="x", ggus_ids=[91039])


def test_a_title_is_required_and_a_component_must_exist(resolver):
    with pytest.raises(log.RequirementError, match="needs a title"):
        log.create_requirement(resolver, title="   ")
    with pytest.raises(log.RequirementError, match="no component 'Nope'"):
        log.create_requirement(resolver, title="x", component="Nope")


def test_an_edit_on_an_old_copy_is_refused_not_lost(resolver, assigner):
    r = log.create_requirement(resolver, title="First", at=AT)
    mine = Requirement.get_by_id(r.id)
    theirs = Requirement.get_by_id(r.id)
    log.edit_requirement(
        theirs,
        assigner,
        version=theirs.version,
        title="Theirs",
        description="",
        component="",
        tags="",
    )
    with pytest.raises(log.StaleRequirement, match="changed by someone else"):
        log.edit_requirement(
            mine,
            resolver,
            version=mine.version,
            title="Mine",
            description="",
            component="",
            tags="",
        )
    fresh = Requirement.get_by_id(r.id)
    assert fresh.title == "Theirs" and fresh.version == 2
    assert kinds(r) == ["created", "edited"]


def test_an_edit_that_changes_nothing_writes_nothing(resolver):
    r = log.create_requirement(resolver, title="Same", at=AT)
    log.edit_requirement(
        r, resolver, version=1, title="Same", description="", component="", tags="DMSU"
    )
    assert Requirement.get_by_id(r.id).version == 1
    assert kinds(r) == ["created"]


def test_linking_and_unlinking_tickets(resolver, ticket, make_ticket):
    make_ticket(91050)
    r = log.create_requirement(resolver, title="x", ggus_ids=[91039])
    log.link_ticket(r, resolver, "#91050")
    with pytest.raises(log.RequirementError, match="already linked"):
        log.link_ticket(r, resolver, "91050")
    with pytest.raises(log.RequirementError, match="There is no ticket 99999"):
        log.link_ticket(r, resolver, "99999")
    log.unlink_ticket(r, resolver, 91039)
    assert [t.ticket.ggus_id for t in r.ticket_links] == [91050]
    assert kinds(r) == ["created", "ticket_linked", "ticket_unlinked"]


def test_assessment_moves_new_to_assessed_and_is_locked_once_sent(resolver):
    r = log.create_requirement(resolver, title="x")
    with pytest.raises(log.RequirementError, match="small or large"):
        routing.assess(r, resolver, "huge")
    routing.assess(r, resolver, "large", note="needs a new API")
    assert (r.status, r.effort) == ("assessed", "large")
    routing.assess(r, resolver, "small")  # may still change its mind
    routing.assess(r, resolver, "large")
    routing.link_rt_ticket(r, resolver, "4711", NO_RT)
    with pytest.raises(log.RequirementError, match="can no longer change"):
        routing.assess(r, resolver, "small")
    assert Requirement.get_by_id(r.id).effort == "large"


@pytest.mark.parametrize(
    "text, message",
    [
        ("abc", "RT id must be a number"),
        ("12a", "RT id must be a number"),
        ("-3", "RT id must be a number"),
        ("0", "RT id must be a positive number"),
        ("", "Enter the RT ticket id"),
    ],
)
def test_a_hand_entered_rt_id_must_be_a_positive_number(resolver, text, message):
    r = log.create_requirement(resolver, title="x")
    routing.assess(r, resolver, "large")
    with pytest.raises(log.RequirementError, match=message):
        routing.link_rt_ticket(r, resolver, text, NO_RT)
    fresh = Requirement.get_by_id(r.id)
    assert fresh.rt_id is None and fresh.status == "assessed" and fresh.version == r.version


def test_a_hand_entered_rt_id_links_the_requirement(resolver):
    r = log.create_requirement(resolver, title="x")
    with pytest.raises(log.RequirementError, match="assessed as large"):
        routing.link_rt_ticket(r, resolver, "4711", NO_RT)
    routing.assess(r, resolver, "large")
    routing.link_rt_ticket(r, resolver, "#4711", NO_RT)
    fresh = Requirement.get_by_id(r.id)
    assert (fresh.rt_id, fresh.status) == (4711, "in RT")
    other = log.create_requirement(resolver, title="y")
    routing.assess(other, resolver, "large")
    with pytest.raises(log.RequirementError, match="already linked to requirement"):
        routing.link_rt_ticket(other, resolver, "4711", NO_RT)


def test_send_to_rt_without_rt_configured_says_to_enter_the_id(resolver):
    r = log.create_requirement(resolver, title="x")
    routing.assess(r, resolver, "large")
    with pytest.raises(log.RequirementError, match="enter the RT ticket id by hand"):
        routing.send_to_rt(r, resolver, NO_RT, page_url="", ggus_url_template="{id}")


def test_status_transitions_are_checked(resolver):
    r = log.create_requirement(resolver, title="x")
    assert log.manual_targets("new") == ["rejected", "withdrawn"]
    with pytest.raises(log.RequirementError, match="cannot become implemented"):
        log.change_status(r, resolver, "implemented")
    with pytest.raises(log.RequirementError, match="not a requirement status"):
        log.change_status(r, resolver, "done")
    log.change_status(r, resolver, "withdrawn", note="duplicate")
    assert Requirement.get_by_id(r.id).status == "withdrawn"
    log.change_status(r, resolver, "new")  # reopened
    (event,) = [e for e in r.events if e.kind == "status" and "duplicate" in e.summary]
    assert event.details == {"from": "new", "to": "withdrawn", "note": "duplicate"}


def test_every_status_has_its_transitions_and_implemented_is_final():
    assert set(log.TRANSITIONS) == set(REQUIREMENT_STATUSES)
    for targets in log.TRANSITIONS.values():
        assert targets <= set(REQUIREMENT_STATUSES)
    assert log.TRANSITIONS["implemented"] == frozenset()


@pytest.fixture
def cream_unit(ticket):
    from dmsu.tickets.units import SupportUnit

    unit = SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2")
    component = ticket.component
    component.support_unit = unit
    component.save()
    return unit


def test_small_requirement_links_an_existing_low_priority_ticket(resolver, ticket, make_ticket):
    make_ticket(92000, priority="less urgent")
    r = log.create_requirement(resolver, title="x", ggus_ids=[91039])
    with pytest.raises(log.RequirementError, match="assessed as small"):
        routing.send_to_third_line(r, resolver, "92000")
    routing.assess(r, resolver, "small")
    with pytest.raises(log.RequirementError, match="tick “create it here”"):
        routing.send_to_third_line(r, resolver, "92999")
    routing.send_to_third_line(r, resolver, "92000")
    fresh = Requirement.get_by_id(r.id)
    assert fresh.status == "sent to 3rd line" and fresh.third_line_ticket.ggus_id == 92000


def test_small_requirement_creates_the_low_priority_ticket_for_the_third_line(
    assigner, ticket, cream_unit
):
    pytest.importorskip("dmsu.tickets.workflow")
    r = log.create_requirement(
        assigner, title="Per-VO queue length", component="CREAM CE", ggus_ids=[91039]
    )
    routing.assess(r, assigner, "small")
    with clock.frozen(AT):
        routing.send_to_third_line(r, assigner, "92001", create=True, note="Please add it.")
    created = Ticket.get(Ticket.ggus_id == 92001)
    assert created.priority == "less urgent" and created.category == "change request"
    assert created.support_unit == cream_unit
    assert Requirement.get_by_id(r.id).third_line_ticket == created


def test_creating_the_ticket_is_all_or_nothing(resolver, ticket, cream_unit):
    """A resolver may not assign to the 3rd line: the refusal leaves no ticket behind."""
    pytest.importorskip("dmsu.tickets.workflow")
    r = log.create_requirement(resolver, title="x", component="CREAM CE", ggus_ids=[91039])
    routing.assess(r, resolver, "small")
    with pytest.raises(PermissionDenied):
        routing.send_to_third_line(r, resolver, "92002", create=True)
    assert not Ticket.select().where(Ticket.ggus_id == 92002).exists()
    fresh = Requirement.get_by_id(r.id)
    assert fresh.third_line_ticket is None and fresh.status == "assessed"


def test_creating_needs_a_third_line_unit_for_the_component(assigner, ticket):
    r = log.create_requirement(assigner, title="x", ggus_ids=[91039])
    routing.assess(r, assigner, "small")
    with pytest.raises(log.RequirementError, match="no 3rd-line unit"):
        routing.send_to_third_line(r, assigner, "92003", create=True)
    assert not Ticket.select().where(Ticket.ggus_id == 92003).exists()


def test_a_requirement_reported_before_assessment_can_still_go_to_rt(resolver):
    from dmsu.metrics.periods import parse_period
    from dmsu.requirements import tcb

    with clock.frozen(AT):
        r = log.create_requirement(resolver, title="x")
        digest = tcb.tcb_digest(parse_period("PQ12"), resolver)
        tcb.record_reported(digest, resolver, "2013-02-14")
    r = Requirement.get_by_id(r.id)
    assert r.status == "reported to TCB"
    routing.assess(r, resolver, "large")
    assert (r.status, r.effort) == ("reported to TCB", "large")
    routing.link_rt_ticket(r, resolver, "4711", NO_RT)
    assert Requirement.get_by_id(r.id).status == "in RT"
