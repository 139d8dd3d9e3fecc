"""Back-filling from archive files the tests write: mbox (plain and gzip, as HyperKitty exports),
an mbox with a broken first separator, and a LISTSERV notebook like JISCMail's LIST.LOGyymm;
through the CLI too."""

from __future__ import annotations

import gzip
import mailbox

from dmsu.forums.archives import ArchiveError, import_file, kind_of
from dmsu.forums.lists import ensure_list
from dmsu.forums.models import ForumMessage, ForumThread
from tests.support.forum_mail import mail

RULE = "=" * 73

NOTEBOOK = f"""\
{RULE}
Date:         Mon, 2 Mar 2026 10:00:00 +0000
Reply-To:     Testbed Support for GridPP member institutes <LCG-ROLLOUT@JISCMAIL.AC.UK>
Sender:       Testbed Support for GridPP member institutes
              <LCG-ROLLOUT@JISCMAIL.AC.UK>
From:         Ann Example <ann@site.example.org>
Subject:      ARC CE jobs stuck in FINISHING
Content-Type: text/plain; charset="us-ascii"

Since the upgrade our ARC CE keeps jobs in FINISHING.

{RULE}
Date:         Mon, 2 Mar 2026 12:00:00 +0000
Reply-To:     Testbed Support for GridPP member institutes <LCG-ROLLOUT@JISCMAIL.AC.UK>
Sender:       Testbed Support for GridPP member institutes
              <LCG-ROLLOUT@JISCMAIL.AC.UK>
From:         Bob Helper <bob@other.example.org>
Subject:      Re: ARC CE jobs stuck in FINISHING
Content-Type: text/plain; charset="us-ascii"

Check the cache cleaning of the session directory.

{RULE}
Date:         Tue, 3 Mar 2026 08:00:00 +0000
From:         Carl <carl@third.example.org>
Subject:      APEL publishing fails
Content-Type: text/plain; charset="iso-8859-1"

Gr=FC=DFe, APEL fails.
{RULE}
"""


def write_mbox(path, raws):
    box = mailbox.mbox(path)
    for raw in raws:
        box.add(raw)
    box.flush()
    box.close()
    return path


def thread_sizes():
    return sorted((t.subject, t.message_count) for t in ForumThread.select())


def test_an_mbox_back_fill_is_threaded_and_idempotent(app, tmp_path):
    forum_list = ensure_list("user-forum@dcache.org")
    path = write_mbox(
        tmp_path / "user-forum.mbox",
        [
            mail(1),
            mail(2, subject="Re: dCache pool does not start", in_reply_to="<m1@site.example.org>"),
            mail(3, subject="Other"),
        ],
    )
    assert kind_of(path) == "mbox"
    first = import_file(path, forum_list)
    assert (first.new, first.refused) == (3, 0)
    again = import_file(path, forum_list)
    assert (again.new, again.copies) == (0, 3)
    assert thread_sizes() == [("Other", 1), ("dCache pool does not start", 2)]


def test_a_gzip_mbox_as_hyperkitty_exports_it(app, tmp_path):
    plain = write_mbox(tmp_path / "a.mbox", [mail(1), mail(2, subject="Two")])
    packed = tmp_path / "user-forum.mbox.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    result = import_file(packed, ensure_list("user-forum@dcache.org"))
    assert result.new == 2


def test_an_mbox_with_a_broken_first_separator(app, tmp_path):
    good = write_mbox(tmp_path / "a.mbox", [mail(1), mail(2, subject="Two")]).read_bytes()
    broken = tmp_path / "broken.mbox"
    broken.write_bytes(good.split(b"\n", 1)[1])  # the first "From " line is gone
    result = import_file(broken, ensure_list("user-forum@dcache.org"))
    assert result.new == 2
    assert result.problems == [
        "broken.mbox does not begin with an mbox 'From ' line; the text before the first "
        "separator was read as one message."
    ]


def test_an_mbox_part_without_headers_is_refused_with_one_sentence(app, tmp_path):
    path = tmp_path / "odd.mbox"
    path.write_bytes(
        write_mbox(tmp_path / "a.mbox", [mail(1)]).read_bytes()
        + b"From nobody Mon Mar  2 10:00:00 2026\n\n\nno headers at all\n"
    )
    result = import_file(path, ensure_list("user-forum@dcache.org"))
    assert (result.new, result.refused) == (1, 1)
    assert result.problems == ["odd.mbox message 2: The message has no headers."]


def test_a_listserv_notebook(app, tmp_path):
    path = tmp_path / "LCG-ROLLOUT.LOG2603"
    path.write_bytes(NOTEBOOK.replace("Gr=FC=DFe", "Grüße").encode("latin-1"))
    assert kind_of(path) == "listserv"
    forum_list = ensure_list("lcg-rollout@jiscmail.ac.uk")
    result = import_file(path, forum_list)
    assert (result.new, result.refused) == (3, 0)
    # No Message-ID in a notebook: the reply is threaded by its subject.
    assert thread_sizes() == [("APEL publishing fails", 1), ("ARC CE jobs stuck in FINISHING", 2)]
    apel = ForumMessage.get(ForumMessage.subject == "APEL publishing fails")
    assert apel.body.startswith("Grüße") and apel.sender_address == "carl@third.example.org"
    assert import_file(path, forum_list).new == 0


def test_neither_kind_of_file(app, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"just some notes\n")
    try:
        kind_of(path)
    except ArchiveError as exc:
        assert str(exc) == "notes.txt is neither an mbox file nor a LISTSERV notebook."
    else:
        raise AssertionError("a text file was taken for an archive")


def test_the_import_command(app, runner, tmp_path):
    path = write_mbox(tmp_path / "x.mbox", [mail(1)])
    out = runner.invoke(
        args=["dmsu", "forums-import", str(path), "--list", "user-forum@dcache.org"]
    )
    assert out.exit_code == 0, out.output
    assert out.output.startswith("1 new messages, 0 already stored")
    bad = runner.invoke(args=["dmsu", "forums-import", str(path), "--list", "not a list"])
    assert bad.exit_code != 0
    assert (
        "'not a list' is not a mailing-list address such as name@host.org. Nothing was imported."
        in bad.output
    )
