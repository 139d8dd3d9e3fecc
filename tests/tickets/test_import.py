"""Importing tickets: upsert by GGUS id, de-duplicated events, summaries from events, one
transaction, and the ``import-tickets`` command."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from dmsu.cheatsheet.models import Component
from dmsu.tickets.exchange import importer
from dmsu.tickets.exchange.import_file import import_lines
from dmsu.tickets.exchange.importer import import_records
from dmsu.tickets.exchange.records import validate_ticket
from dmsu.tickets.models import Ticket, TicketEvent, TicketInvolvement
from dmsu.tickets.units import SupportUnit
from tests.support.records import history, ticket


def write_file(tmp_path, objs, name="tickets.jsonl"):
    path = tmp_path / name
    path.write_text(
        "\n".join(o if isinstance(o, str) else json.dumps(o) for o in objs) + "\n",
        encoding="utf-8",
    )
    return path


def events_of(ggus_id):
    return list(
        TicketEvent.select()
        .join(Ticket)
        .where(Ticket.ggus_id == ggus_id)
        .order_by(TicketEvent.at, TicketEvent.id)
    )


def counts():
    return (
        Ticket.select().count(),
        TicketEvent.select().count(),
        SupportUnit.select().count(),
        Component.select().count(),
    )


def test_import_stores_utc_ordered_events_and_the_summary(app):
    rows = list(reversed(history()))  # any order in the file
    summary = import_records([validate_ticket(ticket(events=rows, component="CREAM CE",
                                                     description="Jobs *fail*."))])  # fmt: skip
    assert (summary.created, summary.events_added) == (1, 6)
    stored = Ticket.get(Ticket.ggus_id == 91039)
    events = events_of(91039)
    assert [e.kind for e in events] == ["assigned", "assigned", "comment", "assigned", "eta",
                                        "status"]  # fmt: skip
    assert events[1].at == datetime(2013, 2, 11, 10, 0, tzinfo=UTC)
    assert stored.created_at == datetime(2013, 2, 11, 9, 51, 38, tzinfo=UTC)
    assert stored.status == "in progress"
    assert stored.support_unit.name == "CREAM"
    assert stored.updated_at == datetime(2013, 2, 14, 9, 0, tzinfo=UTC)
    assert stored.unit_since == datetime(2013, 2, 12, 11, 0, tzinfo=UTC)
    assert stored.eta_due == date(2013, 3, 1)
    assert stored.description_html == "<p>Jobs <em>fail</em>.</p>"
    assert events[2].html == "<p>A <strong>defect</strong>, reproduced.</p>"
    assert events[2].actor_role == "dmsu" and events[2].public is False
    assert events[0].actor_role == "system"
    assert all(e.dedupe_key and len(e.dedupe_key) == 64 for e in events)


def test_from_unit_chain_follows_the_ordered_history(app):
    import_records([validate_ticket(ticket(events=list(reversed(history()))))])
    chain = [
        (e.from_unit.name if e.from_unit else None, e.support_unit.name)
        for e in events_of(91039)
        if e.kind == "assigned"
    ]
    assert chain == [(None, "TPM"), ("TPM", "DMSU"), ("DMSU", "CREAM")]


def test_status_without_status_events(app):
    import_records(
        [
            validate_ticket(ticket(1001)),
            validate_ticket(ticket(1002, events=history()[:1])),
            validate_ticket(ticket(1003, events=history()[:2])),
        ]
    )
    statuses = dict(Ticket.select(Ticket.ggus_id, Ticket.status).tuples())
    assert statuses == {1001: "new", 1002: "new", 1003: "assigned"}


def test_importing_twice_changes_nothing(app, tmp_path):
    path = write_file(tmp_path, [ticket(events=history(), component="BDII top"), ticket(91040)])
    first = import_lines(path.open())
    before = counts()
    stamps = list(Ticket.select(Ticket.updated_at, Ticket.status).tuples())
    second = import_lines(path.open())
    assert (first.summary.created, second.summary.created) == (2, 0)
    assert (second.summary.unchanged, second.summary.events_added) == (2, 0)
    assert counts() == before
    assert list(Ticket.select(Ticket.updated_at, Ticket.status).tuples()) == stamps


def test_reimport_adds_only_new_events_and_updates_fields(app):
    import_records([validate_ticket(ticket(events=history()[:4], priority="urgent"))])
    more = history() + [
        {"at": "2013-02-20T09:00:00Z", "type": "status", "status": "solved",
         "author_role": "third_line"}
    ]  # fmt: skip
    summary = import_records([validate_ticket(ticket(events=more, subject="Renamed"))])
    assert (summary.updated, summary.events_added) == (1, 3)
    stored = Ticket.get(Ticket.ggus_id == 91039)
    assert (stored.subject, stored.status, stored.priority) == ("Renamed", "solved", "urgent")
    assert len(events_of(91039)) == 7


def test_reimport_with_earlier_events_recomputes_the_chain(app):
    later = history()[3:4]  # only the reassignment to CREAM
    import_records([validate_ticket(ticket(events=later))])
    assert events_of(91039)[0].from_unit is None
    import_records([validate_ticket(ticket(events=history()[:2]))])
    chain = [
        (e.from_unit.name if e.from_unit else None, e.support_unit.name)
        for e in events_of(91039)
        if e.kind == "assigned"
    ]
    assert chain == [(None, "TPM"), ("TPM", "DMSU"), ("DMSU", "CREAM")]
    assert Ticket.get(Ticket.ggus_id == 91039).support_unit.name == "CREAM"


def test_same_ticket_twice_in_one_file_is_merged(app, tmp_path):
    path = write_file(
        tmp_path,
        [ticket(events=history()[:2]), ticket(events=history()[1:4], subject="Later line")],
    )
    result = import_lines(path.open())
    assert result.summary.created == 1
    assert len(events_of(91039)) == 4
    assert Ticket.get(Ticket.ggus_id == 91039).subject == "Later line"


def test_unknown_units_and_components_are_created_unreviewed_and_listed(app):
    summary = import_records([validate_ticket(ticket(events=history(), component="Nagios X"))])
    unit = SupportUnit.get(SupportUnit.name == "CREAM")
    assert (unit.kind, unit.sla_level, unit.reviewed) == ("third_line", "unspecified", False)
    component = Component.get(Component.name == "Nagios X")
    assert (component.slug, component.reviewed) == ("nagios-x", False)
    assert summary.new_units == ["CREAM"] and summary.new_components == ["Nagios X"]
    text = "\n".join(summary.lines())
    assert "New 3rd-line support units (to review): CREAM" in text
    assert "New components (to review): Nagios X" in text
    # built-in units are matched, never created
    assert SupportUnit.select().where(SupportUnit.name.in_(["DMSU", "TPM"])).count() == 2


def test_a_bad_line_writes_nothing_by_default(app, tmp_path):
    bad = ticket(91041, events=[{"at": "2013-02-30T10:00", "type": "comment"}])
    path = write_file(tmp_path, [ticket(91039, events=history()), "{oops", bad, ticket(91042)])
    result = import_lines(path.open(), batch_size=1)  # earlier batches are written, then undone
    assert [str(p) for p in result.problems] == [
        "line 2: not valid JSON (Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1))",
        "line 3, field events[0].at: '2013-02-30T10:00' is not an ISO-8601 time with an offset",
    ]
    assert not result.written
    assert counts()[:2] == (0, 0)
    assert not SupportUnit.select().where(SupportUnit.name == "CREAM").exists()


def test_skip_invalid_imports_the_good_lines(app, tmp_path):
    bad = ticket(91041, priority="whenever")
    path = write_file(tmp_path, [ticket(91039, events=history()), bad, ticket(91042)])
    result = import_lines(path.open(), skip_invalid=True, batch_size=1)
    assert result.written and result.summary.created == 2
    assert [str(p) for p in result.problems] == [
        "line 2, field priority: unknown value 'whenever'; use one of 'less urgent', 'urgent', "
        "'very urgent', 'top priority'"
    ]
    assert sorted(Ticket.select(Ticket.ggus_id).tuples()) == [(91039,), (91042,)]


def test_dry_run_writes_nothing(app, tmp_path):
    path = write_file(tmp_path, [ticket(91039, events=history())])
    result = import_lines(path.open(), dry_run=True)
    assert (result.valid, result.written, counts()[0]) == (1, False, 0)


def test_a_failure_midway_rolls_everything_back(app, tmp_path, monkeypatch):
    path = write_file(tmp_path, [ticket(n, events=history()) for n in (1, 2, 3)])
    real_write = importer.TicketWriter.write
    calls = {"n": 0}

    def failing_write(self, records):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real_write(self, records)

    monkeypatch.setattr(importer.TicketWriter, "write", failing_write)
    with pytest.raises(RuntimeError):
        import_lines(path.open(), batch_size=1)
    assert calls["n"] == 3
    assert counts()[:2] == (0, 0)
    assert not SupportUnit.select().where(SupportUnit.name == "CREAM").exists()


def test_field_events_fill_the_fields_the_record_does_not_give(app, make_user):
    alice = make_user("resolver", "alice")
    events = history()[:2] + [
        {"at": "2013-02-12T09:00:00Z", "type": "field", "author_role": "dmsu",
         "data": {"field": "assignee", "before": None, "after": "alice"}},
        {"at": "2013-02-12T09:00:00Z", "type": "field", "author_role": "dmsu",
         "data": {"field": "fixed_version", "before": "", "after": "1.4.3"}},
        {"at": "2013-02-12T09:00:00Z", "type": "involved", "support_unit": "CREAM"},
    ]  # fmt: skip
    import_records([validate_ticket(ticket(events=events, broad_impact=True))])
    stored = Ticket.get(Ticket.ggus_id == 91039)
    assert (stored.assignee_id, stored.fixed_version, stored.broad_impact) == (
        alice.id,
        "1.4.3",
        True,
    )
    assert [i.support_unit.name for i in TicketInvolvement.select()] == ["CREAM"]


def test_bulk_import_of_many_tickets_in_chunks(app):
    records = [validate_ticket(ticket(n, events=history())) for n in range(1, 1202)]
    summary = import_records(records, batch_size=500)
    assert (summary.created, summary.events_added) == (1201, 1201 * 6)
    assert Ticket.select().where(Ticket.status == "in progress").count() == 1201


# --- the command --------------------------------------------------------------------------


def test_cli_imports_and_reports(runner, tmp_path):
    path = write_file(tmp_path, [ticket(events=history(), component="BDII top")])
    result = runner.invoke(args=["dmsu", "import-tickets", str(path)])
    assert result.exit_code == 0, result.output
    assert "Tickets: 1 created, 0 updated, 0 unchanged; 6 events added." in result.output
    assert "New components (to review): BDII top" in result.output
    again = runner.invoke(args=["dmsu", "import-tickets", str(path)])
    assert "0 created, 0 updated, 1 unchanged; 0 events added." in again.output


def test_cli_bad_file_exits_1_with_one_line_per_problem(runner, tmp_path):
    path = write_file(tmp_path, [ticket(1), ticket(2, created_at="2013-02-11"), "nope"])
    result = runner.invoke(args=["dmsu", "import-tickets", str(path)])
    assert result.exit_code == 1
    assert "line 2, field created_at: '2013-02-11' is not an ISO-8601 time" in result.output
    assert "line 3: not valid JSON" in result.output
    assert "2 bad lines" in result.output and "nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert Ticket.select().count() == 0


def test_cli_skip_invalid_and_dry_run(runner, tmp_path):
    path = write_file(tmp_path, [ticket(1), ticket(2, category="bug")])
    dry = runner.invoke(args=["dmsu", "import-tickets", "--dry-run", str(path)])
    assert dry.exit_code == 1 and "Dry run: 1 valid tickets, 1 bad line" in dry.output
    skipped = runner.invoke(args=["dmsu", "import-tickets", "--skip-invalid", str(path)])
    assert skipped.exit_code == 0
    assert "Skipped 1 bad line." in skipped.output
    assert Ticket.select().count() == 1


def test_cli_progress_bar_on_large_files(runner, tmp_path, monkeypatch):
    from dmsu.tickets.exchange import cli as import_cli

    monkeypatch.setattr(import_cli, "PROGRESS_THRESHOLD", 10)
    path = write_file(tmp_path, [ticket(n) for n in range(1, 30)])
    result = runner.invoke(args=["dmsu", "import-tickets", str(path)])
    assert result.exit_code == 0
    assert "Importing tickets" in result.output
    assert Ticket.select().count() == 29


def test_cli_missing_file_and_not_utf8(runner, tmp_path):
    missing = runner.invoke(args=["dmsu", "import-tickets", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 2
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(b'{"subject": "caf\xe9"}\n')
    result = runner.invoke(args=["dmsu", "import-tickets", str(latin)])
    assert result.exit_code == 1 and "is not UTF-8 text" in result.output


def test_components_are_found_by_alias_and_new_ones_get_their_name_key(app):
    from dmsu.cheatsheet.models import ComponentName, name_key

    known = Component.create(name="BDII top", slug="bdii-top", aliases="top BDII")
    ComponentName.create(component=known, key=name_key("BDII top"), label="BDII top",
                         is_alias=False)  # fmt: skip
    ComponentName.create(component=known, key=name_key("top BDII"), label="top BDII")
    summary = import_records(
        [
            validate_ticket(ticket(1, component="TOP  bdii")),
            validate_ticket(ticket(2, component="Argus")),
        ]
    )
    assert Ticket.get(Ticket.ggus_id == 1).component_id == known.id
    assert summary.new_components == ["Argus"]
    assert ComponentName.get(ComponentName.key == "argus").label == "Argus"


def test_a_large_import_leaves_the_planner_statistics_of_what_it_wrote(app):
    """PostgreSQL only (bulk.refresh_statistics): without them a big import's own reads scan
    every event, and the pages after it plan for empty tables."""
    from dmsu.core.db import database, is_postgres

    if not is_postgres():
        pytest.skip("SQLite has no planner statistics to keep")
    lines = [json.dumps(ticket(93000 + n, events=history())) for n in range(9)]
    assert import_lines(lines, batch_size=2).written
    (tuples,) = database.execute_sql(
        "SELECT reltuples FROM pg_class WHERE relname = 'ticket_event'"
    ).fetchone()
    assert tuples >= 9 * len(history())
