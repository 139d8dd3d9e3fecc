"""Threads in the one search: staff find them by what the mail says (not by its quotes), the
public search never shows them, and a joined-away thread leaves the index."""

from __future__ import annotations

from dmsu.core.search.models import SearchDocument
from dmsu.forums import threads
from dmsu.forums.ingest import take_in_all
from dmsu.forums.lists import ensure_list
from dmsu.forums.models import ForumThread
from dmsu.search.rebuild import rebuild_all
from tests.support.forum_mail import mail


def fill():
    forum_list = ensure_list("user-forum@dcache.org")
    take_in_all(
        [
            (
                "1",
                mail(
                    1, subject="Pool refuses xrootd transfers", body="The zorbulator daemon dies.\n"
                ),
            ),
            ("2", mail(2, subject="Other thing", body="Nothing.\n> zorbulator quoted only\n")),
        ],
        forum_list,
    )


def test_staff_find_threads_and_the_public_does_not(clients):
    fill()
    staff = clients["tpm"].get("/search?q=zorbulator").get_data(as_text=True)
    thread = ForumThread.get(ForumThread.subject == "Pool refuses xrootd transfers")
    assert f'href="/forums/threads/{thread.id}"' in staff
    other = ForumThread.get(ForumThread.subject == "Other thing")
    assert f'href="/forums/threads/{other.id}"' not in staff  # only its quote says it
    public = clients["anonymous"].get("/search?q=zorbulator").get_data(as_text=True)
    assert "/forums/threads/" not in public


def test_a_joined_away_thread_leaves_the_index(clients, make_user):
    fill()
    first, second = ForumThread.select().order_by(ForumThread.id)
    threads.join(second, first, make_user("resolver"))
    keys = {d.key for d in SearchDocument.select().where(SearchDocument.area == "forums")}
    assert keys == {str(first.id)}
    assert rebuild_all(index=False)["forums"] == 1
