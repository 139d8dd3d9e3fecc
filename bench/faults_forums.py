"""Faults through the forums' IMAP fetch: the fetch job runs again and again through a faulty
proxy in front of a real Dovecot while mail arrives and staff work on the threads.

    .venv/bin/python bench/faults_forums.py [--seconds 90] [--seed 23] [--database URL]

Not part of the test command. Starts Dovecot on loopback (tests/support/imap_server.py) and
:class:`tests.support.imap_proxy.FaultyProxy` in front of it, builds a scratch database
(SQLite in a temp folder, or the PostgreSQL URL given, emptied first) and runs for
``--seconds``:

- an appender APPENDs new list mail to the ``Lists`` folder (a third of it replies), and, by
  the seeded schedule, recreates the folder (delete, create, APPEND everything again: a
  restored mailbox, a new UIDVALIDITY), sometimes while a fetch is running;
- the fetch job (``dmsu.forums.schedule.fetch_forums``, what the scheduler calls) runs in a
  loop; before each run the proxy is given the run's fault by the seeded schedule: the
  connection cut in the middle of a message's literal, a stall beyond the job's 1 s timeout,
  a line that is no IMAP, a tagged NO or BAD to a body FETCH, or none;
- two staff members, through the site's pages (the Flask test client, CSRF token and all),
  change thread states, link threads to tickets and spawn tickets from threads, each on a
  half of the threads of its own.

Then the proxy heals, the appender stops, the job runs once more, and the bench checks: every
message in the folder recorded exactly once (by Message-ID), none lost, none twice; every
message in one thread and each thread's count right; every answer to staff a 303 (no 500, no
"database is locked"), and every acknowledged change in the database; after every run, every
message of the folder up to the stored UID cursor recorded (the cursor never ahead of what
was stored). Exit status 1 when a check fails. Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_bench import empty_postgres  # noqa: E402

FOLDER = "Lists"
LIST = "user-forum@dcache.org"
PASSWORD = secrets.token_urlsafe(16)  # the scratch accounts of a scratch database, per run
KINDS = ("cut", "stall", "garbage", "no", "bad", "empty", "slow")
AT = ("body", "body", "body", "list", "select", "login")  # where a fault strikes
STOPPED = (  # how the sentence of a run that stopped begins
    "The connection to the IMAP server was lost",
    "The IMAP server stopped answering",
    "The IMAP server answered with something that is not IMAP",
    "The IMAP server answered the fetch of message",
    "The IMAP server refused to give message",
    "The IMAP server refused a command",
    "could not be opened",
    "Forums fetch failed",
)
_MESSAGE_ID = re.compile(rb"Message-ID:\s*<([^>]+)>", re.IGNORECASE)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def make_mail(n: int, rng: random.Random) -> bytes:
    message = EmailMessage()
    message["From"] = f"User {n % 37} <u{n % 37}@site.example.org>"
    message["To"] = LIST
    message["List-Id"] = f"<{LIST.replace('@', '.')}>"
    message["Message-ID"] = f"<ff{n}@bench.example.org>"
    if n > 3 and rng.random() < 0.33:
        parent = rng.randint(max(1, n - 20), n - 1)
        message["Subject"] = f"Re: pool question {parent}"
        message["In-Reply-To"] = f"<ff{parent}@bench.example.org>"
    else:
        message["Subject"] = f"pool question {n}"
    message["Date"] = _date(n)
    message.set_content(f"Message {n}.\n" + "the pool logs say timeout\n" * rng.randint(5, 400))
    return bytes(message)


def _date(n: int) -> str:
    from datetime import UTC, datetime, timedelta

    return format_datetime(datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=n))


@dataclass
class World:
    """What every thread of the bench saw, guarded by ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    mailbox_lock: threading.Lock = field(default_factory=threading.Lock)  # the folder's content
    appended: list[bytes] = field(default_factory=list)  # every mail, in order
    recreated: int = 0
    runs: int = 0
    failed_runs: int = 0
    run_errors: Counter = field(default_factory=Counter)
    faults: Counter = field(default_factory=Counter)
    cursor_ahead: list[str] = field(default_factory=list)
    staff: Counter = field(default_factory=Counter)  # "action: status" -> count
    staff_bad: list[str] = field(default_factory=list)
    acked: list[tuple] = field(default_factory=list)  # (action, thread id, value)
    broke: list[str] = field(default_factory=list)  # a bench thread that died


