"""The login rate limit: failures only, per account and per address, in shared storage
(Redis with PostgreSQL), behind a configurable number of proxies (hardening round 2).

Defects pinned: the limit was per worker and per address only (30 wrong passwords were
accepted 20 times over; one person's failures locked out everyone behind the same proxy; no
ProxyFix for the reverse proxy the README describes; a restart reset it).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from dmsu import create_app
from dmsu.core.extensions import limiter
from tests.support.client import PASSWORD, TEST_CONFIG, DmsuClient

REDIS = "redis://127.0.0.1:6379/0"


def attempt(client, username, password="wrong horse", address="192.0.2.1", **headers):
    return client.form(
        "/login",
        {"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    ).status_code


@pytest.fixture
def app_config():
    return {
        "DMSU_LOGIN_RATE_LIMIT": "5 per minute",
        "DMSU_LOGIN_ADDRESS_RATE_LIMIT": "8 per minute",
    }


def test_only_failures_count(app, make_user):
    make_user("tpm", "tom")
    for _ in range(6):
        client = app.test_client()
        assert attempt(client, "tom", PASSWORD) == 302
    client = app.test_client()
    assert [attempt(client, "tom") for _ in range(6)] == [401] * 5 + [429]


def test_one_accounts_failures_do_not_lock_out_another_account_at_the_same_address(
    client, make_user
):
    make_user("tpm", "tom")
    make_user("resolver", "rita")
    assert [attempt(client, "tom") for _ in range(6)] == [401] * 5 + [429]
    assert attempt(client, "tom", PASSWORD) == 429  # the account waits, right password or not
    assert attempt(client, "rita", PASSWORD) == 302


def test_guessing_many_accounts_from_one_address_is_limited_there_only(app, make_user):
    client = app.test_client()
    codes = [attempt(client, f"user{n}") for n in range(9)]
    assert codes == [401] * 8 + [429]
    assert attempt(app.test_client(), "user99", address="198.51.100.7") == 401


@pytest.mark.parametrize("proxies", [0, 1])
def test_the_address_behind_a_configured_proxy_is_the_forwarded_one(
    database_url, tmp_path, proxies
):
    config = {**TEST_CONFIG, "DATABASE_URL": database_url, "DMSU_PROXY_COUNT": proxies,
              "DMSU_LOGIN_ADDRESS_RATE_LIMIT": "3 per minute"}  # fmt: skip
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    app.test_client_class = DmsuClient
    client = app.test_client()
    for n in range(3):
        attempt(client, f"user{n}", address="10.0.0.1", **{"X-Forwarded-For": "203.0.113.5"})
    other = attempt(client, "user9", address="10.0.0.1", **{"X-Forwarded-For": "203.0.113.6"})
    # with the proxy counted, another forwarded address is another client; without, it is not
    assert other == (401 if proxies else 429)


def fresh_app(database_url, tmp_path, name, storage):
    config = {**TEST_CONFIG, "DATABASE_URL": database_url, "DMSU_RATELIMIT_STORAGE_URI": storage,
              "DMSU_LOGIN_RATE_LIMIT": "3 per minute"}  # fmt: skip
    app = create_app(config, instance_path=str(tmp_path / name))
    app.test_client_class = DmsuClient
    return app


@pytest.mark.parametrize("storage", [REDIS, "memory://"])
def test_the_counts_are_shared_by_workers_and_survive_a_restart_in_redis(
    database_url, tmp_path, make_user, storage
):
    """A second application object (another worker, or the site after a restart) gets its own
    connection to the storage: with Redis it sees the failures counted by the first; with
    the memory of one process it does not (so this test can fail)."""
    first = fresh_app(database_url, tmp_path, "one", storage)
    limiter.reset()
    client = first.test_client()
    assert [attempt(client, "tom") for _ in range(4)] == [401, 401, 401, 429]
    second = fresh_app(database_url, tmp_path, "two", storage)
    expected = 429 if storage == REDIS else 401
    assert attempt(second.test_client(), "tom") == expected


def test_redis_is_the_default_storage_with_postgresql(tmp_path):
    config = {**TEST_CONFIG, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    config.pop("DMSU_RATELIMIT_STORAGE_URI", None)
    app = create_app(config, instance_path=str(tmp_path / "pg"))
    assert app.config["DMSU_RATELIMIT_STORAGE_URI"] == REDIS
    config["DATABASE_URL"] = f"sqlite:///{tmp_path}/x.sqlite3"
    app = create_app(config, instance_path=str(tmp_path / "lite"))
    assert app.config["DMSU_RATELIMIT_STORAGE_URI"] == "memory://"


def test_remember_me_lasts_two_weeks_not_a_year(app):
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)


def test_with_redis_down_each_worker_still_counts_never_a_500(database_url, tmp_path, make_user):
    app = fresh_app(database_url, tmp_path, "down", "redis://127.0.0.1:1/0")
    client = app.test_client()
    assert [attempt(client, "tom") for _ in range(4)] == [401, 401, 401, 429]
