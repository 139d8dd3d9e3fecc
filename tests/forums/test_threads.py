"""Threading: headers first, then the subject within a window, parents arriving late, the same
mail through two lists, and staff's join and split."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dmsu.cheatsheet.models import Component
from dmsu.forums import threads
from dmsu.forums.ingest import take_in_all
from dmsu.forums.lists import component_for, ensure_list
from dmsu.forums.models import ForumMessage, ForumMessageList, ForumThread, ForumThreadEvent
from tests.support.forum_mail import BASE, mail


@pytest.fixture
def dcache(app):
    ensure_list("lcg-rollout@jiscmail.ac.uk")
    return ensure_list("user-forum@dcache.org", "dCache user forum")


def take(*raws, default=None):
    return take_in_all([(f"mail {i}", r) for i, r in enumerate(raws, 1)], default)


def subjects():
    return sorted((t.subject, t.message_count) for t in ForumThread.select())


def test_replies_join_by_in_reply_to_and_references(dcache):
    result = take(
        mail(1),
        mail(2, subject="Re: dCache pool does not start", in_reply_to="<m1@site.example.org>"),
        mail(
            3, subject="Re: other words", references="<m1@site.example.org> <m2@site.example.org>"
        ),
        mail(4, subject="New question"),
    )
    assert (result.new, result.copies, result.refused) == (4, 0, 0)
    assert subjects() == [("New question", 1), ("dCache pool does not start", 3)]
    third = ForumMessage.get(ForumMessage.message_id == "m3@site.example.org")
    assert third.parent_id_header == "m2@site.example.org"


def test_a_reply_without_headers_joins_by_subject_within_the_window(dcache):
    take(mail(1, subject="[dcache] Pool down"))
    take(mail(2, subject="Re: [dcache] Pool down", message_id="<r2@x>"))
    late = BASE + threads.SUBJECT_WINDOW + timedelta(days=5)
    take(mail(3, subject="Re: Pool down", message_id="<r3@x>", at=late))
    take(mail(4, subject="Pool down", message_id="<r4@x>"))  # not a reply: its own thread
    assert set(subjects()) == {("[dcache] Pool down", 2), ("Pool down", 1), ("Re: Pool down", 1)}


def test_a_parent_arriving_after_its_reply_takes_it_in(dcache):
    take(mail(2, subject="Re: dCache pool does not start", in_reply_to="<m1@site.example.org>"))
    assert ForumThread.select().count() == 1
    take(mail(1))
    assert subjects() == [("dCache pool does not start", 2)]


def test_the_same_mail_through_two_lists_is_one_message_on_both(dcache):
    first = take(mail(1, to="user-forum@dcache.org"))
    second = take(
        mail(1, to="lcg-rollout@jiscmail.ac.uk", subject="[LCG-ROLLOUT] dCache pool does not start")
    )
    assert (first.new, second.new, second.copies) == (1, 0, 1)
    assert ForumMessage.select().count() == 1
    lists = {link.forum_list.address for link in ForumMessageList.select()}
    assert lists == {"user-forum@dcache.org", "lcg-rollout@jiscmail.ac.uk"}


def test_taking_in_twice_changes_nothing(dcache):
    raws = [mail(1), mail(2, in_reply_to="<m1@site.example.org>"), mail(3, subject="Other")]
    take(*raws)
    before = [(m.key, m.thread_id) for m in ForumMessage.select().order_by(ForumMessage.id)]
    again = take(*raws)
    assert (again.new, again.copies) == (0, 3)
    assert [(m.key, m.thread_id) for m in ForumMessage.select().order_by(ForumMessage.id)] == before


def test_mail_for_no_followed_list_is_skipped(dcache):
    result = take(mail(1, to="someone-else@example.org"))
    assert (result.new, result.skipped) == (0, 1)


def test_join_and_split_by_hand(dcache, make_user):
    take(
        mail(1),
        mail(2, subject="Re: x", in_reply_to="<m1@site.example.org>"),
        mail(3, subject="Other"),
    )
    take(mail(4, subject="Re: x", in_reply_to="<m2@site.example.org>"))
    staff = make_user("resolver")
    main = ForumThread.get(ForumThread.subject == "dCache pool does not start")
    other = ForumThread.get(ForumThread.subject == "Other")
    joined = threads.join(other, main, staff)
    assert joined.message_count == 4 and ForumThread.select().count() == 1
    split = threads.split(ForumMessage.get(ForumMessage.message_id == "m2@site.example.org"), staff)
    assert split.message_count == 2  # m2 and its reply m4
    assert sorted(t.message_count for t in ForumThread.select()) == [2, 2]
    assert ForumThreadEvent.select().where(ForumThreadEvent.kind == "split").count() == 2
    with pytest.raises(threads.ThreadError, match="cannot be joined with itself"):
        threads.join(split, split, staff)
    first = ForumMessage.get(ForumMessage.message_id == "m1@site.example.org")
    with pytest.raises(threads.ThreadError, match="first message of a thread"):
        threads.split(first, staff)


def test_the_component_comes_from_the_cheat_sheets_forums_field(dcache):
    Component.create(name="dCache", slug="dcache", forums="user-forum@dcache.org\nhttps://x")
    Component.create(name="DPM", slug="dpm", forums="lcg-rollout@jiscmail.ac.uk")
    Component.create(name="StoRM", slug="storm", forums="LCG-ROLLOUT@jiscmail.ac.uk")
    assert component_for(dcache, "anything").name == "dCache"
    rollout = ensure_list("lcg-rollout@jiscmail.ac.uk")
    assert component_for(rollout, "our StoRM endpoint fails").name == "StoRM"
    assert component_for(rollout, "nothing named") is None
    take(mail(1))
    assert ForumThread.get().component.name == "dCache"
