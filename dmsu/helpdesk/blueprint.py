"""The helpdesk area's blueprint; its view modules add their routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("helpdesk", __name__, url_prefix="/admin/helpdesk")