class Appender:
    """One IMAP session that APPENDs; after Dovecot's "[TRYCREATE] Mailbox was deleted under
    us" (the folder recreated while sessions had it open) it starts a new session and tries
    again."""

    def __init__(self, server) -> None:
        self.server, self.client = server, server.client()

    def put(self, raw: bytes) -> None:
        for _ in range(50):
            status, data = self.client.append(FOLDER, "", None, raw)
            if status == "OK":
                return
            time.sleep(0.05)
            self.client.logout()
            self.client = self.server.client()
            self.client.create(FOLDER)
        raise RuntimeError(f"APPEND refused: {data}")


def guarded(target, world: World):
    def run(*args):
        try:
            target(*args)
        except Exception as exc:  # noqa: BLE001 - reported as a failed check
            world.broke.append(f"{target.__name__}: {type(exc).__name__}: {exc}")
            raise

    return run


def appender(server, world: World, stop: threading.Event, rng: random.Random, recreate_at):
    put = Appender(server)
    n = len(world.appended)
    started = time.monotonic()
    pending = sorted(recreate_at)
    while not stop.is_set():
        if pending and time.monotonic() - started >= pending[0]:
            pending.pop(0)
            with world.mailbox_lock:
                put.client.delete(FOLDER)
                put.client.create(FOLDER)
                for raw in world.appended:
                    put.put(raw)
                world.recreated += 1
            log(f"folder recreated with {len(world.appended)} messages (a new UIDVALIDITY)")
        n += 1
        raw = make_mail(n, rng)
        with world.mailbox_lock:
            put.put(raw)
            world.appended.append(raw)
        stop.wait(rng.uniform(0.02, 0.25))
    put.client.logout()


def folder_ids(server) -> dict[int, str]:
    """UID -> Message-ID of the folder now."""
    client = server.client()
    try:
        client.select(FOLDER, readonly=True)
        status, data = client.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        found = {}
        for item in data or []:
            if isinstance(item, tuple):
                uid = re.search(rb"UID (\d+)", item[0])
                mid = _MESSAGE_ID.search(item[1])
                if uid and mid:
                    found[int(uid.group(1))] = mid.group(1).decode()
        status, data = client.status(FOLDER, "(UIDVALIDITY)")
        validity = int(re.search(rb"UIDVALIDITY (\d+)", data[0]).group(1))
        return validity, found
    finally:
        client.logout()


def check_cursor(app, server, world: World) -> None:
    from dmsu.forums.models import ForumMailbox, ForumMessage

    with world.mailbox_lock, app.app_context():
        validity, found = folder_ids(server)
        box = ForumMailbox.get_or_none(ForumMailbox.name.endswith("/" + FOLDER))
        if box is None or box.uidvalidity != validity:
            return
        wanted = {mid for uid, mid in found.items() if uid <= box.last_uid}
        have = {m.message_id for m in ForumMessage.select(ForumMessage.message_id)}
        missing = wanted - have
        if missing:
            world.cursor_ahead.append(
                f"cursor {box.last_uid} but {len(missing)} of the UIDs up to it not stored"
            )


def fetcher(app, proxy, server, world, stop, rng: random.Random) -> None:
    from dmsu.core.db import discard_connection
    from dmsu.forums.schedule import fetch_forums
    from tests.support.imap_proxy import Fault

    while not stop.is_set():
        kind = rng.choice((*KINDS, None, None))
        at = "body" if kind in ("empty", "slow") else rng.choice(AT)
        fault = (
            Fault(
                kind,
                after=rng.randint(1, 3),
                keep=rng.randint(20, 3000),
                delay=rng.uniform(0.001, 0.01),
                at=at,
            )
            if kind
            else None
        )
        proxy.add(fault)
        with app.app_context():
            try:
                said = fetch_forums(None)  # what the job log gets
                found = [s for s in STOPPED if s in said]
                failed = bool(found)
                for start in found:
                    world.run_errors[start] += 1
            except Exception as exc:  # noqa: BLE001 - the bench counts what the job threw
                failed = True
                world.run_errors[f"raised {type(exc).__name__}: {str(exc)[:60]}"] += 1
                discard_connection()
        with world.lock:
            world.runs += 1
            world.failed_runs += failed
        check_cursor(app, server, world)


