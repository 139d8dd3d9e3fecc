"""Parsing real-world mail: the traps of issue 21, item 2, each with bytes as they come."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest

from dmsu.forums.parsing import MailError, message_ids, normal_subject, parse
from dmsu.forums.quotes import segments
from tests.support.forum_mail import mail

OUTLOOK_ID = b"<[anu10]ABCD1234@EXCH.example.org>"


def raw(headers: str, body: bytes = b"text\r\n") -> bytes:
    return headers.replace("\n", "\r\n").encode("latin-1") + b"\r\n" + body


def test_a_plain_list_mail():
    parsed = parse(mail(1, sender="Ann Example <ann@site.example.org>"))
    assert parsed.message_id == "m1@site.example.org"
    assert parsed.sender_name == "Ann Example"
    assert parsed.sender_address == "ann@site.example.org"
    assert "pool does not start" in parsed.body
    assert parsed.lists == ["user-forum.dcache.org", "user-forum@dcache.org"]
    assert not parsed.skip and not parsed.is_reply


def test_a_message_id_policy_default_raises_on_is_kept():
    data = raw(f"From: a@b.org\nSubject: x\nMessage-ID: {OUTLOOK_ID.decode()}\n")
    with pytest.raises(Exception):  # noqa: B017 - the trap itself, on this Python
        str(BytesParser(policy=policy.default).parsebytes(data)["Message-ID"].msg_id)
    assert parse(data).message_id == "[anu10]ABCD1234@EXCH.example.org"


@pytest.mark.parametrize(
    "value, expected",
    [
        ('Your message of "Tue, 3 Mar 2020 10:00:00 +0000" <p1@host.org>', ["p1@host.org"]),
        ("<a@x> <b@y>", ["a@x", "b@y"]),
        ("bare@host.org", ["bare@host.org"]),
        ("not an id at all", []),
        ("", []),
    ],
)
def test_message_ids_are_found_in_broken_values(value, expected):
    assert message_ids(value) == expected


def test_the_parent_is_in_reply_to_else_the_last_reference():
    assert parse(mail(2, references="<a@x> <b@x>")).parent_id == "b@x"
    assert parse(mail(2, in_reply_to="<c@x>", references="<a@x> <b@x>")).parent_id == "c@x"
    broken = parse(mail(2, in_reply_to='Your message of "Tue" <d@x>'))
    assert broken.parent_id == "d@x" and broken.is_reply


def test_subjects_lose_prefixes_and_list_tags():
    assert normal_subject("Re: [lcg-rollout] RE: Fwd: AW: SV:  Pool  down") == "pool down"
    assert normal_subject("[dCache-user] Re: [lcg-rollout] Pool") == "pool"


def test_an_encoded_subject_and_a_latin1_body():
    data = raw(
        "From: =?iso-8859-1?q?J=F6rg?= <j@b.org>\nSubject: =?utf-8?b?UmU6IGNhZsOp?=\n"
        "Content-Type: text/plain; charset=iso-8859-1\n",
        "Grüße".encode("latin-1") + b"\r\n",
    )
    parsed = parse(data)
    assert parsed.sender_name == "Jörg" and parsed.subject == "Re: café"
    assert parsed.body.strip() == "Grüße" and not parsed.notes


def test_an_unknown_charset_is_read_with_one_sentence():
    data = raw(
        "From: a@b.org\nSubject: x\nContent-Type: text/plain; charset=x-klingon\n", b"ok \xff\r\n"
    )
    parsed = parse(data)
    assert parsed.body.startswith("ok ")
    assert parsed.notes == [
        "The charset 'x-klingon' is unknown; the text was read as UTF-8 with replacement characters."
    ]


def test_html_only_mail_becomes_text():
    data = raw(
        "From: a@b.org\nSubject: x\nContent-Type: text/html; charset=utf-8\n",
        b"<html><body><p>The <b>pool</b> is down.</p><script>alert(1)</script></body></html>",
    )
    body = parse(data).body
    assert "The pool is down." in body and "<" not in body and "alert" not in body


@pytest.mark.parametrize(
    "headers, skipped",
    [
        ({"Auto-Submitted": "auto-replied"}, True),
        ({"Auto-Submitted": "no"}, False),
        ({"Precedence": "auto_reply"}, True),
        ({"Precedence": "junk"}, True),
        ({"Precedence": "list"}, False),
        ({"Precedence": "bulk"}, False),  # through a list (it has a List-Id): LISTSERV sends bulk
        ({"X-Autoreply": "yes"}, True),
    ],
)
def test_auto_replies_are_skipped_and_list_mail_is_not(headers, skipped):
    assert bool(parse(mail(1, headers=headers)).skip) is skipped


def test_bulk_mail_through_no_list_is_skipped():
    data = raw("From: robot@b.org\nSubject: Out of office\nPrecedence: bulk\n")
    assert parse(data).skip == "an automatic mail (Precedence: bulk, through no list)"


def test_attachments_are_noted_not_kept():
    parsed = parse(mail(1, attachment=b"\x00" * 5000))
    assert parsed.attachments == [
        {"name": "pool.log.gz", "type": "application/octet-stream", "size": 5000}
    ]
    assert "\x00" not in parsed.body


def test_a_malformed_header_does_not_lose_the_mail():
    data = raw("From: <<<broken\nSubject: =?utf-8?q?unterminated\nDate: yesterday-ish\n")
    parsed = parse(data)
    assert parsed.body.strip() == "text"
    assert "The Date header could not be read; the time it was fetched is used." in parsed.notes


def test_not_a_mail():
    with pytest.raises(MailError, match="The message is empty."):
        parse(b"  \r\n")


def test_the_same_mail_through_two_lists_has_one_key():
    one = parse(mail(1, subject="[lcg-rollout] Pool down", to="lcg-rollout@jiscmail.ac.uk"))
    two = parse(mail(1, subject="Pool down", to="user-forum@dcache.org"))
    assert one.key == two.key
    other = parse(mail(1, subject="Something else entirely"))  # the same Message-ID reused
    assert other.key != one.key


def test_quotes_are_folded_inline_and_top_posted():
    body = (
        "Hi,\n\nOn Tue, 3 Mar 2020, Bob <bob@x.org> wrote:\n> the pool\n> broke\n\n"
        "Restart it.\n-----Original Message-----\nFrom: Bob\nSent: Tuesday\nold text"
    )
    kinds = [(s.quoted, s.text.strip().splitlines()[0]) for s in segments(body)]
    assert kinds == [
        (False, "Hi,"),
        (True, "On Tue, 3 Mar 2020, Bob <bob@x.org> wrote:"),
        (False, "Restart it."),
        (True, "-----Original Message-----"),
    ]
    assert "".join(s.text for s in segments(body)).count("broke") == 1
