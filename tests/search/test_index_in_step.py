"""The index is kept in step by every writer (dmsu/*/search_documents.py, called where each
area writes): what a rebuild makes of the database is what the writers left, after the demo
(importer, wiki saves, digest publishing, requirements) and after random workflow steps and
imports; a step's text is found the moment the step ends."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dmsu.core.db import database
from dmsu.core.search import engine
from dmsu.core.search.query import parse
from dmsu.search.rebuild import rebuild_all
from dmsu.tickets import workflow
from dmsu.tickets.exchange.import_file import import_lines
from tests.support import records

STAFF = ("public", "staff")
COLUMNS = "area, key, title, body, diary, audience, component_id, status, boost"


def index_rows() -> list[tuple]:
    return sorted(
        database.execute_sql(f"SELECT {COLUMNS} FROM search_document").fetchall(),
        key=lambda row: (row[0], row[1]),
    )


def test_the_demo_index_is_what_a_rebuild_makes(app):
    with app.app_context():
        _demo_index_equals_rebuild()


def _demo_index_equals_rebuild():
    from dmsu import demo
    from dmsu.content import load_all

    load_all()
    demo.load(120, end=datetime(2013, 12, 20, tzinfo=UTC), echo=lambda *_: None)
    written = index_rows()
    areas = {row[0] for row in written}
    assert areas == {"tickets", "wiki", "digests", "requirements", "forums"}
    rebuild_all()
    assert index_rows() == written


def keys(text: str, audiences=STAFF) -> list[str]:
    return [hit.key for hit in engine.find(parse(text), audiences).hits]


def test_a_step_is_found_when_it_ends(app, make_user):
    resolver = make_user("resolver")
    tpm = make_user("tpm")
    ticket = workflow.create_ticket(tpm, ggus_id=95001, subject="Argus PEP daemon hangs")
    assert keys("argus daemon") == ["95001"]
    workflow.route_to_dmsu(ticket, tpm)
    workflow.add_comment(ticket, resolver, "Internal: the zirconium marker", public=False)
    assert keys("zirconium") == ["95001"]
    assert keys("zirconium", ("public",)) == []  # tickets are staff documents
    workflow.change_status(ticket, resolver, "in progress")
    workflow.change_status(ticket, resolver, "solved", note="Restart with the fixed config.")
    hit = engine.find(parse("fixed config"), STAFF).hits[0]
    assert (hit.key, hit.status) == ("95001", "solved")
    boost = database.execute_sql("SELECT boost FROM search_document WHERE key = '95001'")
    assert boost.fetchone()[0] > 1  # solved with a solution note: boosted


def _import(ggus_id: int, subject: str, comment: str) -> None:
    record = records.ticket(
        ggus_id,
        subject=subject,
        events=[
            records.assigned("2013-02-11T09:52:00Z", "TPM"),
            {"at": f"2013-02-12T{ggus_id % 24:02d}:00:00Z", "type": "comment", "text": comment},
        ],
    )
    summary = import_lines([json.dumps(record)]).summary
    assert summary.created + summary.updated + summary.unchanged == 1


WORDS = st.sampled_from(["cream", "argus", "dcache", "voms", "timeout", "crash", "proxy"])


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.sampled_from(["import", "comment", "status"]), st.integers(0, 4), WORDS),
        min_size=1,
        max_size=8,
    )
)
def test_after_random_writes_the_index_is_what_a_rebuild_makes(app, make_user, steps):
    from dmsu.tickets.models import Ticket

    resolver = make_user("resolver")
    for action, n, word in steps:
        ggus_id = 96000 + n
        ticket = Ticket.get_or_none(Ticket.ggus_id == ggus_id)
        if action == "import" or ticket is None:
            _import(ggus_id, f"{word} problem {n}", f"seen {word} again")
        elif action == "comment":
            workflow.add_comment(ticket, resolver, f"{word} note", public=n % 2 == 0)
        else:
            workflow.update_fields(ticket, resolver, workaround=f"{word} workaround")
    written = index_rows()
    rebuild_all()
    assert index_rows() == written
