"""``export-tickets`` writes the import format back: export → import into an empty database →
export gives the same bytes."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest

from dmsu.core.db import database
from dmsu.demo import DemoContext, create_users
from dmsu.tickets import demo
from dmsu.tickets.exchange.exporter import export_lines
from dmsu.tickets.exchange.importer import import_records
from dmsu.tickets.exchange.records import validate_ticket
from dmsu.tickets.models import Ticket, TicketEvent, TicketInvolvement
from dmsu.tickets.units import SupportUnit, ensure_built_in_units
from tests.support.records import history, ticket

END = datetime(2013, 5, 1, tzinfo=UTC)


def _empty_database():
    """Delete every ticket-side row (the per-test database stays; users are kept)."""
    with database.atomic():
        TicketInvolvement.delete().execute()
        TicketEvent.delete().execute()
        Ticket.delete().execute()


def test_export_writes_the_import_shape(app, runner, tmp_path):
    import_records(
        [validate_ticket(ticket(events=history(), component="CREAM CE", category="incident",
                                broad_impact=True, workaround="Restart it."))]
    )  # fmt: skip
    out = tmp_path / "out.jsonl"
    result = runner.invoke(args=["dmsu", "export-tickets", "--output", str(out)])
    assert result.exit_code == 0 and "Exported 1 tickets" in result.output
    (line,) = out.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert list(record)[:10] == [
        "ggus_id", "subject", "description", "submitter", "submitter_email", "component",
        "category", "priority", "created_at", "fixed_version",
    ]  # fmt: skip
    assert record["created_at"] == "2013-02-11T09:51:38+00:00"
    assert record["broad_impact"] is True and record["workaround"] == "Restart it."
    assert "postponed" not in record  # defaults are left out
    assert (
        record["events"][1]
        == {
            "at": "2013-02-11T10:00:00+00:00",
            "type": "assigned",
            "support_unit": "DMSU",
            "public": True,
        }
        or record["events"][1]["support_unit"] == "DMSU"
    )
    comment = record["events"][2]
    assert comment == {
        "at": "2013-02-12T10:00:00+00:00",
        "type": "comment",
        "author_role": "dmsu",
        "public": False,
        "text": "A **defect**, reproduced.",
    }


def test_export_to_stdout(app, runner):
    import_records([validate_ticket(ticket(events=history()))])
    result = runner.invoke(args=["dmsu", "export-tickets"])
    assert result.exit_code == 0
    assert json.loads(result.output.splitlines()[0])["ggus_id"] == 91039


def test_round_trip_of_demo_tickets_is_identical(app, tmp_path):
    ensure_built_in_units()
    ctx = DemoContext(n_tickets=120, rng=random.Random(7), end=END, echo=lambda *_: None)
    ctx.users = create_users()
    demo.load(ctx)
    first = list(export_lines())
    assert len(first) == 120
    units_before = SupportUnit.select().count()
    _empty_database()
    records = [validate_ticket(json.loads(line)) for line in first]
    summary = import_records(records)
    assert summary.created == 120 and not summary.new_units
    assert SupportUnit.select().count() == units_before
    second = list(export_lines())
    assert second == first
    again = import_records(records)  # and the exported file re-imports as "unchanged"
    assert (again.unchanged, again.events_added) == (120, 0)


@pytest.mark.parametrize("text", ["Ünïcode — “quotes”", "line\nbreaks\n\nand <b>tags</b>"])
def test_round_trip_keeps_text_exactly(app, text):
    events = [{"at": "2013-02-12T10:00:00Z", "type": "comment", "text": text, "public": False}]
    import_records([validate_ticket(ticket(events=events, description=text))])
    first = list(export_lines())
    _empty_database()
    import_records([validate_ticket(json.loads(line)) for line in first])
    assert list(export_lines()) == first
    assert json.loads(first[0])["events"][0]["text"] == text


def test_events_written_without_a_key_are_recognised_on_reimport(app, make_ticket):
    make_ticket(91050, events=history(), component="CREAM CE")
    assert TicketEvent.select().where(TicketEvent.dedupe_key.is_null()).count() == 6
    records = [validate_ticket(json.loads(line)) for line in export_lines()]
    summary = import_records(records)
    assert (summary.unchanged, summary.events_added) == (1, 0)
    assert TicketEvent.select().count() == 6