def staff_member(app, user, half: int, world: World, stop: threading.Event, rng) -> None:
    from dmsu.forums.models import THREAD_STATES, ForumThread
    from tests.support.client import DmsuClient

    app.test_client_class = DmsuClient
    client = app.test_client()
    answer = client.form("/login", {"username": user, "password": PASSWORD})
    assert answer.status_code == 302, answer.status_code
    spawned: list[int] = []
    ggus_id = 8_000_000 + half * 100_000
    while not stop.is_set():
        with app.app_context():
            threads = [t for t in ForumThread.select().order_by(ForumThread.id) if t.id % 2 == half]
        if not threads:
            stop.wait(0.2)
            continue
        thread = rng.choice(threads)
        action = rng.choice(("state", "state", "link", "spawn")) if spawned else "spawn"
        if action == "state":
            value = rng.choice([s for s in THREAD_STATES if s != thread.state])
            data = {"state": value}
        elif action == "link":
            value = rng.choice(spawned)
            data = {"ggus_id": str(value)}
        else:
            ggus_id += 1
            value = ggus_id
            data = {"ggus_id": str(value)}
        try:
            response = client.form(f"/forums/threads/{thread.id}/{action}", data)
            status = response.status_code
            text = response.get_data(as_text=True)
        except Exception as exc:  # noqa: BLE001 - an exception here is a failure to report
            status, text = 0, f"{type(exc).__name__}: {exc}"
        with world.lock:
            world.staff[f"{action}: {status}"] += 1
            if status == 303:
                world.acked.append((action, thread.id, value))
                if action == "spawn":
                    spawned.append(value)
            else:
                world.staff_bad.append(f"{action} on thread {thread.id}: {status} {text[:160]}")
        stop.wait(rng.uniform(0.02, 0.1))


def make_app(url: str, scratch: str, server, proxy):
    from dmsu import content, create_app
    from dmsu.auth import accounts
    from dmsu.core import schema
    from dmsu.core.db import database

    empty_postgres(url)
    config = {
        "DATABASE_URL": url,
        "SECRET_KEY": "faults-forums-only",
        "DMSU_ARGON2_TIME_COST": 1,
        "DMSU_BASE_URL": "http://localhost",
        "DMSU_SMTP_HOST": "",
        **server.settings(
            DMSU_FORUMS_IMAP_PORT=proxy.port,
            DMSU_FORUMS_IMAP_MAILBOXES=FOLDER,
            DMSU_FORUMS_IMAP_TIMEOUT=1,
            DMSU_FORUMS_BATCH=5,
        ),
    }
    app = create_app(config, instance_path=scratch)
    with app.app_context():
        database.connect(reuse_if_open=True)
        schema.migrate()
        with database.atomic():  # the built-in support units and content/, as `flask dmsu init`
            content.load_all()
        for name in ("staff-a", "staff-b"):
            accounts.create_user(name, "tpm", PASSWORD, display_name=name.title())
        database.close()
    return app


