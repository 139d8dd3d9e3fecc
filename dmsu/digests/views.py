"""Views of the digests area (thin: parse the request, call the logic, render)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("digests", __name__)


@bp.get("/digests/")
def index():
    return render_template("digests/index.html")
