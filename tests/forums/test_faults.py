"""The fetch job through faults between it and a real Dovecot (issue 23, item 7): the faulty
proxy of tests/support/imap_proxy.py kills the connection in the middle of a message's literal,
stalls beyond the job's timeout, answers a line that is no IMAP, a NO, a BAD or a FETCH
response without the message, answers slowly, or has the folder recreated (a new UIDVALIDITY,
RFC 3501 2.3.1.1) while the job has it selected. Each time nothing is lost, nothing is stored
twice, the stored UID cursor is never ahead of what is stored, and the run's problem is one
sentence on the mailbox row (what the job log and the sources page show).

bench/faults_forums.py runs the same faults by a seeded schedule while staff work."""

from __future__ import annotations

import pytest

from dmsu.forums.imap_fetch import ImapSettings, fetch_all
from dmsu.forums.models import ForumMailbox, ForumMessage, ForumThread
from dmsu.forums.schedule import fetch_forums
from dmsu.forums.sources import fetch_sources
from tests.support.forum_mail import mail
from tests.support.imap_proxy import Fault, FaultyProxy

TIMEOUT = 1
COUNT = 6


@pytest.fixture
def app_config(dovecot):
    return dovecot.settings(DMSU_FORUMS_BATCH=2, DMSU_FORUMS_IMAP_TIMEOUT=TIMEOUT)


@pytest.fixture
def proxy(dovecot):
    proxy = FaultyProxy(dovecot.port)
    yield proxy
    proxy.close()


@pytest.fixture
def six(dovecot):
    """Six mails of about 6 KB each, the fourth a reply to the third."""
    for n in range(1, COUNT + 1):
        reply = {"in_reply_to": "<m3@site.example.org>", "subject": "Re: Question 3"}
        dovecot.append(
            mail(n, **(reply if n == 4 else {"subject": f"Question {n}"}), body="log\n" * 1500)
        )


def through(app, proxy, **overrides) -> ImapSettings:
    return ImapSettings.from_config(
        {**app.config, "DMSU_FORUMS_IMAP_PORT": proxy.port, **overrides}
    )


def stored_ids() -> list[str]:
    return sorted(m.message_id for m in ForumMessage.select())


def all_six() -> list[str]:
    return sorted(f"m{n}@site.example.org" for n in range(1, COUNT + 1))


def cursor_behind_what_is_stored() -> bool:
    """UIDs here are 1..6 in append order, so UID n is mail n."""
    box = ForumMailbox.get()
    return all(f"m{n}@site.example.org" in stored_ids() for n in range(1, box.last_uid + 1))


def test_a_connection_killed_mid_literal_loses_and_duplicates_nothing(app, proxy, six):
    proxy.plan(Fault("cut", after=3, keep=2000))  # 2 KB into the third message's literal
    cut = fetch_all(through(app, proxy))
    assert proxy.struck["cut"] == 1
    assert stored_ids() == ["m1@site.example.org", "m2@site.example.org"]  # the first batch
    assert ForumMailbox.get().last_uid == 2 and cursor_behind_what_is_stored()
    assert ForumMailbox.get().last_error in cut.problems
    rest = fetch_all(through(app, proxy))
    assert (rest.new, rest.copies) == (COUNT - 2, 0)
    assert stored_ids() == all_six() and ForumMailbox.get().last_error == ""
    reply = ForumMessage.get(ForumMessage.message_id == "m4@site.example.org")
    assert reply.thread.messages.count() == 2  # the reply found its parent of the first run
    assert ForumThread.select().count() == COUNT - 1


def test_a_line_that_is_no_imap_is_one_sentence(app, proxy, six):
    proxy.plan(Fault("garbage", after=1))
    result = fetch_all(through(app, proxy))
    box = ForumMailbox.get()
    assert box.last_error == (
        "The IMAP server answered with something that is not IMAP while INBOX was read; "
        "what was stored before is kept and the next run goes on from there."
    )
    assert box.last_error in result.problems and box.last_error in box.last_result
    # the broken connection is closed, not logged out of (a LOGOUT there waits a timeout)
    assert proxy.heard_after == []
    assert (stored_ids(), box.last_uid) == ([], 0)
    assert fetch_all(through(app, proxy)).new == COUNT and stored_ids() == all_six()


def test_the_job_log_says_the_garbage_in_one_sentence(app, proxy, six):
    app.config["DMSU_FORUMS_IMAP_PORT"] = proxy.port
    proxy.plan(Fault("garbage", after=3))
    with app.app_context():
        said = fetch_forums(None)  # what the job runner writes to the job log
    assert said == (
        "2 new messages, 0 already stored, 0 skipped (automatic or for no followed list), "
        "0 refused. The IMAP server answered with something that is not IMAP while INBOX was "
        "read; what was stored before is kept and the next run goes on from there."
    )
    assert ForumMailbox.get().last_result == said


@pytest.mark.parametrize(
    "kind, sentence",
    [
        (
            "no",
            "The IMAP server refused to give message UID 3: [SERVERBUG] Internal error "
            "occurred. Refer to server log for more information.",
        ),
        (
            "bad",
            "The IMAP server refused a command on INBOX: Error in IMAP command UID FETCH: "
            "Invalid arguments.",
        ),
    ],
)
def test_a_refused_fetch_is_one_sentence(app, proxy, six, kind, sentence):
    proxy.plan(Fault(kind, after=3))
    fetch_all(through(app, proxy))
    box = ForumMailbox.get()
    assert box.last_error == sentence
    assert (stored_ids(), box.last_uid) == (["m1@site.example.org", "m2@site.example.org"], 2)
    assert fetch_all(through(app, proxy)).new == COUNT - 2 and stored_ids() == all_six()