def verify(app, server, world: World) -> tuple[list[tuple[str, bool, str]], dict]:
    from peewee import fn

    from dmsu.forums.models import ForumMessage, ForumThread, ForumThreadEvent, ForumThreadTicket
    from dmsu.tickets.models import Ticket

    _, found = folder_ids(server)
    in_folder = Counter(found.values())
    appended = {_MESSAGE_ID.search(raw).group(1).decode() for raw in world.appended}
    with app.app_context():
        stored = Counter(m.message_id for m in ForumMessage.select(ForumMessage.message_id))
        counts = {
            t.id: t.message_count
            for t in ForumThread.select(ForumThread.id, ForumThread.message_count)
        }
        real = Counter(row.thread_id for row in ForumMessage.select(ForumMessage.thread))
        no_thread = sum(c for t, c in real.items() if t not in counts)
        wrong_counts = [t for t in counts if counts[t] != real.get(t, 0)]
        by_id = {
            m.message_id: m.thread_id
            for m in ForumMessage.select(ForumMessage.message_id, ForumMessage.thread)
        }
        split_replies = []
        for raw in world.appended:
            parent = re.search(rb"In-Reply-To: <([^>]+)>", raw)
            own = _MESSAGE_ID.search(raw).group(1).decode()
            if parent and by_id.get(own) != by_id.get(parent.group(1).decode()):
                split_replies.append(own)
        missing_changes = []
        for action, thread_id, value in world.acked:
            if action == "state":
                ok = (
                    ForumThreadEvent.select()
                    .where(
                        ForumThreadEvent.thread == thread_id,
                        ForumThreadEvent.kind == "state",
                        ForumThreadEvent.summary.endswith(f"→ {value}"),
                    )
                    .exists()
                )
            elif action == "link":
                ok = (
                    ForumThreadTicket.select()
                    .join(Ticket)
                    .where(ForumThreadTicket.thread == thread_id, Ticket.ggus_id == value)
                    .exists()
                )
            else:
                ok = Ticket.select().where(Ticket.ggus_id == value).exists()
            if not ok:
                missing_changes.append((action, thread_id, value))
        threads = ForumThread.select().count()
        events = ForumThreadEvent.select(fn.COUNT(ForumThreadEvent.id)).scalar()
    twice = {k: c for k, c in stored.items() if c > 1}
    lost = sorted(set(in_folder) - set(stored))
    extra = sorted(set(stored) - set(in_folder))
    checks = [
        (
            f"the folder holds every appended mail once ({len(appended)} appended)",
            set(in_folder) == appended and all(c == 1 for c in in_folder.values()),
            "",
        ),
        (
            f"every message of the folder recorded ({len(in_folder)} in the folder, "
            f"{sum(stored.values())} stored)",
            not lost and not extra,
            f"lost {lost[:5]} extra {extra[:5]}" if lost or extra else "",
        ),
        ("no message recorded twice", not twice, str(list(twice.items())[:5]) if twice else ""),
        (
            f"every message in one thread, each thread's count right ({threads} threads)",
            not no_thread and not wrong_counts,
            f"{no_thread} without a thread, counts wrong on {wrong_counts[:5]}"
            if no_thread or wrong_counts
            else "",
        ),
        (
            "each reply in its parent's thread",
            not split_replies,
            str(split_replies[:5]) if split_replies else "",
        ),
        (
            f"every staff answer a 303 ({sum(world.staff.values())} changes)",
            not world.staff_bad,
            "; ".join(world.staff_bad[:3]),
        ),
        (
            f"every acknowledged staff change in the database ({len(world.acked)}, "
            f"{events} thread events)",
            not missing_changes,
            str(missing_changes[:5]) if missing_changes else "",
        ),
        (
            f"after every run the UID cursor never ahead of what was stored ({world.runs} runs)",
            not world.cursor_ahead,
            "; ".join(world.cursor_ahead[:3]),
        ),
    ]
    numbers = {
        "appended": len(appended),
        "in_folder": len(in_folder),
        "stored": sum(stored.values()),
        "twice": len(twice),
        "lost": len(lost),
        "threads": threads,
    }
    return checks, numbers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=90)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--database", default="", help="a PostgreSQL URL; SQLite otherwise")
    parser.add_argument("--recreate", type=int, default=2, help="folder recreations")
    parser.add_argument("--fetchers", type=int, default=2, help="fetch loops at once")
    args = parser.parse_args()
    from dmsu.core.db import database
    from dmsu.forums.models import ForumMailbox
    from dmsu.forums.schedule import fetch_forums
    from tests.support.imap_proxy import FaultyProxy
    from tests.support.imap_server import start_dovecot, stop_dovecot

    scratch = tempfile.mkdtemp(prefix="ffaults")
    url = args.database or f"sqlite:///{scratch}/forums.sqlite3"
    server = start_dovecot()
    proxy = FaultyProxy(server.port)
    world = World()
    stop, healed = threading.Event(), threading.Event()
    try:
        app = make_app(url, scratch, server, proxy)
        client = server.client()
        client.create(FOLDER)
        client.logout()
        seed_rng = random.Random(args.seed + 1)
        for n in range(1, 21):  # a first healthy fetch gives staff threads to work on
            raw = make_mail(n, seed_rng)
            _append(server, raw)
            world.appended.append(raw)
        with app.app_context():
            fetch_forums(None)
        recreate_at = [args.seconds * (k + 1) / (args.recreate + 1) for k in range(args.recreate)]
        threads = [
            threading.Thread(
                target=guarded(appender, world),
                args=(server, world, healed, random.Random(args.seed + 2), recreate_at),
            ),
        ]
        threads += [  # the job, and a staff member's "Fetch now" at the same time
            threading.Thread(
                target=guarded(fetcher, world),
                args=(app, proxy, server, world, stop, random.Random(args.seed + 3 + k * 10)),
            )
            for k in range(args.fetchers)
        ]
        threads += [
            threading.Thread(
                target=guarded(staff_member, world),
                args=(app, name, half, world, stop, random.Random(args.seed + 4 + half)),
            )
            for half, name in enumerate(("staff-a", "staff-b"))
        ]
        log(f"{url.split(':')[0]}: fetch through faults for {args.seconds} s (seed {args.seed})")
        started = time.monotonic()
        for thread in threads:
            thread.daemon = True
            thread.start()
        time.sleep(args.seconds)
        healed.set()  # the appender stops first, then the fetch loop and staff
        threads[0].join(timeout=60)
        stop.set()
        for thread in threads[1:]:
            thread.join(timeout=300)  # a slow run reads on to its end
            if thread.is_alive():
                world.broke.append(f"{thread.name} still running after 300 s")
        world.faults = Counter(proxy.struck_at)
        elapsed = time.monotonic() - started
        proxy.plan()  # healed
        with app.app_context():
            final = fetch_forums(None)
            final_error = ForumMailbox.get(ForumMailbox.name.endswith("/" + FOLDER)).last_error
        log(f"healed run: {final}")
        checks, numbers = verify(app, server, world)
        checks.append(
            ("the healed run read the folder without a problem", not final_error, final_error)
        )
        checks.append(
            ("every bench thread ran to the end", not world.broke, "; ".join(world.broke))
        )
        report = render(args, url, elapsed, world, checks, numbers)
        print(report)
        if not database.is_closed():
            database.close()
        return 0 if all(ok for _, ok, _ in checks) else 1
    finally:
        stop.set()
        healed.set()
        proxy.close()
        stop_dovecot(server)
        empty_postgres(url)


