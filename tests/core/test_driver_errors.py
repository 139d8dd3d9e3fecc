"""Driver errors no writer named itself reach the site's one mapping
(:func:`dmsu.core.db.driver_answer`): a clear answer and its status, never a 500, and nothing
half saved (hardening round 2: "driver errors mapped to the site's errors in one place").

The errors are real: the routes below make the database refuse a write, on both databases."""

from __future__ import annotations

import peewee
import pytest

from dmsu.core.db import driver_answer, is_postgres, write_transaction
from dmsu.core.once import FormSubmission


@pytest.fixture
def refusing(app):
    """Two routes that write what the database refuses: a unique value twice, and a value
    longer than its column (the first write of each pair is rolled back with the second)."""

    def twice():
        with write_transaction():
            FormSubmission.create(token="same")
            FormSubmission.create(token="same")
        return "saved"

    def too_long():
        with write_transaction():
            FormSubmission.create(token="kept?")
            FormSubmission.create(token="x" * 500)
        return "saved"

    for path, view in {"twice": twice, "too-long": too_long}.items():
        app.add_url_rule(f"/test-refused/{path}", f"refused_{path}", view, methods=["POST"])
        app.add_url_rule(f"/api/test-refused/{path}", f"api_refused_{path}", view, methods=["POST"])
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def test_a_unique_clash_is_a_409_sentence_and_nothing_is_saved(refusing, client):
    page = client.post("/test-refused/twice")
    assert page.status_code == 409
    assert "Someone saved the same thing at the same moment" in page.get_data(as_text=True)
    api = client.post("/api/test-refused/twice")
    assert api.status_code == 409 and "same moment" in api.get_json()["error"]
    assert not FormSubmission.select().exists()


def test_a_value_too_long_for_its_column_is_a_400_sentence(refusing, client):
    if not is_postgres():
        pytest.skip("SQLite stores a text of any length: only PostgreSQL refuses it")
    api = client.post("/api/test-refused/too-long")
    assert api.status_code == 400
    assert api.get_json() == {
        "error": "A value is too long or not of the kind its field takes; nothing was saved."
    }
    assert not FormSubmission.select().exists()


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (peewee.IntegrityError("duplicate key"), 409),
        (peewee.DataError("value too long"), 400),
        (peewee.OperationalError("database is locked"), 503),
        (peewee.InterfaceError("connection already closed"), 503),
        (peewee.InternalError("current transaction is aborted"), 503),
    ],
)
def test_each_kind_of_driver_error_has_its_answer(error, status):
    assert driver_answer(error)[0] == status


def test_the_error_handler_takes_every_kind_the_mapping_knows(app):
    """peewee's InterfaceError is not a DatabaseError: the handler must name both, or a
    closed connection (a PostgreSQL restart) is a 500 and the connection is never renewed."""
    handled = app.error_handler_spec[None][None]
    assert peewee.DatabaseError in handled and peewee.InterfaceError in handled


def test_a_programming_error_is_a_bug_not_a_sentence():
    assert driver_answer(peewee.ProgrammingError("syntax error at or near")) is None