def test_a_fetch_answer_without_the_message_stops_the_run_and_loses_nothing(app, proxy, six):
    """``* 1 FETCH (UID 3 FLAGS ())`` and OK: well-formed, but the message is not in it. Taken
    as an empty message, it was refused and the cursor went past it: the mail was lost."""
    proxy.plan(Fault("empty", after=3))
    result = fetch_all(through(app, proxy))
    box = ForumMailbox.get()
    assert box.last_error == (
        "The IMAP server answered the fetch of message UID 3 without the message; the run "
        "stopped and the next run asks for it again."
    )
    assert result.refused == 0 and box.last_uid == 2 and cursor_behind_what_is_stored()
    again = fetch_all(through(app, proxy))
    assert (again.new, again.refused) == (COUNT - 2, 0) and stored_ids() == all_six()


def test_a_stall_times_out_with_one_sentence(app, proxy, six):
    proxy.plan(Fault("stall", after=3, keep=500))
    fetch_all(through(app, proxy))
    box = ForumMailbox.get()
    assert (
        box.last_error == "The IMAP server stopped answering while INBOX was read; the run stopped."
    )
    assert proxy.heard_after == []  # no LOGOUT sent into the stalled connection
    assert (stored_ids(), box.last_uid) == (["m1@site.example.org", "m2@site.example.org"], 2)
    assert fetch_all(through(app, proxy)).new == COUNT - 2 and stored_ids() == all_six()


def test_a_slow_server_is_read_whole(app, proxy, six):
    proxy.plan(Fault("slow", after=1, delay=0.002))  # 36 KB at 512 bytes a piece
    result = fetch_all(through(app, proxy))
    assert proxy.struck["slow"] == 1
    assert (result.new, result.problems) == (COUNT, []) and stored_ids() == all_six()


def test_the_folder_recreated_while_it_is_read(app, dovecot, proxy):
    """A restored folder (delete, create, the same mail again plus one) while the job has it
    selected: the run stops or reads on, and the next run reads the new UIDVALIDITY from the
    start, recognising what it stored."""
    mails = [mail(n, subject=f"Question {n}", body="log\n" * 1500) for n in range(1, 7)]
    for raw in mails:
        dovecot.append(raw, mailbox="Lists")

    def restore():
        client = dovecot.client()
        client.delete("Lists")
        client.create("Lists")
        for raw in [*mails, mail(7, subject="Question 7")]:
            client.append("Lists", "", None, raw)
        client.logout()

    proxy.hook = restore
    proxy.plan(Fault("hook", after=3))
    config = through(app, proxy, DMSU_FORUMS_IMAP_MAILBOXES="Lists")
    fetch_all(config)
    first = stored_ids()
    assert first[:2] == ["m1@site.example.org", "m2@site.example.org"]
    assert ForumMailbox.get().last_uid == len(first)
    again = fetch_all(config)
    assert any("The UIDVALIDITY of Lists changed from" in p for p in again.problems)
    assert again.new == 7 - len(first) and again.copies == len(first)
    assert sorted(stored_ids()) == sorted(f"m{n}@site.example.org" for n in range(1, 8))
    assert ForumMailbox.get().last_uid == 7 and ForumMailbox.get().last_error == ""


def test_a_stall_at_the_login_is_a_failed_run_not_an_exception(app, proxy, six):
    """The timeout during LOGIN escaped as a TimeoutError: the job's traceback, the "Fetch now"
    button's 500, and no sentence on the mailbox row."""
    app.config["DMSU_FORUMS_IMAP_PORT"] = proxy.port
    proxy.plan(Fault("stall", at="login", keep=0))
    with app.app_context():
        run = fetch_sources(app.config)
    sentence = "The IMAP server stopped answering during the login; the run stopped."
    assert run.failed and run.text == f"Forums fetch failed: {sentence} Nothing was fetched."
    assert ForumMailbox.get().last_error == sentence and stored_ids() == []
    assert proxy.heard_after == []


def test_a_cut_at_the_login_is_no_refused_login(app, proxy, six):
    proxy.plan(Fault("cut", at="login", keep=3))
    with app.app_context():
        run = fetch_sources({**app.config, "DMSU_FORUMS_IMAP_PORT": proxy.port})
    error = ForumMailbox.get().last_error
    assert error.startswith("The connection to the IMAP server was lost during the login (")
    assert "refused" not in error and run.failed and error in run.text


def test_fetch_now_through_a_stalled_login_answers_with_the_sentence(
    app, proxy, six, make_user, login
):
    app.config["DMSU_FORUMS_IMAP_PORT"] = proxy.port
    proxy.plan(Fault("stall", at="login", keep=0))
    admin = login(make_user("admin"))
    answer = admin.form("/forums/sources/fetch")  # the sources page's "Fetch now": was a 500
    assert answer.status_code == 303
    page = admin.get("/forums/sources").get_data(as_text=True)
    assert "The IMAP server stopped answering during the login; the run stopped." in page
    assert admin.form("/forums/sources/fetch").status_code == 303  # healthy again
    assert stored_ids() == all_six() and ForumMailbox.get().last_error == ""
