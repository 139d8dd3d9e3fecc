"""The Zammad client against the loopback helpdesk of ``tests/support/zammad_server.py``.

Its answers are shaped as Zammad's own documentation and sources show them (each named in
that module's docstring): zammad/zammad-documentation ``api/intro.rst`` (token auth,
``?expand=true``, pagination by ``page``/``per_page`` with no total), ``api/ticket/index.rst``
(show, search, update), ``api/ticket/articles.rst`` (articles by ticket) and zammad/zammad
``app/controllers/tickets_controller.rb`` / ``spec/requests/ticket_spec.rb`` (history, 401).
"""

from __future__ import annotations

import time

import pytest

from dmsu.helpdesk.client import HelpdeskError, ZammadClient, ZammadSettings
from tests.support import zammad_server as zs

zammad = zs.zammad


def client_for(server, **settings) -> ZammadClient:
    values = {"url": server.url, "token": zs.TOKEN, "timeout": 2, "per_page": 2, **settings}
    return ZammadClient(ZammadSettings(**values))


def test_not_configured_is_one_sentence():
    with pytest.raises(HelpdeskError, match="not configured"):
        ZammadClient(ZammadSettings(url=""))
    assert not ZammadSettings.from_config({"DMSU_ZAMMAD_URL": "http://x"}).configured
    assert ZammadSettings.from_config(
        {"DMSU_ZAMMAD_URL": "http://x/", "DMSU_ZAMMAD_TOKEN": "t"}
    ) == ZammadSettings(url="http://x", token="t")


def test_ticket_articles_and_history_as_documented(zammad):
    zammad.add_ticket(3, number=71003, group="DMSU", created=zs.at(0))
    zammad.add_article(3, zs.at(1), "It fails", sender="Customer", by=7)
    zammad.change(3, zs.at(2), state="in progress")
    client = client_for(zammad)
    ticket = client.ticket(3)
    assert (ticket["number"], ticket["group"], ticket["state"]) == ("71003", "DMSU", "in progress")
    assert ticket["organization"] == "Awesome Customer Inc."  # the documented body
    [article] = client.articles(3)
    assert (article["body"], article["internal"], article["sender"]) == (
        "It fails", False, "Customer",
    )  # fmt: skip
    history = client.history(3)
    assert [(h["type"], h["attribute"], h["value_to"]) for h in history] == [
        ("created", "", ""),
        ("updated", "state", "in progress"),
    ]
    assert ("GET", "/api/v1/ticket_history/3") in zammad.requests


def test_pages_are_read_until_a_short_one(zammad):
    for n in range(5):
        zammad.add_ticket(10 + n, number=500 + n, created=zs.at(n))
    pages = list(client_for(zammad).tickets_updated_since(zs.at(1)))
    # each page starts at the newest change of the one before (ticket 12, then 13: read
    # again, not yielded again), so a ticket changed meanwhile cannot shift one past the poll
    assert [[t["id"] for t in page] for page in pages] == [[11, 12], [13], [14]]
    searches = [q for q in zammad.queries if q["page"] == ["1"]]
    assert [q["query"][0] for q in searches] == [
        "updated_at:>=2025-03-03T09:01:00.000Z",
        "updated_at:>=2025-03-03T09:02:00.000Z",
        "updated_at:>=2025-03-03T09:03:00.000Z",
        "updated_at:>=2025-03-03T09:04:00.000Z",  # one ticket: a short page, no more
    ]


def test_search_answer_with_ids_and_assets_is_read_too(zammad):
    """The search body of api/ticket/index.rst without expand: ids, then assets.Ticket."""
    times = {"created_at": "2021-02-24T14:44:43.828Z", "updated_at": "2021-07-26T14:44:43.906Z"}
    body = {"tickets": [9, 10], "tickets_count": 2,
            "assets": {"Ticket": {"9": {"id": 9, **times}, "10": {"id": 10, **times}}}}  # fmt: skip
    zammad.faults.append((200, {}, body))
    [page] = list(client_for(zammad, per_page=5).tickets_updated_since(None))
    assert [t["id"] for t in page] == [9, 10]


def test_wrong_token_is_401(zammad):
    with pytest.raises(HelpdeskError, match="refused the token") as caught:
        client_for(zammad, token="wrong").ticket(3)
    assert caught.value.status == 401 and not caught.value.transient


def test_429_short_retry_after_is_waited_out_once(zammad):
    zammad.add_ticket(3, number=71003, created=zs.at(0))
    zammad.fail_next(429, headers={"Retry-After": "0.2"})
    started = time.monotonic()
    assert client_for(zammad).ticket(3)["id"] == 3
    assert time.monotonic() - started >= 0.2
    assert len(zammad.requests) == 2


def test_429_long_retry_after_is_reported(zammad):
    zammad.fail_next(429, headers={"Retry-After": "120"})
    with pytest.raises(HelpdeskError, match="wait 120 s") as caught:
        client_for(zammad).ticket(3)
    assert caught.value.retry_after == 120 and caught.value.transient


def test_429_twice_is_reported(zammad):
    zammad.fail_next(429, times=2, headers={"Retry-After": "0"})
    with pytest.raises(HelpdeskError, match="HTTP 429"):
        client_for(zammad).ticket(3)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(zammad, status):
    zammad.fail_next(status)
    with pytest.raises(HelpdeskError, match=f"HTTP {status}") as caught:
        client_for(zammad).ticket(3)
    assert caught.value.transient


def test_not_found_and_refused(zammad):
    with pytest.raises(HelpdeskError) as caught:
        client_for(zammad).ticket(404)
    assert caught.value.not_found and not caught.value.transient
    zammad.add_ticket(3, number=71003, created=zs.at(0))
    zammad.refuse.add(3)
    with pytest.raises(HelpdeskError, match="cannot be changed from closed") as caught:
        client_for(zammad).update_ticket(3, {"state": "open"})
    assert caught.value.status == 422 and not caught.value.transient


def test_timeout(zammad):
    zammad.delay = 1.0
    with pytest.raises(HelpdeskError, match="did not answer within 0.3 s") as caught:
        client_for(zammad, timeout=0.3).ticket(3)
    assert caught.value.transient


def test_no_connection(zammad):
    zammad.stop()
    with pytest.raises(HelpdeskError, match="could not be reached") as caught:
        client_for(zammad).ticket(3)
    assert caught.value.status is None and caught.value.transient


def test_not_json(zammad):
    zammad.faults.append((200, {}, b"<html>a proxy's page</html>"))
    with pytest.raises(HelpdeskError, match=r"could not be read \(not JSON\)") as caught:
        client_for(zammad).me()
    assert caught.value.transient  # the request may have been done: tried again, not refused


def test_writes_reach_the_helpdesk(zammad):
    zammad.add_ticket(3, number=71003, created=zs.at(0))
    client = client_for(zammad)
    assert client.update_ticket(3, {"group": "TPM"})["group"] == "TPM"
    article = client.add_article({"ticket_id": 3, "body": "note", "internal": True})
    assert article["internal"] is True and zammad.articles[3][-1]["body"] == "note"
    assert client.me()["id"] == zs.CONNECTOR_USER_ID
