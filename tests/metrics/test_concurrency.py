"""Two assigners at once on one TCB recommendation, over real HTTP against a live server: of
two saves made on what the same page showed (two edits, or an edit and a review) exactly one
wins, the other is refused with its input kept, and what won is what is stored."""

from __future__ import annotations

from functools import partial

import pytest

from dmsu.metrics.models import Recommendation
from tests.support.live_http import LiveSession, hidden_fields, race

ROUNDS = 10
CONFLICT = "Someone else saved this recommendation"


@pytest.fixture
def item(app):
    return Recommendation.create(
        quarter="PQ9", title="Ship the CREAM proxy fix", risk="Jobs fail.", improvement="Fewer."
    )


@pytest.fixture
def assigners(live_server, make_user):
    return (
        LiveSession(live_server.url).log_in(make_user("assigner")),
        LiveSession(live_server.url).log_in(make_user("assigner")),
    )


def _page_form(session: LiveSession, url: str, **values) -> dict:
    """What the browser sends from the form at ``url``: its hidden fields and ``values``."""
    return {**hidden_fields(session.get(url).text, url), **values}


def _edit(item, session, title: str) -> dict:
    url = f"/metrics/recommendations/item/{item.id}/edit"
    stored = Recommendation.get_by_id(item.id)
    return _page_form(
        session, url, title=title, text=stored.text, risk=stored.risk,
        improvement=stored.improvement,
    )  # fmt: skip


def _review(item, session, outcome: str) -> dict:
    url = f"/metrics/recommendations/item/{item.id}/review"
    return _page_form(session, url, followed="partly", outcome=outcome)


def test_of_two_edits_of_one_version_exactly_one_wins(item, assigners):
    first, second = assigners
    url = f"/metrics/recommendations/item/{item.id}/edit"
    for n in range(ROUNDS):
        mine, theirs = f"Title A{n}", f"Title B{n}"
        forms = (_edit(item, first, mine), _edit(item, second, theirs))
        answers = race(partial(first.form, url, forms[0]), partial(second.form, url, forms[1]))
        statuses = [a.status_code for a in answers]
        assert statuses.count(302) == 1, f"round {n}: {statuses.count(302)} of two saves won"
        assert sorted(statuses) == [302, 409], f"round {n}: answers {statuses}"
        winner = mine if statuses[0] == 302 else theirs
        loser = answers[statuses.index(409)]
        assert CONFLICT in loser.text and (theirs if winner == mine else mine) in loser.text
        assert Recommendation.get_by_id(item.id).title == winner


def test_an_edit_and_a_review_at_once_lose_nothing(item, assigners):
    editor, reviewer = assigners
    edit_url = f"/metrics/recommendations/item/{item.id}/edit"
    review_url = f"/metrics/recommendations/item/{item.id}/review"
    for n in range(ROUNDS):
        title, outcome = f"Title of round {n}", f"Outcome of round {n}"
        forms = (_edit(item, editor, title), _review(item, reviewer, outcome))
        edited, reviewed = race(
            partial(editor.form, edit_url, forms[0]),
            partial(reviewer.form, review_url, forms[1]),
        )
        statuses = [edited.status_code, reviewed.status_code]
        assert statuses.count(302) == 1, f"round {n}: {statuses.count(302)} of two saves won"
        stored = Recommendation.get_by_id(item.id)
        if edited.status_code == 302:
            assert stored.title == title and stored.outcome != outcome
            assert reviewed.status_code == 409 and outcome in reviewed.text
        else:
            assert stored.outcome == outcome and stored.title != title
            assert edited.status_code == 409 and title in edited.text
