"""Views of the wiki area (thin: parse the request, call the logic, render)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("wiki", __name__)


@bp.get("/wiki/")
def index():
    return render_template("wiki/index.html")
