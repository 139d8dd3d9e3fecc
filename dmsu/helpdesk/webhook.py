"""The helpdesk's webhook: Zammad's triggers POST the ticket here; the body's signature is
checked, the ticket id queued, and the answer given at once (the pull job reads the ticket).

Zammad signs the body with the webhook's "HMAC SHA1 Signature Token": the header
``X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body>`` (zammad/zammad ``lib/user_agent.rb``
``set_signature``; zammad-admin-documentation ``manage/webhook/add.rst`` and
``manage/webhook/payload.rst``, which also name ``X-Zammad-Trigger`` and
``X-Zammad-Delivery``). A request without the right signature is refused and logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from dmsu.helpdesk.models import HelpdeskInbox

log = logging.getLogger("dmsu.helpdesk.webhook")


class WebhookRefused(ValueError):
    """The request is not a signed helpdesk webhook; the message says why in one sentence."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def signature(body: bytes, secret: str) -> str:
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def verify(body: bytes, header: str | None, secret: str) -> None:
    """Raise :class:`WebhookRefused` unless ``header`` signs ``body`` with ``secret``."""
    if not secret:
        raise WebhookRefused(
            "The helpdesk webhook is not configured (DMSU_ZAMMAD_WEBHOOK_SECRET).", 503
        )
    if not header or not hmac.compare_digest(signature(body, secret), header.strip()):
        raise WebhookRefused("The webhook's X-Hub-Signature is missing or wrong.", 401)


def ticket_id(body: bytes) -> int:
    """The ticket id of a Zammad webhook body (``{"ticket": {"id": ...}, "article": ...}``)."""
    try:
        data = json.loads(body)
        value = data["ticket"]["id"]
    except (ValueError, KeyError, TypeError):
        raise WebhookRefused("The webhook's body has no ticket id (ticket.id).") from None
    # below 2**31: what the inbox's integer column holds on PostgreSQL (and a SQLite driver
    # refuses past 2**63 with an OverflowError, a 500)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise WebhookRefused("The webhook's ticket id is not a positive whole number.")
    return value


def receive(body: bytes, headers, secret: str, remote: str = "") -> HelpdeskInbox:
    """Check and queue one webhook request; :class:`WebhookRefused` (logged) otherwise."""
    try:
        verify(body, headers.get("X-Hub-Signature"), secret)
        zammad_id = ticket_id(body)
    except WebhookRefused as exc:
        log.warning("helpdesk webhook refused from %s: %s", remote or "?", exc)
        raise
    return HelpdeskInbox.create(
        zammad_id=zammad_id,
        delivery=str(headers.get("X-Zammad-Delivery") or "")[:100],
        trigger=str(headers.get("X-Zammad-Trigger") or "")[:200],
    )
