"""A pathological comment cannot stall the site: two tpm users (the lowest staff role) post one
each at the same moment against a live server, while the public reads its pages.

Before the markdown path was bounded, one comment of 15,000 '[' took Python-Markdown 30 s
and two at once killed both gunicorn workers; here each post must be answered (stored or
refused with its sentence) and every public page served while they run, well inside the
timeouts below (the bound is a denial of service, not a speed target).
"""

from __future__ import annotations

import requests

from dmsu.core.markdown import TEXT_LIMITS
from dmsu.tickets import workflow
from dmsu.tickets.models import TicketEvent
from tests.support.live_http import LiveSession, race

TIMEOUT = 20  # seconds: the old renderer needed 30 s for one such comment of 15,000 '['
PUBLIC_PAGES = ["/", "/cheatsheet/", "/digests/", "/wiki/"]
PATHOLOGICAL = ["[" * TEXT_LIMITS["comment"], "![" * (TEXT_LIMITS["comment"] // 2)]


def test_two_pathological_comments_leave_the_public_pages_answering(live_server, make_user):
    admin = make_user("admin", "boss")
    ticket = workflow.create_ticket(admin, ggus_id=91039, subject="Jobs stuck in REALLY-RUNNING")
    workflow.route_to_dmsu(ticket, admin)
    posters = [LiveSession(live_server.url).log_in(make_user("tpm", n)) for n in ("tpm1", "tpm2")]
    for poster in posters:
        poster.csrf_token()  # read before the race
    reader = requests.Session()

    def post(poster: LiveSession, text: str):
        def call() -> int:
            data = {"csrf_token": poster.csrf_token(), "text": text, "visibility": "public"}
            url = f"{live_server.url}/tickets/91039/comment"
            return poster.http.post(url, data=data, allow_redirects=False, timeout=TIMEOUT)

        return call

    def read_public_pages() -> list[int]:
        return [
            reader.get(f"{live_server.url}{path}", timeout=TIMEOUT).status_code
            for _ in range(3)
            for path in PUBLIC_PAGES
        ]

    *answers, pages = race(
        *(post(p, t) for p, t in zip(posters, PATHOLOGICAL, strict=True)), read_public_pages
    )
    assert pages == [200] * 3 * len(PUBLIC_PAGES)
    statuses = [answer.status_code for answer in answers]
    # Each comment was answered: stored (a redirect to the ticket) or refused in a sentence.
    assert all(status in (302, 400) for status in statuses), statuses
    stored = TicketEvent.select().where(TicketEvent.kind == "comment").count()
    assert stored == statuses.count(302)
