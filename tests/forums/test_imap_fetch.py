"""The fetch job against a real Dovecot (tests/support/imap_server.py), messages APPENDed over
IMAP: incremental by UIDVALIDITY/UID, idempotent, and the bad input of issue 21, item 10 (a
refused login, a connection dropped mid-fetch by a real TCP proxy, a 20 MB attachment, a
malformed header, a mailbox recreated with a new UIDVALIDITY), each with one sentence and
nothing lost or duplicated."""

from __future__ import annotations

import pytest

from dmsu.forums.imap_fetch import FetchError, ImapSettings, fetch_all
from dmsu.forums.models import ForumMailbox, ForumMessage, ForumThread
from dmsu.forums.schedule import fetch_forums
from tests.support.forum_mail import mail
from tests.support.imap_server import CuttingProxy


@pytest.fixture
def app_config(dovecot):
    return dovecot.settings(DMSU_FORUMS_BATCH=2)


def settings(app, **overrides) -> ImapSettings:
    return ImapSettings.from_config({**app.config, **overrides})


def state():
    return sorted((m.message_id, m.thread_id) for m in ForumMessage.select())


def test_fetching_is_incremental_and_idempotent(app, dovecot):
    for n in (1, 2, 3):
        dovecot.append(mail(n, in_reply_to="<m1@site.example.org>" if n == 2 else None))
    first = fetch_all(settings(app))
    assert (first.new, first.copies, first.refused) == (3, 0, 0)
    box = ForumMailbox.get()
    assert box.last_uid == 3 and box.uidvalidity and box.last_error == ""
    assert box.name == "dmsu@127.0.0.1/INBOX"
    before = state()
    again = fetch_all(settings(app))
    assert (again.new, again.copies) == (0, 0)  # UIDs already read are not asked for again
    assert state() == before and ForumThread.select().count() == 2
    dovecot.append(mail(4, subject="Re: x", in_reply_to="<m3@site.example.org>"))
    assert fetch_all(settings(app)).new == 1
    assert ForumMailbox.get().last_uid == 4 and ForumThread.select().count() == 2


def test_the_seed_lists_are_followed_from_the_config(app, dovecot):
    dovecot.append(mail(1, to="nordugrid-discuss@nordugrid.org"))
    dovecot.append(mail(2, to="private@example.org"))
    result = fetch_all(settings(app))
    assert (result.new, result.skipped) == (1, 1)
    assert ForumThread.get().forum_list.address == "nordugrid-discuss@nordugrid.org"


def test_a_refused_login(app, dovecot):
    with pytest.raises(FetchError) as refused:
        fetch_all(settings(app, DMSU_FORUMS_IMAP_PASSWORD="wrong"))
    sentence = str(refused.value)
    assert sentence.startswith("The IMAP server 127.0.0.1 refused the login of dmsu: ")
    assert "AUTHENTICATIONFAILED" in sentence or "Authentication failed" in sentence
    assert ForumMailbox.get().last_error == sentence  # shown on the admin page
    app.config["DMSU_FORUMS_IMAP_PASSWORD"] = "wrong"
    with app.app_context():
        assert fetch_forums(None) == f"Forums fetch failed: {sentence} Nothing was fetched."


def test_a_connection_dropped_mid_fetch_loses_and_duplicates_nothing(app, dovecot):
    body = "log line of the failing pool\n" * 700  # about 20 KB each
    for n in range(1, 7):
        dovecot.append(mail(n, subject=f"Question {n}", body=body))
    proxy = CuttingProxy(dovecot.port, cut_after=70_000)  # dies in the second batch of two
    try:
        cut = fetch_all(settings(app, DMSU_FORUMS_IMAP_PORT=proxy.port))
    finally:
        proxy.close()
    box = ForumMailbox.get()
    stored = ForumMessage.select().count()
    assert 0 < stored < 6 and stored % 2 == 0  # whole batches only
    assert box.last_uid == stored
    assert box.last_error.startswith(
        "The connection to the IMAP server was lost while INBOX was read"
    )
    assert box.last_error in cut.problems
    rest = fetch_all(settings(app))
    assert rest.new == 6 - stored and rest.copies == 0
    assert sorted(m.subject for m in ForumMessage.select()) == [
        f"Question {n}" for n in range(1, 7)
    ]
    assert ForumMailbox.get().last_error == ""


