"""Configuration: defaults here, then ``instance/config.py``, then the environment
(``DATABASE_URL``, ``SECRET_KEY``, any ``DMSU_*``), then what the caller passes (tests).

No secret lives in the repository: without ``SECRET_KEY`` a random key is created once and
kept in ``instance/secret_key``.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

# The checkout: content/, templates/, static/ and the default instance/ folder live here.
ROOT = Path(__file__).resolve().parent.parent.parent

DEFAULTS: dict[str, object] = {
    "DATABASE_URL": "sqlite:///instance/dmsu.sqlite3",
    "SECRET_KEY": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # Site
    "DMSU_SITE_NAME": "DMSU desk",
    "DMSU_BASE_URL": "http://127.0.0.1:5000",
    "DMSU_HTTPS": False,
    "DMSU_PROJECT_START": "2010-05-01",
    "DMSU_TIMEZONE": "Europe/Amsterdam",
    "DMSU_WORKDAY_START": "09:00",
    "DMSU_WORKDAY_END": "17:00",
    "DMSU_HOLIDAYS": "",
    "DMSU_GGUS_TICKET_URL": "https://ggus.eu/?mode=ticket_info&ticket_id={id}",
    # Accounts
    # failed logins per account, and per address (a proxy's many users share one address)
    "DMSU_LOGIN_RATE_LIMIT": "10 per minute",
    "DMSU_LOGIN_ADDRESS_RATE_LIMIT": "60 per minute",
    # "" = Redis on 127.0.0.1 where DATABASE_URL is PostgreSQL (several workers and hosts),
    # this process's memory on SQLite (one host, one worker)
    "DMSU_RATELIMIT_STORAGE_URI": "",
    # how many reverse proxies set X-Forwarded-For/-Proto/-Host in front of the site
    "DMSU_PROXY_COUNT": 0,
    "DMSU_REMEMBER_DAYS": 14,
    "DMSU_ARGON2_TIME_COST": 3,
    "DMSU_ARGON2_MEMORY_COST": 65536,
    "DMSU_OIDC_ENABLED": False,
    "DMSU_OIDC_NAME": "EGI Check-in",
    "DMSU_OIDC_METADATA_URL": "",
    "DMSU_OIDC_CLIENT_ID": "",
    "DMSU_OIDC_CLIENT_SECRET": "",
    "DMSU_OIDC_SCOPES": "openid profile email eduperson_entitlement",
    "DMSU_OIDC_ENTITLEMENT_CLAIM": "eduperson_entitlement",
    # entitlement = role, one per line or ";" (EGI Check-in's group entitlements by default)
    "DMSU_OIDC_ROLE_MAP": (
        "urn:mace:egi.eu:group:dmsu:role=admin#aai.egi.eu = admin;"
        "urn:mace:egi.eu:group:dmsu:role=assigner#aai.egi.eu = assigner;"
        "urn:mace:egi.eu:group:dmsu:role=member#aai.egi.eu = resolver;"
        "urn:mace:egi.eu:group:ggus:role=tpm#aai.egi.eu = tpm"
    ),
    # Workflow
    "DMSU_REMIND_SUBMITTER_AFTER_DAYS": 7,
    "DMSU_REMIND_SUBMITTER_EVERY_DAYS": 7,
    "DMSU_CLOSE_WAITING_AFTER_DAYS": 30,
    "DMSU_REACTION_WORKING_DAYS": 3,
    "DMSU_NO_ETA_WORKING_DAYS": 5,
    "DMSU_UMD_STALE_DAYS": 30,
    "DMSU_THIRD_LINE_STALE_DAYS": 61,
    "DMSU_SCHEDULER": False,
    # Mail
    "DMSU_SMTP_HOST": "",
    "DMSU_SMTP_PORT": 25,
    "DMSU_SMTP_USER": "",
    "DMSU_SMTP_PASSWORD": "",
    "DMSU_SMTP_STARTTLS": False,
    "DMSU_SMTP_TIMEOUT": 10,
    "DMSU_MAIL_FROM": "dmsu-desk@localhost",
    "DMSU_DIGEST_MAILTO": "",
    "DMSU_REPORT_MAILTO": "",
    # Requirements (EGI RT)
    "DMSU_RT_URL": "",
    "DMSU_RT_TOKEN": "",
    "DMSU_RT_USER": "",
    "DMSU_RT_PASSWORD": "",
    "DMSU_RT_QUEUE": "Requirements",
    "DMSU_RT_TAG_FIELD": "Tag",
    "DMSU_RT_TIMEOUT": 10,
    # Helpdesk (GGUS on Zammad): no URL = the connector is idle
    "DMSU_ZAMMAD_URL": "",
    "DMSU_ZAMMAD_TOKEN": "",
    "DMSU_ZAMMAD_TIMEOUT": 10,
    "DMSU_ZAMMAD_PER_PAGE": 100,
    "DMSU_ZAMMAD_CONCURRENCY": 4,
    "DMSU_ZAMMAD_WEBHOOK_SECRET": "",
    "DMSU_ZAMMAD_DRY_RUN": False,
    "DMSU_ZAMMAD_MAPPING": "",  # a TOML file; "" = content/helpdesk_mapping.toml
    # Forums (the IMAP mailbox subscribed to the lists DMSU follows; seed 001's lists)
    "DMSU_FORUMS_IMAP_HOST": "",
    "DMSU_FORUMS_IMAP_PORT": 993,
    "DMSU_FORUMS_IMAP_USER": "",
    "DMSU_FORUMS_IMAP_PASSWORD": "",
    "DMSU_FORUMS_IMAP_MAILBOXES": "INBOX",
    "DMSU_FORUMS_IMAP_SSL": True,
    "DMSU_FORUMS_IMAP_TIMEOUT": 30,
    "DMSU_FORUMS_BATCH": 50,
    "DMSU_FORUMS_MAX_MESSAGE_BYTES": 25 * 1024 * 1024,
    "DMSU_FORUMS_LISTS": (
        "lcg-rollout@jiscmail.ac.uk; unicore-support@lists.sf.net; dpm-users-forum@cern.ch; "
        "user-forum@dcache.org; nordugrid-discuss@nordugrid.org"
    ),
    "DMSU_FORUMS_BUGZILLA_URL": "",  # e.g. https://bugzilla.nordugrid.org (ARC)
    "DMSU_FORUMS_BUGZILLA_PRODUCTS": "",  # comma-separated products followed
    "DMSU_FORUMS_BUGZILLA_API_KEY": "",
    # Wiki
    "DMSU_ATTACHMENT_MAX_BYTES": 5 * 1024 * 1024,
    # Repositories (the UMD release stage): sources added to the admins' list when missing,
    # one per line or ";": "name | kind (yum, apt, release-notes) | channel | URL"
    "DMSU_REPOSITORIES": "",
    "DMSU_REPOSITORY_TIMEOUT": 30,
}


def _coerce(raw: str, default: object) -> object:
    """Turn an environment string into the type of the default."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, (list, dict)):
        return json.loads(raw)
    return raw


