"""The repositories area's blueprint; its view modules add their routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("repositories", __name__, url_prefix="/repositories")
