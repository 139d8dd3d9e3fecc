"""The connector's runs, as the jobs, the CLI and the admin page call them: each reads the
settings, says plainly when the connector is idle (no ``DMSU_ZAMMAD_URL``) and turns a
helpdesk failure into one sentence (nothing of a failed read is recorded)."""

from __future__ import annotations

from dmsu.helpdesk import outbox, pull
from dmsu.helpdesk.client import HelpdeskError, ZammadClient, ZammadSettings
from dmsu.helpdesk.mapping import MappingError, load

IDLE = "The helpdesk connector is idle: DMSU_ZAMMAD_URL and DMSU_ZAMMAD_TOKEN are not set."


class ConnectorIdle(Exception):
    """Not configured; the message is :data:`IDLE`."""


def puller(config) -> pull.Puller:
    settings = ZammadSettings.from_config(config)
    if not settings.configured:
        raise ConnectorIdle(IDLE)
    return pull.Puller(ZammadClient(settings), load(config), settings.concurrency)


def run_pull(config, *, poll: bool = True) -> str:
    """The webhook's queue, then (with ``poll``) every ticket changed since the cursor."""
    try:
        runner = puller(config)
        result = pull.drain_inbox(runner)
        if poll:
            result.add(pull.poll(runner))
    except ConnectorIdle as exc:
        return str(exc)
    except (HelpdeskError, MappingError) as exc:
        return f"Helpdesk pull failed: {exc}; what was read of the failed batch was not recorded."
    return result.summary()


def run_push(config, *, now=None) -> str:
    dry_run = bool(config.get("DMSU_ZAMMAD_DRY_RUN"))
    settings = ZammadSettings.from_config(config)
    if not settings.configured and not dry_run:
        return IDLE
    outbox.release_stuck(now=now)
    client = ZammadClient(settings) if settings.configured else None
    return outbox.drain(client, dry_run=dry_run or client is None, now=now).summary()
