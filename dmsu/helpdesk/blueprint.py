"""The helpdesk area's blueprint (``/helpdesk``): the webhook Zammad posts to and the admins'
pages; its view modules add their routes to it. Registering it on an app installs the push
outbox's listener of workflow steps (:func:`dmsu.helpdesk.outbox.install`)."""

from __future__ import annotations

from flask import Blueprint

from dmsu.helpdesk import outbox

bp = Blueprint("helpdesk", __name__, url_prefix="/helpdesk")
bp.record_once(lambda state: outbox.install())
