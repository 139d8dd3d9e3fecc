"""No lost edits: a save based on an old revision is refused, shown as a diff, and the editor
keeps their text; concurrent savers on the real database — exactly one wins."""

from __future__ import annotations

import threading

import pytest

from dmsu.core.db import database
from dmsu.wiki import links
from dmsu.wiki.models import Page, Revision
from dmsu.wiki.pages import Draft, EditConflict, create_page, save_page


@pytest.fixture
def editors(make_user, login):
    first = make_user("resolver", "rita", display_name="Rita Resolver")
    second = make_user("assigner", "alice", display_name="Alice Assigner")
    return first, second, login(first), login(second)


def test_the_second_save_from_the_same_base_gets_a_409_with_the_diff_and_keeps_its_text(editors):
    rita, alice, rita_client, alice_client = editors
    create_page(Draft(title="Shared", markdown="first line\nsecond line\n"), rita)
    for client in (rita_client, alice_client):
        assert 'name="base_revision" value="1"' in client.get("/wiki/shared/edit").get_data(
            as_text=True
        )
    won = rita_client.form(
        "/wiki/shared/edit",
        {
            "title": "Shared",
            "markdown": "first line\nsecond line, by Rita\n",
            "visibility": "internal",
            "base_revision": "1",
            "summary": "Rita's fix",
        },
    )
    assert won.status_code == 302
    lost = alice_client.form(
        "/wiki/shared/edit",
        {
            "title": "Shared",
            "markdown": "first line\nAlice's own words\n",
            "visibility": "internal",
            "base_revision": "1",
        },
    )
    assert lost.status_code == 409
    html = lost.get_data(as_text=True)
    assert "Rita Resolver saved this page (revision 2) after you started editing" in html
    assert "second line, by Rita</ins>" in html and "second line</del>" in html
    assert "Alice&#39;s own words\n</textarea>" in html or "Alice's own words\n</textarea>" in html
    assert 'name="base_revision" value="2"' in html  # merging, then saving, works
    page = Page.get(Page.slug == "shared")
    assert page.revision_number == 2 and "by Rita" in page.html
    merged = alice_client.form(
        "/wiki/shared/edit",
        {
            "title": "Shared",
            "markdown": "first line\nsecond line, by Rita\nAlice's own words\n",
            "visibility": "internal",
            "base_revision": "2",
        },
    )
    assert merged.status_code == 302
    assert [r.number for r in Revision.select().order_by(Revision.number)] == [1, 2, 3]


def test_save_page_refuses_a_stale_base_and_writes_nothing(editors):
    rita, alice, *_ = editors
    page = create_page(Draft(title="Shared", markdown="a"), rita)
    save_page(page, Draft(title="Shared", markdown="b"), rita, 1)
    with pytest.raises(EditConflict) as caught:
        save_page(page, Draft(title="Renamed", markdown="c", visibility="public"), alice, 1)
    assert caught.value.current.number == 2 and caught.value.base.number == 1
    page = Page.get_by_id(page.id)
    assert (page.title, page.visibility, page.revision_number) == ("Shared", "internal", 2)
    assert Revision.select().count() == 2


def _race(app, page_id, users, texts, hold_first_claim: bool):
    """Two threads save from the same base at once; return their outcomes."""
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = [""] * len(users)
    original = links.store_links
    held = threading.Lock()

    def slow_store_links(page, rendered):
        # The first saver to get here holds its transaction open a moment, so the other
        # saver really runs into it (SQLite: waits for the lock; PostgreSQL: row lock).
        if hold_first_claim and held.acquire(blocking=False):
            threading.Event().wait(0.4)
        return original(page, rendered)

    def save(index):
        database.connect(reuse_if_open=True)
        try:
            page = Page.get_by_id(page_id)
            barrier.wait()
            save_page(page, Draft(title="Race", markdown=texts[index]), users[index], 1)
            outcomes[index] = "saved"
        except EditConflict:
            outcomes[index] = "conflict"
        except Exception as exc:  # noqa: BLE001 - the test reports any other failure
            outcomes[index] = f"error: {type(exc).__name__}: {exc}"
        finally:
            database.close()

    links.store_links = slow_store_links
    try:
        threads = [threading.Thread(target=save, args=(i,)) for i in range(len(users))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        links.store_links = original
    return outcomes


@pytest.mark.parametrize("hold_first_claim", [True, False])
def test_two_concurrent_savers_exactly_one_wins(app, editors, hold_first_claim):
    rita, alice, *_ = editors
    page = create_page(Draft(title="Race", markdown="base text"), rita)
    database.close()  # the threads use their own connections
    for round_number in range(3):
        base_page = Page.get_by_id(page.id)
        Page.update(revision_number=1).where(Page.id == page.id).execute()
        Revision.delete().where(Revision.page == page.id, Revision.number > 1).execute()
        database.close()
        outcomes = _race(
            app, base_page.id, [rita, alice], ["Rita's text", "Alice's text"], hold_first_claim
        )
        database.connect(reuse_if_open=True)
        assert sorted(outcomes) == ["conflict", "saved"], (round_number, outcomes)
        saved = Page.get_by_id(page.id)
        assert saved.revision_number == 2
        winner = "Rita" if outcomes[0] == "saved" else "Alice"
        assert winner in saved.html
        numbers = sorted(r.number for r in Revision.select().where(Revision.page == page.id))
        assert numbers == [1, 2]
        assert winner in Revision.get(Revision.page == page.id, Revision.number == 2).markdown