def _append(server, raw: bytes) -> None:
    client = server.client()
    try:
        client.append(FOLDER, "", None, raw)
    finally:
        client.logout()


def render(args, url, elapsed, world: World, checks, numbers) -> str:
    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    lines = [
        f"### {kind}, {elapsed:.0f} s, seed {args.seed}",
        "",
        f"Machine: {platform.node()} ({os.cpu_count()} cores, shared), Python "
        f"{platform.python_version()}, run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        "| check | result |",
        "| --- | --- |",
        *[f"| {name} | {'ok' if ok else '**FAILED** ' + note} |" for name, ok, note in checks],
        "",
        f"Fetch runs {world.runs}, of which {world.failed_runs} stopped on a fault (each with "
        f"one sentence on the mailbox row); messages appended {numbers['appended']} "
        f"(folder recreated {world.recreated} times), recorded {numbers['stored']}, duplicates "
        f"{numbers['twice']}, lost {numbers['lost']}; {numbers['threads']} threads.",
        "",
        "| fault (struck by the proxy) | count |",
        "| --- | ---: |",
        *[f"| {k} | {c} |" for k, c in sorted(world.faults.items())],
        f"| UIDVALIDITY changed (folder recreated) | {world.recreated} |",
        "",
        "| a failed run's sentence begins | runs |",
        "| --- | ---: |",
        *([f"| {k} | {c} |" for k, c in sorted(world.run_errors.items())] or ["| none | 0 |"]),
        "",
        "| staff change: answer | count |",
        "| --- | ---: |",
        *[f"| {k} | {c} |" for k, c in sorted(world.staff.items())],
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
