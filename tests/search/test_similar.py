""" "Seen before?" (dmsu/search/similar.py): the documents holding all of a ticket's telling
words come first, those holding any of them fill the rest, the ticket itself never."""

from __future__ import annotations

from dmsu.core.search.documents import Document, put
from dmsu.search import similar


def keys(seen) -> list[str]:
    return [result.key for result in seen.results]


def test_all_the_telling_words_first_then_any(app, make_user):
    staff = make_user("resolver")
    put([Document("tickets", "90001", "zinc cobalt argon failure")])
    # newer and more of them, each with only one of the words and more often
    put([Document("tickets", str(n), "zinc zinc zinc stalls") for n in range(90002, 90008)])
    put([Document("wiki", "cobalt-notes", "cobalt argon notes")])
    with app.test_request_context():
        seen = similar.seen_before("zinc cobalt argon", "", staff)
        assert set(seen.words) == {"zinc", "cobalt", "argon"}
        assert keys(seen)[0] == "90001"  # the one with all three
        assert len(seen.results) == 5  # filled up by those with any of them
        alone = similar.seen_before(
            "zinc cobalt argon", "", staff, exclude=("tickets", "90001"), limit=10
        )
        assert "90001" not in keys(alone) and "cobalt-notes" in keys(alone)
