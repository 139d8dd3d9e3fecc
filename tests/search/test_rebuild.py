"""``flask dmsu search-rebuild`` (dmsu/search/rebuild.py, dmsu/core/search/schema.py): the
index dropped and made again finds what it found before, and nothing it should not."""

from __future__ import annotations

from dmsu.core.db import database
from dmsu.core.search import engine
from dmsu.core.search.query import parse
from dmsu.tickets import workflow


def test_the_rebuild_command_makes_the_index_again(app, runner, make_user):
    tpm = make_user("tpm")
    workflow.create_ticket(tpm, ggus_id=98001, subject="BDII publishes stale GLUE2 data")
    with app.app_context():
        database.execute_sql("DELETE FROM search_document")  # as after a lost index
        assert engine.find(parse("GLUE2"), ("staff",)).total == 0
    result = runner.invoke(args=["dmsu", "search-rebuild"])
    assert result.exit_code == 0, result.output
    assert "tickets 1" in result.output
    with app.app_context():
        hits = engine.find(parse("stale glue2"), ("staff",)).hits
        assert [hit.key for hit in hits] == ["98001"]
        assert engine.find(parse("GLUE2"), ("public",)).total == 0
