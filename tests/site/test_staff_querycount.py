"""The staff pages and the metrics page cost a fixed number of queries ("no N+1
queries (a test counts the queries of each main page and fails if it grows with the number of
rows)"): each page is requested over N rows and over 3N rows and must not run more queries."""

from __future__ import annotations

import pytest

from dmsu.core.cache.registry import clear_all, stores
from dmsu.tickets.oversight.sweep import GROUPS
from tests.support.queries import QueryCounter

BASE = "2013-02-0{day}T09:00:00+00:00"


def queries_of(client, url: str, keep=None) -> int:
    """The queries of making the page (not of answering it from the kept staff pages), the
    logged-in user's load left out (see :func:`_not_the_user`) unless ``keep`` says else."""
    client.get(url)  # warm: first-request work (schema check, lookups) is not per row
    kept = stores(client.application).get("staff")
    if kept is not None:
        kept.clear()
    with QueryCounter(keep=keep or _not_the_user) as counter:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(counter)


def story(ggus_id: int, unit: str, *, waiting: bool = False, eta: str | None = None) -> list:
    """A ticket's events: to DMSU, a diary note, on to ``unit`` (with an ETA), a status."""
    events = [
        {"at": BASE.format(day=1), "type": "assigned", "support_unit": "DMSU"},
        {"at": BASE.format(day=2), "type": "comment", "text": f"Looking at {ggus_id}"},
    ]
    if unit != "DMSU":
        events.append({"at": BASE.format(day=3), "type": "assigned", "support_unit": unit})
    if eta:
        events.append({"at": BASE.format(day=4), "type": "eta", "due": eta, "support_unit": unit})
    status = "waiting for reply" if waiting else "in progress"
    events.append({"at": BASE.format(day=5), "type": "status", "status": status})
    return events


@pytest.fixture
def tickets(app, make_ticket, make_user):
    """``add(n)`` adds n tickets spread over every sweep group, with assignees and components."""
    from dmsu.tickets.units import SupportUnit

    SupportUnit.create(name="CREAM", kind="third_line", sla_level="level2")
    SupportUnit.create(name="UMD", kind="umd_release", sla_level="unspecified")
    people = [make_user("resolver", f"supporter{i}") for i in range(3)]
    made = {"n": 0}

    def add(n: int) -> None:
        for _ in range(n):
            i = made["n"] = made["n"] + 1
            kind = i % 5
            unit = ("DMSU", "CREAM", "CREAM", "UMD", "DMSU")[kind]
            make_ticket(
                50000 + i,
                events=story(
                    50000 + i, unit, waiting=kind == 4, eta="2013-02-08" if kind == 2 else None
                ),
                component=f"Component {i % 4}",
                assignee=people[i % 3] if i % 2 else None,
                priority=("urgent", "less urgent")[i % 2],
                postponed=kind == 0 and i % 3 == 0,
            )

    return add


def test_the_ticket_list_costs_the_same_for_n_and_3n_tickets(tickets, resolver_client):
    urls = [
        "/tickets/",
        "/tickets/?status=in+progress&priority=urgent",
        "/tickets/?state=all",
        "/tickets/?sort=priority&state=all",  # a ranked sort: one query per word on the page
    ]
    tickets(20)
    few = [queries_of(resolver_client, url) for url in urls]
    tickets(40)
    many = [queries_of(resolver_client, url) for url in urls]
    assert many == few
    assert max(few) <= 8


def test_the_ticket_list_rows_show_unit_component_and_assignee(tickets, resolver_client):
    tickets(4)
    html = resolver_client.get("/tickets/").get_data(as_text=True)
    assert "CREAM" in html and "Component 1" in html and "Supporter1" in html


def test_a_ticket_page_costs_the_same_for_n_and_3n_events(app, make_ticket, resolver_client):
    def events(n: int) -> list:
        first = {"at": BASE.format(day=1), "type": "assigned", "support_unit": "DMSU"}
        notes = [
            {"at": f"2013-02-02T{10 + i // 60:02d}:{i % 60:02d}:00+00:00", "type": "comment"}
            for i in range(n)
        ]
        return [first, *notes]

    make_ticket(61001, events=events(10))
    make_ticket(61003, events=events(30))
    few = queries_of(resolver_client, "/tickets/61001")
    many = queries_of(resolver_client, "/tickets/61003")
    assert many == few
    assert few <= 16


def test_the_sweep_and_its_group_pages_cost_the_same_for_n_and_3n_tickets(tickets, assigner_client):
    urls = ["/sweep", "/sweep?group=needs-reaction", "/sweep?group=no-eta&page=2"]
    tickets(25)
    few = [queries_of(assigner_client, url) for url in urls]
    tickets(50)
    many = [queries_of(assigner_client, url) for url in urls]
    # a group whose first page fills up is counted with one more query; nothing grows per row
    assert all(f <= m <= f + len(GROUPS) for f, m in zip(few, many, strict=True))
    assert max(many) <= 2 * len(GROUPS) + 4  # two per group, the user, the supporters, the unit


def test_the_duty_page_costs_the_same_for_n_and_3n_tickets(tickets, assigner_client):
    tickets(20)
    few = queries_of(assigner_client, "/duty")
    tickets(40)
    assert queries_of(assigner_client, "/duty") == few
    assert few <= 8


def test_the_metrics_page_costs_the_same_for_n_and_3n_tickets(tickets, client, app):
    url = "/metrics/?period=2013-02"

    def cold() -> int:
        with app.app_context():
            clear_all()
        with QueryCounter() as counter:
            assert client.get(url).status_code == 200
        return len(counter)

    client.get("/")  # the first request of the app checks the schema once
    tickets(20)
    few = cold()
    tickets(40)
    assert cold() == few
    with QueryCounter() as counter:  # cached: only the fingerprint is read
        client.get(url)
    assert len(counter) <= 3 < few


@pytest.mark.parametrize("role", ["tpm", "resolver", "assigner", "admin"])
def test_the_staff_home_costs_the_same_for_n_and_3n_tickets(tickets, clients, role):
    """Issue 18: the staff home of each role (the assigner on shift, with the digest due)."""
    from dmsu.auth.models import User
    from dmsu.core import clock
    from dmsu.digests import rota
    from dmsu.digests.models import Shift

    Shift.create(week=rota.week_of(clock.now()), user=User.get(User.username == "assigner"))
    tickets(20)
    few = queries_of(clients[role], "/", keep=_not_the_user)
    tickets(40)
    many = queries_of(clients[role], "/", keep=_not_the_user)
    tickets(60)
    # a list whose ten rows fill up is counted with one more query; nothing grows per row
    assert few <= many <= few + 4
    assert queries_of(clients[role], "/", keep=_not_the_user) == many
    assert many <= 15


def _not_the_user(sql: str) -> bool:
    """Every statement but the logged-in user's load: that one is kept under the commit stamp,
    so it is there on the first request after a write and not on the others."""
    return not (sql.startswith('SELECT "t1"."id", "t1"."username"') and 'FROM "user"' in sql)
