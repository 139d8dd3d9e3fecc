"""Backup and restore as a round trip that compares every table."""

from __future__ import annotations

from dmsu.core.db import database
from dmsu.models import ALL_MODELS
from dmsu.tickets.models import Ticket, TicketEvent


def snapshot() -> dict[str, list[tuple]]:
    tables = {}
    for model in ALL_MODELS:
        fields = list(model._meta.sorted_fields)
        rows = model.select(*fields).order_by(*fields).tuples()
        tables[model._meta.table_name] = list(rows)
    return tables


def test_backup_and_restore_round_trip(app, runner, make_user, make_ticket, tmp_path):
    make_user("assigner", "alice")
    make_ticket(
        91039,
        subject="BDII top drops entries",
        events=[
            {"at": "2013-02-11T09:51:38+00:00", "type": "assigned", "support_unit": "DMSU"},
            {"at": "2013-02-12T10:00:00+01:00", "type": "assigned", "support_unit": "CERN BDII"},
            {"at": "2013-02-13T10:00:00+00:00", "type": "eta", "due": "2013-03-01"},
        ],
    )
    runner.invoke(args=["dmsu", "init"])
    before = snapshot()
    assert sum(len(rows) for rows in before.values()) > 20

    target = tmp_path / "backup.dump"
    result = runner.invoke(args=["dmsu", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    TicketEvent.delete().execute()
    Ticket.delete().execute()
    assert snapshot() != before

    database.close()
    result = runner.invoke(args=["dmsu", "restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    database.connect(reuse_if_open=True)
    assert snapshot() == before


def test_restore_of_a_missing_or_bad_file_is_one_sentence(runner, tmp_path):
    result = runner.invoke(args=["dmsu", "restore", str(tmp_path / "nope"), "--yes"])
    assert result.exit_code == 1 and "no backup file" in result.output
    junk = tmp_path / "junk"
    junk.write_bytes(b"this is not a database" * 100)
    result = runner.invoke(args=["dmsu", "restore", str(junk), "--yes"])
    assert result.exit_code == 1 and "Traceback" not in result.output
