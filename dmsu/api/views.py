"""The JSON API, version 1. Errors are JSON with a message."""

from __future__ import annotations

from flask import Blueprint, jsonify

from dmsu.extensions import csrf

bp = Blueprint("api", __name__)
csrf.exempt(bp)


@bp.get("/")
def index():
    return jsonify(name="DMSU desk API", version=1)
from dmsu.cheatsheet import api as _cheatsheet_api  # noqa: E402, F401  (the /components routes)