def from_environment(environ: dict[str, str]) -> dict[str, object]:
    """The settings given in the environment: ``DATABASE_URL``, ``SECRET_KEY``, ``DMSU_*``."""
    values: dict[str, object] = {}
    for key, raw in environ.items():
        if key in {"DATABASE_URL", "SECRET_KEY"} or key.startswith("DMSU_"):
            if key.startswith("DMSU_TEST_"):
                continue
            values[key] = _coerce(raw, DEFAULTS.get(key, ""))
    return values


def instance_secret_key(instance_path: str | Path) -> str:
    """A random key created once and kept in ``instance/secret_key`` (development)."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load(app, overrides: dict[str, object] | None = None) -> None:
    """Fill ``app.config``: defaults, instance/config.py, environment, then ``overrides``."""
    app.config.from_mapping({k: v for k, v in DEFAULTS.items() if v is not None})
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(from_environment(dict(os.environ)))
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    if app.config["DMSU_HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=int(app.config["DMSU_REMEMBER_DAYS"]))
    if not app.config["DMSU_RATELIMIT_STORAGE_URI"]:
        postgres = str(app.config["DATABASE_URL"]).startswith(("postgres://", "postgresql://"))
        app.config["DMSU_RATELIMIT_STORAGE_URI"] = (
            "redis://127.0.0.1:6379/0" if postgres else "memory://"
        )
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
