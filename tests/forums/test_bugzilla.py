"""ARC Bugzilla followed: no Bugzilla runs on these machines, so a local HTTP server on loopback
answers with bodies shaped as Bugzilla's own documentation shows them — bugzilla/bugzilla
``docs/en/rst/api/core/v1/bug.rst`` ("Search Bugs": ``GET /rest/bug`` answering
``{"bugs": [...]}``, ``last_change_time`` "Searches for bugs that were modified at this time or
later") and ``docs/en/rst/api/core/v1/comment.rst`` (``GET /rest/bug/(id)/comment`` answering
``{"bugs": {"35": {"comments": [...]}}, "comments": {}}``); errors as
``{"error": true, "message": ..., "code": ...}`` with an HTTP status (``docs/en/rst/api/core/v1/general.rst``)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from dmsu.cheatsheet.models import Component
from dmsu.forums.bugzilla import BugzillaSettings, follow
from dmsu.forums.models import ForumMailbox, ForumMessage, ForumThread


def bug(number, summary, changed):
    return {
        "id": number,
        "summary": summary,
        "product": "NorduGrid ARC",
        "component": "arex",
        "status": "NEW",
        "creator": "user@bugzilla.org",
        "creation_time": "2026-03-02T09:00:00Z",
        "last_change_time": changed,
    }


def comment(cid, bug_id, count, text, private=False):
    return {
        "time": "2026-03-02T09:00:00Z",
        "text": text,
        "bug_id": bug_id,
        "count": count,
        "attachment_id": None,
        "is_private": private,
        "is_markdown": True,
        "tags": [],
        "creator": "user@bugzilla.org",
        "creation_time": f"2026-03-02T{9 + count:02d}:00:00Z",
        "id": cid,
    }


class Bugzilla:
    def __init__(self):
        self.bugs = {
            4001: bug(4001, "A-REX loses jobs after restart", "2026-03-02T12:00:00Z"),
            4002: bug(4002, "Cache cleaning too slow", "2026-03-03T08:00:00Z"),
        }
        self.comments = {
            4001: [
                comment(75, 4001, 0, "After a restart A-REX forgets running jobs."),
                comment(76, 4001, 1, "Confirmed on 6.17."),
                comment(77, 4001, 2, "insider note", private=True),
            ],
            4002: [comment(80, 4002, 0, "The cache cleaner takes hours.")],
        }
        self.searches: list[dict] = []
        self.fail_comments_of: int | None = None

    def answer(self, path, query):
        if path == "/rest/bug":
            self.searches.append(query)
            since = query.get("last_change_time", [""])[0]
            found = [b for b in self.bugs.values() if b["last_change_time"] >= since]
            return 200, {"bugs": found, "faults": []}
        number = int(path.split("/")[3])
        if number == self.fail_comments_of:
            return 500, {"error": True, "message": "Internal error.", "code": 100500}
        return 200, {"bugs": {str(number): {"comments": self.comments[number]}}, "comments": {}}


@pytest.fixture
def bugzilla():
    state = Bugzilla()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            status, body = state.answer(parts.path, parse_qs(parts.query))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.settings = BugzillaSettings(
        url=f"http://127.0.0.1:{server.server_port}", products=("NorduGrid ARC",), timeout=5
    )
    yield state
    server.shutdown()


def test_bugs_become_threads_and_a_second_run_changes_nothing(app, bugzilla):
    Component.create(name="ARC CE", slug="arc-ce", forums=bugzilla.settings.url)
    first = follow(bugzilla.settings)
    assert (first.new, first.copies, first.problems) == (3, 0, [])
    threads = {t.subject: t for t in ForumThread.select()}
    loses = threads["Bug 4001 – A-REX loses jobs after restart"]
    assert loses.message_count == 2 and loses.component.name == "ARC CE"
    assert not ForumMessage.select().where(ForumMessage.body == "insider note").exists()
    row = ForumMailbox.get()
    assert row.watermark == "2026-03-03T08:00:00Z" and row.last_error == ""
    again = follow(bugzilla.settings)
    assert (again.new, again.copies) == (0, 1)  # only bug 4002 changed at the watermark
    assert bugzilla.searches[-1]["last_change_time"] == ["2026-03-03T08:00:00Z"]
    assert ForumMessage.select().count() == 3


def test_a_failing_bug_keeps_the_bugs_before_it_and_says_so(app, bugzilla):
    bugzilla.fail_comments_of = 4002
    result = follow(bugzilla.settings)
    assert result.new == 2  # bug 4001, changed first, is kept whole
    assert result.problems == [
        f"Bugzilla at {bugzilla.settings.url} answered 500 to bug/4002/comment: Internal error."
    ]
    row = ForumMailbox.get()
    assert row.watermark == "2026-03-02T12:00:00Z" and row.last_error == result.problems[0]
    bugzilla.fail_comments_of = None
    bugzilla.comments[4001].append(comment(78, 4001, 3, "Fixed in 6.18."))
    later = follow(bugzilla.settings)
    assert (later.new, later.copies) == (2, 2)  # 4001's new comment, 4002; 4001 recognised
    assert ForumMailbox.get().last_error == ""


def test_an_unreachable_bugzilla(app):
    settings = BugzillaSettings(url="http://127.0.0.1:9", products=("ARC",), timeout=2)
    result = follow(settings)
    assert len(result.problems) == 1
    assert result.problems[0].startswith("Bugzilla at http://127.0.0.1:9 could not be reached")


def test_the_job_and_the_command_follow_it_too(app, runner, bugzilla):
    from dmsu.forums.schedule import fetch_forums

    app.config.update(
        DMSU_FORUMS_BUGZILLA_URL=bugzilla.settings.url,
        DMSU_FORUMS_BUGZILLA_PRODUCTS="NorduGrid ARC",
    )
    with app.app_context():
        assert fetch_forums(None).startswith("Bugzilla: 3 new messages, 0 already stored")
    out = runner.invoke(args=["dmsu", "forums-fetch"])
    assert out.exit_code == 0 and out.output.startswith(
        "Bugzilla: 0 new messages, 1 already stored"
    )