def test_a_20_mb_attachment_is_read_in_part_with_one_sentence(app, dovecot):
    """20 MB in base64 is 27 MB of mail, over the default limit of 25 MiB: the text and headers
    are kept from a partial fetch (``BODY.PEEK[]<0.n>``, RFC 3501 6.4.5), the attachment is
    noted, and the next message is fetched as usual."""
    dovecot.append(mail(1, attachment=b"\x01" * (20 * 1024 * 1024)))
    dovecot.append(mail(2, subject="After the big one"))
    result = fetch_all(settings(app))
    assert result.new == 2
    assert len(result.problems) == 1
    assert result.problems[0].startswith("INBOX UID 1: the message is 28.")
    assert result.problems[0].endswith(
        "MB, over the limit of 26.2 MB; its first part was read, so its attachments are incomplete."
    )
    big = ForumMessage.get(ForumMessage.message_id == "m1@site.example.org")
    assert "pool does not start" in big.body and len(big.body) < 1000
    [attachment] = big.attachment_list
    assert attachment["name"] == "pool.log.gz" and attachment["size"] > 15 * 1024 * 1024


def test_an_attachment_within_the_limit_is_noted_not_kept(app, dovecot):
    dovecot.append(mail(1, attachment=b"\x01" * (3 * 1024 * 1024)))
    result = fetch_all(settings(app))
    assert (result.new, result.problems) == (1, [])
    message = ForumMessage.get()
    assert message.attachment_list == [
        {"name": "pool.log.gz", "type": "application/octet-stream", "size": 3 * 1024 * 1024}
    ]
    assert "\x01" not in message.body


def test_a_malformed_header_and_an_unknown_charset(app, dovecot):
    dovecot.append(
        b"From: <<<broken\r\nTo: user-forum@dcache.org\r\nSubject: =?utf-8?q?open\r\n"
        b"Message-ID: <[anu10]x@EXCH>\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\nbody\r\n"
    )
    result = fetch_all(settings(app))
    assert result.new == 1
    assert result.problems == [
        "INBOX UID 1: The charset 'x-unknown' is unknown; the text was read as UTF-8 with "
        "replacement characters."
    ]
    assert ForumMessage.get().message_id == "[anu10]x@EXCH"


def test_a_new_uidvalidity_rereads_without_duplicates(app, dovecot):
    for n in (1, 2):
        dovecot.append(mail(n), mailbox="Lists")
    config = settings(app, DMSU_FORUMS_IMAP_MAILBOXES="Lists")
    assert fetch_all(config).new == 2
    client = dovecot.client()
    client.delete("Lists")
    client.logout()
    for n in (1, 2, 3):
        dovecot.append(mail(n), mailbox="Lists")
    again = fetch_all(config)
    assert (again.new, again.copies) == (1, 2)
    assert any("The UIDVALIDITY of Lists changed from" in p for p in again.problems)
    assert ForumMessage.select().count() == 3


def test_the_fetch_command(app, runner, dovecot):
    dovecot.append(mail(1))
    out = runner.invoke(args=["dmsu", "forums-fetch"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("1 new messages")


def test_the_fetch_command_fails_with_the_sentence(app, runner, dovecot):
    app.config["DMSU_FORUMS_IMAP_PASSWORD"] = "wrong"
    out = runner.invoke(args=["dmsu", "forums-fetch"])
    assert out.exit_code != 0
    assert "refused the login of dmsu" in out.output and "Nothing was fetched." in out.output
