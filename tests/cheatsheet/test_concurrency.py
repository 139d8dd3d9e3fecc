"""Two editors at once on one cheat-sheet row, over real HTTP against a live server: of two
saves made on the same version exactly one wins and the other is told so with its input
kept; a retire at the moment of a save keeps the save; every history entry's "before" is the
row as the change found it, so a revert puts back exactly that."""

from __future__ import annotations

import json
from functools import partial

import pytest

from dmsu import content
from dmsu.cheatsheet import editing
from dmsu.cheatsheet.fields import to_json
from dmsu.cheatsheet.models import CheatSheetChange, Component
from tests.support.live_http import LiveSession, hidden_fields, race

ROUNDS = 12
EDIT = "/components/cream-ce/edit"
CONFLICT = "Someone else changed CREAM CE after you opened the form"


@pytest.fixture
def loaded(app):
    content.load_all()
    return app


@pytest.fixture
def editors(loaded, live_server, make_user):
    return (
        LiveSession(live_server.url).log_in(make_user("assigner")),
        LiveSession(live_server.url).log_in(make_user("admin")),
    )


def cream() -> Component:
    return Component.get(Component.name == "CREAM CE")


def state() -> dict:
    component = cream()
    return json.loads(to_json(editing.current_data(component), component.retired))


def changes() -> list[CheatSheetChange]:
    return list(
        CheatSheetChange.select()
        .where(CheatSheetChange.component == cream())
        .order_by(CheatSheetChange.id)
    )


def edit_form(session: LiveSession, description: str) -> dict:
    """The edit form as the page gives it, with the description changed."""
    values = editing.current_data(cream()).as_row(with_emails=True)
    return {**values, **hidden_fields(session.get(EDIT).text, EDIT), "description": description}


def assert_history_chains() -> None:
    """Each change starts from the row its predecessor left, and the last one is the row."""
    found = changes()
    for earlier, later in zip(found, found[1:], strict=False):
        assert json.loads(later.before) == json.loads(earlier.after), (
            f"change {later.id} says the row was {later.before} before it, but change "
            f"{earlier.id} had left {earlier.after}"
        )
    assert json.loads(found[-1].after) == state()


def test_of_two_saves_of_one_version_exactly_one_wins(editors):
    first, second = editors
    for n in range(ROUNDS):
        before, known = state(), len(changes())
        mine, theirs = f"Description A{n}", f"Description B{n}"
        forms = (edit_form(first, mine), edit_form(second, theirs))
        answers = race(
            partial(first.form, EDIT, forms[0]),
            partial(second.form, EDIT, forms[1]),
        )
        statuses = [a.status_code for a in answers]
        label = f"round {n}"
        assert statuses.count(302) == 1, f"{label}: {statuses.count(302)} of two saves won"
        assert sorted(statuses) == [302, 409], f"{label}: answers {statuses}"
        winner = mine if statuses[0] == 302 else theirs
        loser = answers[statuses.index(409)]
        assert CONFLICT in loser.text
        assert (theirs if winner == mine else mine) in loser.text  # the input is kept
        assert cream().description == winner
        made = changes()[known:]
        assert len(made) == 1, f"{label}: {len(made)} history entries for one save"
        assert json.loads(made[0].before) == before, f"{label}: the history's before is wrong"
        assert json.loads(made[0].after)["description"] == winner
    assert_history_chains()
    # Reverting the last save puts back the row as it was before that save, nothing else.
    last = changes()[-1]
    revert = f"/cheatsheet/history/{last.id}/revert"
    history = first.get("/components/cream-ce/history").text
    reverted = first.form(revert, hidden_fields(history, revert))
    assert reverted.status_code == 303
    assert state() == json.loads(last.before)
    assert_history_chains()


def test_retiring_while_someone_saves_keeps_the_save(editors, make_user):
    editor, retirer = editors
    for n in range(ROUNDS):
        description = f"Saved while being retired, round {n}"
        form = edit_form(editor, description)
        saved, retired = race(
            partial(editor.form, EDIT, form),
            partial(retirer.form, "/components/cream-ce/retire"),
        )
        label = f"round {n}"
        assert retired.status_code == 302, f"{label}: the retire answered {retired.status_code}"
        assert saved.status_code in (302, 409), f"{label}: the save answered {saved.status_code}"
        assert cream().retired, f"{label}: the retire was lost"
        if saved.status_code == 302:
            assert cream().description == description, f"{label}: the save was lost"
        else:
            assert CONFLICT in saved.text
        assert_history_chains()
        editing.set_retired(make_user("admin"), cream(), False)
