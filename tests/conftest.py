"""Shared fixtures: a fresh database per test (SQLite by default, PostgreSQL when
``DMSU_TEST_DATABASE_URL`` is set), the app, clients per role. CSRF stays on: clients fetch the
token from the page like a browser does (``client.form(...)``, ``client.hx(...)``)."""

from __future__ import annotations

import shutil
import threading
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from dmsu import create_app
from dmsu.auth import accounts
from dmsu.auth.models import ROLES
from dmsu.core import schema
from dmsu.core.cache.registry import clear_all
from dmsu.core.db import database, make_database
from dmsu.core.extensions import limiter
from dmsu.tickets.units import ensure_built_in_units
from tests.support.client import PASSWORD, PG_URL, TEST_CONFIG, DmsuClient
from tests.support.smtp import smtp_app_config, smtp_server  # noqa: F401 (fixtures)


def _migrate(url: str) -> None:
    database.initialize(make_database(url))
    database.connect(reuse_if_open=True)
    schema.migrate()
    ensure_built_in_units()
    database.close()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    db = make_database(f"sqlite:///{path}")
    db.connect()
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture(scope="session")
def _pg_tables():
    database.initialize(make_database(PG_URL))
    database.connect(reuse_if_open=True)
    database.execute_sql("DROP SCHEMA IF EXISTS public CASCADE")
    database.execute_sql("CREATE SCHEMA public")
    database.close()
    _migrate(PG_URL)
    database.connect(reuse_if_open=True)
    tables = [t for t in database.get_tables() if t != "schema_migration"]
    database.close()
    return tables


@pytest.fixture
def database_url(request, tmp_path):
    """A fresh database for one test."""
    if PG_URL:
        tables = request.getfixturevalue("_pg_tables")
        database.initialize(make_database(PG_URL))
        database.connect(reuse_if_open=True)
        quoted = ", ".join(f'"{t}"' for t in tables)
        database.execute_sql(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        ensure_built_in_units()
        database.close()
        return PG_URL
    target = tmp_path / "dmsu.sqlite3"
    shutil.copyfile(request.getfixturevalue("_sqlite_template"), target)
    return f"sqlite:///{target}"


@pytest.fixture
def app_config():
    """Override in a test module to change settings for its app."""
    return {}


@pytest.fixture(autouse=True)
def _empty_caches(request):
    """Every registered cache (:mod:`dmsu.core.cache.registry`) is empty when a test begins
    and emptied when it ends, so no test sees what another kept and none clears caches by
    name. A test that measures a cold cache on purpose calls ``clear_all()`` itself."""
    clear_all()
    yield
    clear_all(request.node.funcargs.get("app"))


@pytest.fixture
def app(database_url, tmp_path, app_config):
    config = {**TEST_CONFIG, "DATABASE_URL": database_url, **app_config}
    application = create_app(config, instance_path=str(tmp_path / "instance"))
    application.test_client_class = DmsuClient
    limiter.reset()  # the login counts live in Redis with PostgreSQL: each test starts at none
    # No app context is held open: requests must not share ``g`` (CSRF tokens live there).
    database.connect(reuse_if_open=True)
    yield application
    if not database.is_closed():
        database.close()


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on a free loopback port, one thread per request."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def client(app) -> DmsuClient:
    """An anonymous visitor (a public reader)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    counter = {"n": 0}

    def make(role: str, username: str | None = None, **kwargs):
        counter["n"] += 1
        name = username or f"{role}{counter['n']}"
        kwargs.setdefault("display_name", name.title())
        kwargs.setdefault("email", f"{name}@example.org")
        return accounts.create_user(name, role, PASSWORD, **kwargs)

    return make


@pytest.fixture
def login(app):
    def log_in(user) -> DmsuClient:
        client = app.test_client()
        response = client.form("/login", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        client.user = user
        return client

    return log_in


@pytest.fixture
def clients(make_user, login, client) -> dict[str, DmsuClient]:
    """One logged-in client per role, plus ``anonymous``."""
    result = {role: login(make_user(role, role)) for role in ROLES}
    result["anonymous"] = client
    return result


@pytest.fixture
def tpm_client(clients):
    return clients["tpm"]


@pytest.fixture
def resolver_client(clients):
    return clients["resolver"]


@pytest.fixture
def assigner_client(clients):
    return clients["assigner"]


@pytest.fixture
def admin_client(clients):
    return clients["admin"]


# --- Tickets (low-level factory: writes events directly, summary columns follow them) -----


@pytest.fixture
def make_ticket(app):
    """Create a ticket with events given in import shape, e.g.
    ``make_ticket(91039, events=[{"at": "2013-02-11T09:00:00+00:00", "type": "assigned",
    "support_unit": "DMSU"}, {"at": ..., "type": "status", "status": "solved"}])``.
    Unknown support units are created as 3rd-line units. Use it to set up history for tests
    of pages, metrics and jobs; workflow tests go through ``dmsu.tickets.workflow``."""
    from datetime import UTC, date, datetime

    from dmsu.cheatsheet.models import Component
    from dmsu.core.markdown import slugify
    from dmsu.tickets import search_documents
    from dmsu.tickets.models import Ticket, TicketEvent
    from dmsu.tickets.projection import store
    from dmsu.tickets.units import SupportUnit

    counter = {"n": 100000}

    def instant(value):
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        return datetime.fromisoformat(value).astimezone(UTC)

    def unit(name):
        if name is None:
            return None
        found = SupportUnit.get_or_none(SupportUnit.name == name)
        return found or SupportUnit.create(name=name, kind="third_line", sla_level="level2")

    def make(ggus_id: int | None = None, *, events=(), component=None, **fields):
        counter["n"] += 1
        ggus_id = ggus_id or counter["n"]
        ordered = sorted(events, key=lambda e: instant(e["at"]))
        created = instant(
            fields.pop("created_at", ordered[0]["at"] if ordered else "2013-01-07T09:00:00+00:00")
        )
        if isinstance(component, str):
            component = Component.get_or_none(Component.name == component) or Component.create(
                name=component, slug=slugify(component)
            )
        ticket = Ticket.create(
            ggus_id=ggus_id,
            subject=fields.pop("subject", f"Ticket {ggus_id}"),
            component=component,
            created_at=created,
            updated_at=created,
            **fields,
        )
        current = None
        for event in ordered:
            kind = event["type"]
            target = unit(event.get("support_unit")) if kind == "assigned" else None
            due = event.get("due")
            TicketEvent.create(
                ticket=ticket,
                at=instant(event["at"]),
                kind=kind,
                actor_role=event.get("author_role", "system" if kind != "comment" else "dmsu"),
                support_unit=target if kind == "assigned" else unit(event.get("support_unit")),
                from_unit=current if kind == "assigned" else None,
                status=event.get("status"),
                public=event.get("public", True),
                text=event.get("text", ""),
                due=date.fromisoformat(due) if isinstance(due, str) else due,
            )
            if kind == "assigned":
                current = target
                ticket.support_unit = target
                if ticket.status == "new":
                    ticket.status = "assigned"
            elif kind == "status":
                ticket.status = event["status"]
            ticket.updated_at = instant(event["at"])
        ticket.save()
        store.refresh_tickets([ticket.id])  # the derived values, as a workflow step's end
        search_documents.reindex([ticket.id])  # and its search document, as a step's end
        return ticket

    return make
