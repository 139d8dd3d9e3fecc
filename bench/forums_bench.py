"""The forums benchmark (issue 21): messages per second parsed, threaded and stored, fetched
from a real Dovecot, and the precision of the link suggestions on the demo data.

    .venv/bin/python bench/forums_bench.py --messages 10000 \
        [--pg postgresql://root@127.0.0.1:5432/test_forums] [--no-imap] [--no-precision]

The messages are generated here: threads of 1 to 8 mails on the five lists of seed 001, about
a tenth of the replies without In-Reply-To/References (threaded by subject), a tenth HTML-only,
some quoted text and Latin-1 bodies, a twentieth sent through two lists, in an order where some
replies come before their parents. Steps, each timed on its own:

1. parse only (:func:`dmsu.forums.parsing.parse`);
2. take in (parse, thread, store; batches of 50, one transaction each) into an empty database,
   SQLite and PostgreSQL when ``--pg`` is given (its public schema is dropped and made again);
3. the same messages again (all recognised, nothing changes);
4. IMAP: the messages APPENDed to a throwaway Dovecot (not timed as ours), then
   ``fetch_all`` into an empty SQLite database: fetched, parsed, threaded and stored;
5. precision: on ``flask dmsu demo``'s data (700 tickets), how often a demo question thread's
   source ticket is the first or among the first five "likely tickets".

Prints Markdown; the numbers go into bench/RESULTS-forums.md by hand.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_bench import empty_postgres  # noqa: E402

LISTS = (
    "lcg-rollout@jiscmail.ac.uk",
    "unicore-support@lists.sf.net",
    "dpm-users-forum@cern.ch",
    "user-forum@dcache.org",
    "nordugrid-discuss@nordugrid.org",
)
WORDS = [
    "pool",
    "transfer",
    "gridftp",
    "srm",
    "proxy",
    "voms",
    "bdii",
    "publishing",
    "queue",
    "cream",
    "argus",
    "lcmaps",
    "cache",
    "certificate",
    "upgrade",
    "restart",
    "timeout",
    "database",
    "tomcat",
    "memory",
    "java",
    "daemon",
    "dpm",
    "head",
    "disk",
    "space",
    "token",
    "replica",
    "checksum",
    "apel",
    "accounting",
    "glue",
    "schema",
    "slurm",
    "torque",
    "arc",
    "session",
]
START = datetime(2012, 5, 1, tzinfo=UTC)


def make_messages(n: int, seed: int = 21) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    made: list[tuple[str, bytes]] = []
    thread = 0
    while len(made) < n:
        thread += 1
        address = rng.choice(LISTS)
        subject = " ".join(rng.sample(WORDS, 5)).capitalize()
        at = START + timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        size = min(rng.randint(1, 8), n - len(made))
        ids: list[str] = []
        mails: list[tuple[str, bytes]] = []
        for k in range(size):
            message = EmailMessage()
            message["From"] = (
                f"User {rng.randint(1, 900)} <u{rng.randint(1, 900)}@site.example.org>"
            )
            to = address if rng.random() > 0.05 else f"{address}, {rng.choice(LISTS)}"
            message["To"] = to
            message["List-Id"] = f"<{address.replace('@', '.')}>"
            message["Subject"] = ("Re: " if k else "") + f"[{address.split('@')[0]}] {subject}"
            message["Date"] = format_datetime(at + timedelta(hours=3 * k))
            own = f"<t{thread}.{k}@site.example.org>"
            message["Message-ID"] = own
            if k and rng.random() > 0.1:
                message["In-Reply-To"] = ids[-1]
                message["References"] = " ".join(ids[-3:])
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 200)))
            if k:
                text += f"\n\nOn {at:%a, %d %b %Y}, someone wrote:\n> " + " ".join(
                    rng.sample(WORDS, 12)
                )
            if rng.random() < 0.1:
                message.set_content(f"<html><body><p>{text}</p></body></html>", subtype="html")
            elif rng.random() < 0.1:
                message.set_content(text + " Grüße", charset="iso-8859-1")
            else:
                message.set_content(text)
            ids.append(own)
            mails.append((f"thread {thread} mail {k}", bytes(message)))
        if len(mails) > 2 and rng.random() < 0.2:  # a reply arrives before its parent
            mails[1], mails[2] = mails[2], mails[1]
        made += mails
    return made


def _app(url: str, scratch: str):
    from dmsu import create_app
    from dmsu.core import schema
    from dmsu.core.db import database

    empty_postgres(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, instance_path=scratch)
    ctx = app.app_context()
    ctx.push()
    database.connect(reuse_if_open=True)
    schema.migrate()
    return app, ctx


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f} messages/s ({seconds:.1f} s)"


def bench_parse(messages) -> str:
    from dmsu.forums.parsing import parse

    started = time.perf_counter()
    for _, raw in messages:
        parse(raw)
    return f"| parse only | {_rate(len(messages), time.perf_counter() - started)} |"


def bench_take_in(name: str, url: str, messages, scratch: str) -> list[str]:
    from dmsu.core.db import database
    from dmsu.forums.imap_fetch import ImapSettings
    from dmsu.forums.ingest import take_in_all
    from dmsu.forums.lists import ensure_list
    from dmsu.forums.models import ForumMessage, ForumThread

    app, ctx = _app(url, scratch)
    for address in ImapSettings.from_config(app.config).lists:
        ensure_list(address)
    started = time.perf_counter()
    first = take_in_all(messages)
    took = time.perf_counter() - started
    threads = ForumThread.select().count()
    stored = ForumMessage.select().count()
    started = time.perf_counter()
    again = take_in_all(messages)
    again_took = time.perf_counter() - started
    unchanged = ForumMessage.select().count() == stored and ForumThread.select().count() == threads
    database.close()
    ctx.pop()
    return [
        f"| {name}: parse + thread + store | {_rate(len(messages), took)}; {first.new:,} messages, "
        f"{threads:,} threads, {first.refused} refused |",
        f"| {name}: the same again | {_rate(len(messages), again_took)}; {again.new} new, "
        f"{again.copies:,} recognised, unchanged: {unchanged} |",
    ]


def bench_imap(messages, scratch: str) -> list[str]:
    from dmsu.core.db import database
    from dmsu.forums.imap_fetch import ImapSettings, fetch_all
    from dmsu.forums.models import ForumMessage, ForumThread
    from tests.support.imap_server import start_dovecot, stop_dovecot

    server = start_dovecot()
    try:
        client = server.client()
        started = time.perf_counter()
        for _, raw in messages:
            client.append("INBOX", "", None, raw)
        client.logout()
        appended = time.perf_counter() - started
        app, ctx = _app(f"sqlite:///{scratch}/imap.sqlite3", scratch)
        settings = ImapSettings.from_config({**app.config, **server.settings()})
        started = time.perf_counter()
        result = fetch_all(settings)
        took = time.perf_counter() - started
        threads = ForumThread.select().count()
        stored = ForumMessage.select().count()
        started = time.perf_counter()
        again = fetch_all(settings)
        again_took = time.perf_counter() - started
        database.close()
        ctx.pop()
    finally:
        stop_dovecot(server)
    return [
        f"| IMAP APPEND into Dovecot (setup) | {_rate(len(messages), appended)} |",
        f"| SQLite: IMAP fetch + parse + thread + store | {_rate(len(messages), took)}; "
        f"{result.new:,} new, {stored:,} stored, {threads:,} threads |",
        f"| SQLite: IMAP fetch again | {again_took:.2f} s; {again.new} new (UIDs already read) |",
    ]


def precision(scratch: str) -> list[str]:
    from dmsu.auth.models import User
    from dmsu.content import load_all
    from dmsu.core.db import database
    from dmsu.demo import load
    from dmsu.forums import demo as forums_demo
    from dmsu.forums.models import ForumMessage, ForumThread
    from dmsu.forums.quotes import segments
    from dmsu.search.similar import seen_before
    from dmsu.tickets.models import Ticket

    app, ctx = _app(f"sqlite:///{scratch}/demo.sqlite3", scratch)
    with app.test_request_context():
        load_all()
        load(700, echo=lambda *_: None)
        staff = User.get(User.role == "assigner")
        first = top5 = total = 0
        for thread in ForumThread.select().where(ForumThread.message_count == 2):
            question = (
                ForumMessage.select()
                .where(ForumMessage.thread == thread)
                .order_by(ForumMessage.sent_at)
                .first()
            )
            source = Ticket.get_or_none(Ticket.subject == thread.subject)
            if source is None:
                continue
            own = "\n".join(s.text for s in segments(question.body) if not s.quoted)
            keys = [
                r.key
                for r in seen_before(thread.subject, own, staff).results
                if r.area == "tickets"
            ]
            total += 1
            first += bool(keys) and keys[0] == str(source.ggus_id)
            top5 += str(source.ggus_id) in keys[:5]
    database.close()
    ctx.pop()
    return [
        f'| precision@1 of "likely tickets" on the demo ({total} question threads of '
        f"{forums_demo.QUESTIONS}) | {first}/{total} = {first / max(total, 1):.0%} |",
        f"| source ticket among the first five | {top5}/{total} = {top5 / max(total, 1):.0%} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--pg", default="")
    parser.add_argument("--no-imap", action="store_true")
    parser.add_argument("--no-precision", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DMSU_ARGON2_TIME_COST", "1")
    messages = make_messages(args.messages)
    print(
        f"{len(messages):,} generated messages, {sum(len(r) for _, r in messages) / 1e6:.1f} MB\n"
    )
    print("| step | result |\n|---|---|")
    print(bench_parse(messages), flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        for line in bench_take_in(
            "SQLite", f"sqlite:///{scratch}/bench.sqlite3", messages, scratch
        ):
            print(line, flush=True)
        if args.pg:
            for line in bench_take_in("PostgreSQL", args.pg, messages, scratch):
                print(line, flush=True)
        if not args.no_imap:
            for line in bench_imap(messages, scratch):
                print(line, flush=True)
        if not args.no_precision:
            for line in precision(scratch):
                print(line, flush=True)


if __name__ == "__main__":
    main()
