"""Raw mails into messages and threads, in batches, each batch one transaction: what a source
reads is kept whole or not at all (a job reading another system never records half of it).

The IMAP fetch, the mbox back-fill and the LISTSERV back-fill all come through :func:`take_in`,
so a mail read twice (or through two lists) is one message, and every refused mail gets one
sentence in the result that the job log and the admin page show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from dmsu.core.db import write_transaction
from dmsu.forums import search_documents
from dmsu.forums.lists import known_lists, lists_named
from dmsu.forums.models import ForumList
from dmsu.forums.parsing import MailError, parse
from dmsu.forums.threads import store

BATCH = 50
MAX_PROBLEMS = 20  # sentences kept of one run; the counts say the rest


@dataclass
class Result:
    new: int = 0
    copies: int = 0
    skipped: int = 0
    refused: int = 0
    problems: list[str] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)  # threads to reindex

    def add(self, other: Result) -> None:
        self.new += other.new
        self.copies += other.copies
        self.skipped += other.skipped
        self.refused += other.refused
        self.touched |= other.touched
        room = MAX_PROBLEMS - len(self.problems)
        self.problems += other.problems[: max(room, 0)]

    def problem(self, sentence: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(sentence)

    def summary(self) -> str:
        text = (
            f"{self.new} new messages, {self.copies} already stored, {self.skipped} skipped "
            f"(automatic or for no followed list), {self.refused} refused."
        )
        return text + ("" if not self.problems else " " + " ".join(self.problems))


def take_in(raw: bytes, default_list: ForumList | None, known: dict, where: str) -> Result:
    """One raw mail: stored, a copy, skipped or refused (with one sentence naming ``where``)."""
    result = Result()
    try:
        mail = parse(raw)
    except MailError as exc:
        result.refused += 1
        result.problem(f"{where}: {exc}")
        return result
    except Exception as exc:  # noqa: BLE001 - real mail breaks parsers in ways no list foresees
        result.refused += 1
        result.problem(f"{where}: the mail could not be read ({type(exc).__name__}).")
        return result
    for note in mail.notes:
        result.problem(f"{where}: {note}")
    lists = lists_named(mail.lists, known)
    if default_list is not None and default_list not in lists:
        lists.insert(0, default_list)
    stored = store(mail, lists)
    outcome = stored.outcome
    result.touched.update(stored.threads)
    if outcome == "new":
        result.new += 1
    elif outcome == "copy":
        result.copies += 1
    else:
        result.skipped += 1
    return result


def index_threads(result: Result) -> None:
    """The search documents of the threads a batch touched, in the batch's transaction."""
    if result.touched:
        search_documents.reindex(result.touched)
        result.touched = set()


def take_in_all(
    raws: Iterable[tuple[str, bytes]], default_list: ForumList | None = None, *, batch: int = BATCH
) -> Result:
    """Every ``(where, raw)`` of ``raws``, committed ``batch`` at a time."""
    total = Result()
    known = known_lists()
    pending: list[tuple[str, bytes]] = []

    def flush() -> None:
        with write_transaction("forums"):
            batch = Result()
            for where, raw in pending:
                batch.add(take_in(raw, default_list, known, where))
            index_threads(batch)
        total.add(batch)
        pending.clear()

    for item in raws:
        pending.append(item)
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return total
